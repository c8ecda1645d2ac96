/*
 * fmt.h - a small printf for code that may not call libc's: the restorer (no libc at
 * all) and the runtime's checkpoint path (inside a signal-interrupted process, where
 * stdio's locks may be held by a suspended thread). Supports %s %c %d %i %u %x %p %%,
 * the l/ll/z length modifiers, and a field width with optional '0' flag.
 */
#ifndef CORE_COMMON_FMT_H
#define CORE_COMMON_FMT_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Like vsnprintf: always terminates (if size > 0), returns the length written. */
size_t fmt_vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t fmt_format(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* CORE_COMMON_FMT_H */
