/* Messages and exit: one line on stderr, then the failure exit code. */
#include <stdarg.h>

#include "core/common/fmt.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

static int fail_rc = 99;
static const char* image_name; /* no initializer: a pointer in data is a relocation */

void restorer_set_fail_rc(int rc) { fail_rc = rc; }
void restorer_set_image_name(const char* image) { image_name = image; }

static void say(const char* level, const char* fmt, va_list ap) {
  char line[512];
  const char* image = image_name ? image_name : "";
  size_t n = fmt_format(line, sizeof line, "dmtcp_restart: %s%s%s", level, image,
                        *image ? ": " : "");
  n += fmt_vformat(line + n, sizeof line - n - 1, fmt, ap);
  line[n++] = '\n';
  sys_write(2, line, n);
}

void restorer_die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("", fmt, ap);
  va_end(ap);
  sys_exit_group(fail_rc);
  __builtin_unreachable();
}

void restorer_exit_quietly(void) {
  sys_exit_group(fail_rc);
  __builtin_unreachable();
}

void restorer_warn(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("warning: ", fmt, ap);
  va_end(ap);
}

uint64_t page_round_up(uint64_t v, uint64_t page) { return (v + page - 1) & ~(page - 1); }

size_t restorer_read_maps(char* buf, size_t size) {
  long fd = sys_openat("/proc/self/maps", O_RDONLY);
  if (fd < 0) restorer_die("cannot open /proc/self/maps (errno %ld)", -fd);
  size_t len = 0;
  for (;;) {
    long n = sys_read((int)fd, buf + len, size - 1 - len);
    if (n < 0) restorer_die("cannot read /proc/self/maps (errno %ld)", -n);
    if (n == 0) break;
    len += (size_t)n;
    if (len >= size - 1) restorer_die("/proc/self/maps is larger than %zu bytes", size);
  }
  sys_close((int)fd);
  buf[len] = '\0';
  return len;
}
