#include "core/runtime/progress.h"

#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#include "core/common/fmt.h"
#include "core/common/raw_syscalls.h"

namespace rt {
namespace {

constexpr uint64_t kWorthShowing = 256ull << 20;

long NowMs() {
  struct timespec ts;
  sys::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

bool StderrIsTerminal() {
  struct termios t;
  return arch_syscall3(__NR_ioctl, 2, TCGETS, (long)&t) == 0;
}

}  // namespace

Progress::Progress(const char* what, uint64_t total)
    : what_(what), total_(total), enabled_(total >= kWorthShowing && StderrIsTerminal()) {
  last_shown_ms_ = NowMs();
}

void Progress::Advance(uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  long now = NowMs();
  if (now - last_shown_ms_ < 250) return;
  last_shown_ms_ = now;
  Show();
}

void Progress::Show() {
  char line[128];
  uint64_t pct = total_ ? done_ * 100 / total_ : 100;
  size_t n = fmt_format(line, sizeof line, "\r[dmtcp] %s %lu%% (%lu/%lu MiB)", what_,
                        (unsigned long)pct, (unsigned long)(done_ >> 20),
                        (unsigned long)(total_ >> 20));
  sys::write(2, line, n);
  shown_ = true;
}

void Progress::Done() {
  if (!shown_) return;
  done_ = total_;
  Show();
  sys::write(2, "\n", 1);
}

}  // namespace rt
