/*
 * signal_names.h - a signal given by number or by name ("USR1", "SIGUSR1", "10",
 * "RTMIN+2"), as the tools' options and the runtime's environment take it. Header-only
 * and free of libc, so the runtime can use it before anything is set up.
 */
#ifndef CORE_COMMON_SIGNAL_NAMES_H
#define CORE_COMMON_SIGNAL_NAMES_H

#ifdef __cplusplus
extern "C" {
#endif

/* The generic Linux numbering (every port here uses it). */
static const char* const kSignalNames[32] = {
    0,      "HUP",  "INT",    "QUIT", "ILL",  "TRAP", "ABRT", "BUS",  "FPE",   "KILL",  "USR1",
    "SEGV", "USR2", "PIPE",   "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
    "TTOU", "URG",  "XCPU",   "XFSZ", "VTALRM", "PROF", "WINCH", "IO",  "PWR",  "SYS"};

static inline int signal_names_equal(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) a++, b++;
  return *a == *b;
}

/* Reads a decimal number that fills all of `text`; -1 if it does not. */
static inline int signal_names_number(const char* text) {
  int n = 0;
  if (*text == '\0') return -1;
  for (; *text != '\0'; text++) {
    if (*text < '0' || *text > '9' || n > 1000) return -1;
    n = n * 10 + (*text - '0');
  }
  return n;
}

/* The signal `text` names, 1..64, or 0 when it names none. RTMIN is 34, the kernel's
 * first real-time signal (glibc keeps 32 and 33 for itself). */
static inline int signal_number(const char* text) {
  if (text == 0) return 0;
  int n = signal_names_number(text);
  if (n < 0) {
    if (text[0] == 'S' && text[1] == 'I' && text[2] == 'G') text += 3;
    for (int i = 1; i < 32; i++) {
      if (signal_names_equal(text, kSignalNames[i])) return i;
    }
    const char* rt = "RTMIN";
    const char* p = text;
    while (*rt != '\0' && *p == *rt) p++, rt++;
    if (*rt != '\0') return 0;
    if (*p == '\0') return 34;
    if (*p != '+') return 0;
    n = signal_names_number(p + 1);
    if (n < 0) return 0;
    n += 34;
  }
  return n >= 1 && n <= 64 ? n : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* CORE_COMMON_SIGNAL_NAMES_H */
