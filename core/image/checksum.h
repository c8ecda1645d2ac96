/*
 * checksum.h - the image checksum: a fast 64-bit hash for finding corruption (a
 * flipped bit, a truncated or misplaced chunk), not an authenticator. Four
 * independent multiply-rotate lanes over 8-byte words keep a core's multipliers
 * busy, so it runs near memory speed; the restorer verifies every page with it.
 * C and freestanding.
 */
#ifndef CORE_IMAGE_CHECKSUM_H
#define CORE_IMAGE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define IMG_CK_P1 0x9e3779b185ebca87ULL
#define IMG_CK_P2 0xc2b2ae3d27d4eb4fULL
#define IMG_CK_P3 0x165667b19e3779f9ULL

static inline uint64_t img_ck_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t img_ck_load64(const unsigned char* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8); /* unaligned-safe, compiles to one load */
  return v;
}

static inline uint64_t img_ck_lane(uint64_t acc, uint64_t word) {
  acc += word * IMG_CK_P2;
  return img_ck_rotl(acc, 29) * IMG_CK_P1;
}

static inline uint64_t img_ck_final(uint64_t h) {
  h ^= h >> 31;
  h *= IMG_CK_P3;
  h ^= h >> 29;
  h *= IMG_CK_P2;
  h ^= h >> 32;
  return h;
}

static inline uint64_t img_checksum(const void* data, size_t len, uint64_t seed) {
  const unsigned char* p = (const unsigned char*)data;
  uint64_t a = seed + IMG_CK_P1, b = seed ^ IMG_CK_P2, c = seed - IMG_CK_P3, d = ~seed;
  size_t n = len;
  while (n >= 32) {
    a = img_ck_lane(a, img_ck_load64(p));
    b = img_ck_lane(b, img_ck_load64(p + 8));
    c = img_ck_lane(c, img_ck_load64(p + 16));
    d = img_ck_lane(d, img_ck_load64(p + 24));
    p += 32;
    n -= 32;
  }
  uint64_t h = img_ck_rotl(a, 1) + img_ck_rotl(b, 7) + img_ck_rotl(c, 13) + img_ck_rotl(d, 19);
  h += (uint64_t)len * IMG_CK_P3;
  while (n >= 8) {
    h = img_ck_lane(h, img_ck_load64(p));
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    h = img_ck_lane(h, *p);
    p++;
    n--;
  }
  return img_ck_final(h);
}

/* A record's check covers its tag and length as well as its payload, so that a flipped
 * bit in the record header is caught too. */
static inline uint64_t img_record_check(uint32_t tag, uint64_t length, const void* payload) {
  return img_checksum(payload, (size_t)length, ((uint64_t)tag << 48) ^ length ^ IMG_CK_P3);
}

#endif /* CORE_IMAGE_CHECKSUM_H */
