/*
 * maps_line.h - parse one line of /proc/<pid>/maps. C and freestanding: used by the
 * runtime while threads are suspended and by the restorer, neither of which may use
 * stdio.
 *
 *   7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0      [heap]
 *   start-end perms offset dev_major:dev_minor inode     path
 */
#ifndef CORE_COMMON_MAPS_LINE_H
#define CORE_COMMON_MAPS_LINE_H

#include <stdint.h>

struct maps_line {
  uint64_t start, end, offset, inode;
  uint32_t dev_major, dev_minor;
  char r, w, x, p; /* 'r'/'-', 'w'/'-', 'x'/'-', 'p'/'s' */
  const char* path; /* into the parsed text, not terminated; path_len bytes */
  uint32_t path_len;
};

static inline const char* maps_hex(const char* s, const char* end, uint64_t* v) {
  uint64_t x = 0;
  while (s < end) {
    char c = *s;
    unsigned d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else break;
    x = (x << 4) | d;
    s++;
  }
  *v = x;
  return s;
}

/* Parses the line at [s, end) (without its newline). Returns 0 on success. */
static inline int maps_parse_line(const char* s, const char* end, struct maps_line* m) {
  uint64_t v;
  s = maps_hex(s, end, &m->start);
  if (s >= end || *s++ != '-') return -1;
  s = maps_hex(s, end, &m->end);
  if (end - s < 6 || *s++ != ' ') return -1;
  m->r = s[0];
  m->w = s[1];
  m->x = s[2];
  m->p = s[3];
  s += 4;
  if (s >= end || *s++ != ' ') return -1;
  s = maps_hex(s, end, &m->offset);
  if (s >= end || *s++ != ' ') return -1;
  s = maps_hex(s, end, &v);
  m->dev_major = (uint32_t)v;
  if (s >= end || *s++ != ':') return -1;
  s = maps_hex(s, end, &v);
  m->dev_minor = (uint32_t)v;
  if (s >= end || *s++ != ' ') return -1;
  uint64_t inode = 0;
  while (s < end && *s >= '0' && *s <= '9') inode = inode * 10 + (uint64_t)(*s++ - '0');
  m->inode = inode;
  while (s < end && *s == ' ') s++;
  m->path = s;
  m->path_len = (uint32_t)(end - s);
  return 0;
}

static inline int maps_path_is(const struct maps_line* m, const char* name) {
  uint32_t i = 0;
  for (; name[i]; i++) {
    if (i >= m->path_len || m->path[i] != name[i]) return 0;
  }
  return i == m->path_len;
}

#endif /* CORE_COMMON_MAPS_LINE_H */
