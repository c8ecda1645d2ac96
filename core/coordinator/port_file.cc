#include "core/coordinator/port_file.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace dmtcp::coordinator {

absl::Status WritePortFile(const std::string& path, int port) {
  std::string temp = path + ".XXXXXX";
  int fd = mkstemp(temp.data());
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot write port file ", path, ": ", std::strerror(errno)));
  }
  std::string text = absl::StrCat(port, "\n");
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = close(fd) == 0 && ok;
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write port file ", path, ": ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ReadPortFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read port file ", path));
  std::stringstream text;
  text << in.rdbuf();
  int port = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text.str()), &port) || port <= 0 ||
      port > 65535) {
    return absl::DataLossError(absl::StrCat("port file ", path, " holds no port number"));
  }
  return port;
}

}  // namespace dmtcp::coordinator
