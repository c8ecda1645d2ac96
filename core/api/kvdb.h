/* kvdb.h - the name service for C++ plugins, with the names of DMTCP's C++ API
 * (dmtcp::kvdb, dmtcp::string), so that a plugin written for DMTCP 3 or later that
 * uses it builds against this header unchanged. dmtcp_launch loads its implementation
 * (libdmtcp_cxx.so) beside every --with-plugin; it forwards to dmtcp_kvdb_request()
 * of dmtcp.h, which C plugins call directly. Same rules: from an event hook. */
#ifndef DMTCP_NG_PUBLIC_KVDB_H
#define DMTCP_NG_PUBLIC_KVDB_H

#include <stddef.h>
#include <stdint.h>

#include <string>

#include "dmtcp.h"

namespace jalib {
/* Where DMTCP's containers get their memory; here, malloc and free. */
class JAllocDispatcher {
 public:
  static void *allocate(size_t n);
  static void deallocate(void *p, size_t n);
};
}  // namespace jalib

namespace dmtcp {

template <typename T>
class DmtcpAlloc {
 public:
  using value_type = T;
  DmtcpAlloc() noexcept = default;
  template <typename U>
  DmtcpAlloc(const DmtcpAlloc<U> &) noexcept {}
  T *allocate(size_t n) { return static_cast<T *>(jalib::JAllocDispatcher::allocate(n * sizeof(T))); }
  void deallocate(T *p, size_t n) { jalib::JAllocDispatcher::deallocate(p, n * sizeof(T)); }
};
template <typename T, typename U>
bool operator==(const DmtcpAlloc<T> &, const DmtcpAlloc<U> &) { return true; }
template <typename T, typename U>
bool operator!=(const DmtcpAlloc<T> &, const DmtcpAlloc<U> &) { return false; }

typedef std::basic_string<char, std::char_traits<char>, DmtcpAlloc<char> > string;

namespace kvdb {

enum class KVDBRequest { GET, SET, INCRBY, AND, OR, XOR, MIN, MAX };
enum class KVDBResponse { SUCCESS, INVALID_REQUEST, DB_NOT_FOUND, KEY_NOT_FOUND };

/* `request` on `key` of database `id`; the value before it goes to *oldVal. Without a
 * coordinator to ask (not under dmtcp_launch, or not from an event hook): INVALID_REQUEST. */
KVDBResponse request64(KVDBRequest request, string const &id, string const &key, int64_t val,
                       int64_t *oldVal = nullptr);
KVDBResponse get64(string const &id, string const &key, int64_t *oldVal);
KVDBResponse set64(string const &id, string const &key, int64_t val, int64_t *oldVal = nullptr);

KVDBResponse request(KVDBRequest request, string const &id, string const &key,
                     string const &val, string *oldVal = nullptr);
KVDBResponse get(string const &id, string const &key, string *oldVal);
KVDBResponse set(string const &id, string const &key, string const &val,
                 string *oldVal = nullptr);

}  // namespace kvdb
}  // namespace dmtcp

#endif /* DMTCP_NG_PUBLIC_KVDB_H */
