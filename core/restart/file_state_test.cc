#include "core/restart/file_state.h"

#include "gtest/gtest.h"

namespace dmtcp {
namespace {

TEST(DecideFileAction, ImagesWithoutFileStateLeaveMissingFilesAlone) {
  FileStateSummary s;
  s.writable = true;
  EXPECT_EQ(DecideFileAction(false, s), FileAction::kLeave);
  EXPECT_EQ(DecideFileAction(true, s), FileAction::kLeave);
}

TEST(DecideFileAction, AMissingFileOpenForWritingIsRecreatedEmpty) {
  FileStateSummary s;
  s.known = true;
  s.writable = true;
  EXPECT_EQ(DecideFileAction(false, s), FileAction::kRecreateEmpty);
  EXPECT_EQ(DecideFileAction(true, s), FileAction::kLeave);
  s.writable = false;
  EXPECT_EQ(DecideFileAction(false, s), FileAction::kLeave);
}

TEST(DecideFileAction, SavedContentsRecreateButOverwriteOnlyWhenAllowed) {
  img::FileInfo saved;
  FileStateSummary s;
  s.known = true;
  s.saved = &saved;
  EXPECT_EQ(DecideFileAction(false, s), FileAction::kRecreateWithContents);
  EXPECT_EQ(DecideFileAction(true, s), FileAction::kLeave);
  s.overwrite = true;
  EXPECT_EQ(DecideFileAction(true, s), FileAction::kOverwrite);
  EXPECT_EQ(DecideFileAction(false, s), FileAction::kRecreateWithContents);
}

}  // namespace
}  // namespace dmtcp
