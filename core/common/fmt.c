#include "core/common/fmt.h"

#include <stdint.h>

struct out {
  char* buf;
  size_t size, len;
};

static void put(struct out* o, char c) {
  if (o->len + 1 < o->size) o->buf[o->len] = c;
  o->len++;
}

static void put_number(struct out* o, unsigned long long v, unsigned base, int negative,
                       int width, char pad) {
  char digits[24];
  int n = 0;
  do {
    unsigned d = (unsigned)(v % base);
    digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v != 0);
  if (negative) {
    if (pad == '0') put(o, '-');
    width--;
  }
  for (int i = n; i < width; i++) put(o, pad);
  if (negative && pad != '0') put(o, '-');
  while (n > 0) put(o, digits[--n]);
}

size_t fmt_vformat(char* buf, size_t size, const char* fmt, va_list ap) {
  struct out o = {buf, size, 0};
  for (const char* p = fmt; *p; p++) {
    if (*p != '%') {
      put(&o, *p);
      continue;
    }
    p++;
    char pad = ' ';
    if (*p == '0') {
      pad = '0';
      p++;
    }
    int width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    int longs = 0;
    while (*p == 'l' || *p == 'z') {
      longs += (*p == 'z') ? 1 : 1;
      p++;
    }
    switch (*p) {
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (!s) s = "(null)";
        int n = 0;
        for (const char* q = s; *q; q++) n++;
        for (int i = n; i < width; i++) put(&o, ' ');
        while (*s) put(&o, *s++);
        break;
      }
      case 'c':
        put(&o, (char)va_arg(ap, int));
        break;
      case 'd':
      case 'i': {
        long long v = longs >= 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long)
                                                                      : va_arg(ap, int);
        put_number(&o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10, v < 0,
                   width, pad);
        break;
      }
      case 'u':
      case 'x': {
        unsigned long long v = longs >= 2   ? va_arg(ap, unsigned long long)
                               : longs == 1 ? va_arg(ap, unsigned long)
                                            : va_arg(ap, unsigned);
        put_number(&o, v, *p == 'x' ? 16 : 10, 0, width, pad);
        break;
      }
      case 'p':
        put(&o, '0');
        put(&o, 'x');
        put_number(&o, (uintptr_t)va_arg(ap, void*), 16, 0, width, pad);
        break;
      case '%':
        put(&o, '%');
        break;
      case '\0':
        p--;
        break;
      default:
        put(&o, '%');
        put(&o, *p);
    }
  }
  if (size > 0) buf[o.len < size ? o.len : size - 1] = '\0';
  return o.len < size ? o.len : (size ? size - 1 : 0);
}

size_t fmt_format(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = fmt_vformat(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
