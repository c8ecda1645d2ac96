// progress.h - "checkpoint 40% (410/1024 MiB)" on stderr, only when stderr is a terminal
// and the job is large enough to be worth watching. Safe while threads are frozen.
#ifndef CORE_RUNTIME_PROGRESS_H
#define CORE_RUNTIME_PROGRESS_H

#include <stdint.h>

namespace rt {

class Progress {
 public:
  Progress(const char* what, uint64_t total);
  void Advance(uint64_t bytes);
  void Done();

 private:
  void Show();

  const char* what_;
  uint64_t total_, done_ = 0;
  long last_shown_ms_ = 0;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace rt

#endif  // CORE_RUNTIME_PROGRESS_H
