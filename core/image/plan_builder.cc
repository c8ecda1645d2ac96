#include "core/image/plan_builder.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_format.h"
#include "core/image/plan.h"

namespace img {

absl::StatusOr<RestorePlan> BuildRestorePlan(const ImageIndex& image, uint64_t want_pid,
                                             const std::vector<int>& shared_fds) {
  std::vector<const AreaInfo*> areas;
  for (const AreaInfo& a : image.areas) areas.push_back(&a);
  auto shared_fd = [&](const AreaInfo* a) {
    const size_t i = static_cast<size_t>(a - image.areas.data());
    return i < shared_fds.size() ? shared_fds[i] : -1;
  };
  std::sort(areas.begin(), areas.end(),
            [](const AreaInfo* x, const AreaInfo* y) { return x->area.start < y->area.start; });
  for (size_t i = 1; i < areas.size(); i++) {
    if (areas[i]->area.start < areas[i - 1]->area.end) {
      return absl::DataLossError(absl::StrFormat(
          "%s is corrupted: memory areas %x and %x overlap", image.path,
          areas[i - 1]->area.start, areas[i]->area.start));
    }
  }
  int mains = 0;
  for (const struct img_thread& t : image.threads) mains += t.is_main != 0;
  if (mains != 1) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s has %d main threads; the process's first thread must be alive to restart it",
        image.path, mains));
  }

  RestorePlan plan;
  size_t n_chunks = 0;
  for (const AreaInfo* a : areas) n_chunks += shared_fd(a) < 0 ? a->chunks.size() : 0;
  const size_t fixed = sizeof(struct plan_header) + areas.size() * sizeof(struct plan_area) +
                       n_chunks * sizeof(struct plan_chunk) +
                       image.threads.size() * sizeof(struct plan_thread);
  std::string strings;
  std::vector<struct plan_area> plan_areas;
  std::vector<struct plan_chunk> plan_chunks;
  for (const AreaInfo* a : areas) {
    struct plan_area pa = {};
    pa.start = a->area.start;
    pa.end = a->area.end;
    pa.file_offset = a->area.file_offset;
    pa.prot = a->area.prot;
    pa.flags = a->area.flags;
    if (!a->path.empty()) {
      pa.path = static_cast<uint32_t>(fixed + strings.size());
      strings.append(a->path);
      strings.push_back('\0');
    }
    pa.first_chunk = static_cast<uint32_t>(plan_chunks.size());
    const int fd = shared_fd(a);
    pa.shared_fd_plus1 = static_cast<uint32_t>(fd + 1);
    pa.n_chunks = fd < 0 ? static_cast<uint32_t>(a->chunks.size()) : 0;
    for (const ChunkRef& c : a->chunks) {
      if (fd >= 0) break;  // its contents are in the shared object already
      const bool stored = c.header.codec == IMG_CODEC_NONE;
      plan_chunks.push_back({a->area.start + c.header.offset, c.header.raw_len,
                             c.header.raw_check, stored ? c.data_offset : PLAN_FROM_STREAM});
      if (!stored) plan.streamed.push_back(&c);
      plan.data_bytes += c.header.raw_len;
    }
    plan_areas.push_back(pa);
  }

  struct plan_header h = {};
  h.magic = PLAN_MAGIC;
  h.version = PLAN_VERSION;
  h.arch = image.header.arch;
  h.page_size = image.header.page_size;
  h.n_areas = static_cast<uint32_t>(plan_areas.size());
  h.n_chunks = static_cast<uint32_t>(plan_chunks.size());
  h.n_threads = static_cast<uint32_t>(image.threads.size());
  h.total_bytes = fixed + strings.size();
  h.restart_block = image.header.restart_block;
  h.pid = want_pid;
  snprintf(h.image, sizeof h.image, "%s", image.path.c_str());

  plan.bytes.reserve(h.total_bytes);
  plan.bytes.append(reinterpret_cast<const char*>(&h), sizeof h);
  plan.bytes.append(reinterpret_cast<const char*>(plan_areas.data()),
                    plan_areas.size() * sizeof(struct plan_area));
  plan.bytes.append(reinterpret_cast<const char*>(plan_chunks.data()),
                    plan_chunks.size() * sizeof(struct plan_chunk));
  for (const struct img_thread& t : image.threads) {
    struct plan_thread pt = {t.tid, t.thread_pointer, t.context, t.is_main, 0};
    plan.bytes.append(reinterpret_cast<const char*>(&pt), sizeof pt);
  }
  plan.bytes.append(strings);
  return plan;
}

}  // namespace img
