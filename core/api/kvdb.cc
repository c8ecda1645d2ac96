// libdmtcp_cxx.so: DMTCP's C++ plugin API (kvdb.h) on top of dmtcp_kvdb_request().
// A separate library so that libstdc++ comes into a program only with a plugin.
#include "kvdb.h"

#include <stdlib.h>

void *jalib::JAllocDispatcher::allocate(size_t n) { return malloc(n); }
void jalib::JAllocDispatcher::deallocate(void *p, size_t) { free(p); }

namespace dmtcp {
namespace kvdb {
namespace {

KVDBResponse Answer(int rc) {
  return rc < 0 ? KVDBResponse::INVALID_REQUEST : static_cast<KVDBResponse>(rc);
}

}  // namespace

KVDBResponse request64(KVDBRequest op, string const &id, string const &key, int64_t val,
                       int64_t *oldVal) {
  int64_t before = 0;
  size_t len = sizeof before;
  const int rc = dmtcp_kvdb_request(static_cast<int>(op), id.c_str(), key.data(), key.size(),
                                    &val, sizeof val, &before, &len);
  if (oldVal != nullptr && rc == DMTCP_KVDB_SUCCESS && len == sizeof before) *oldVal = before;
  return Answer(rc);
}

KVDBResponse get64(string const &id, string const &key, int64_t *oldVal) {
  return request64(KVDBRequest::GET, id, key, 0, oldVal);
}

KVDBResponse set64(string const &id, string const &key, int64_t val, int64_t *oldVal) {
  return request64(KVDBRequest::SET, id, key, val, oldVal);
}

KVDBResponse request(KVDBRequest op, string const &id, string const &key, string const &val,
                     string *oldVal) {
  char before[16384];
  size_t len = sizeof before;
  const int rc = dmtcp_kvdb_request(static_cast<int>(op), id.c_str(), key.data(), key.size(),
                                    val.data(), val.size(), before, &len);
  if (oldVal != nullptr && rc == DMTCP_KVDB_SUCCESS) oldVal->assign(before, len < sizeof before ? len : sizeof before);
  return Answer(rc);
}

KVDBResponse get(string const &id, string const &key, string *oldVal) {
  return request(KVDBRequest::GET, id, key, string(), oldVal);
}

KVDBResponse set(string const &id, string const &key, string const &val, string *oldVal) {
  return request(KVDBRequest::SET, id, key, val, oldVal);
}

}  // namespace kvdb
}  // namespace dmtcp
