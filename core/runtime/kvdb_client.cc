// The name service's client side: a plugin's key-value request goes to the coordinator
// (core/coordinator/kvdb.h) over the checkpoint thread's connection, so it is answered
// from an event hook, where that thread runs the plugins. Keys and values travel in
// hex in a text payload; static buffers, no malloc (hooks run while threads are frozen).
#include <string.h>

#include "core/api/dmtcp.h"
#include "core/common/raw_syscalls.h"
#include "core/runtime/checkpoint_thread.h"
#include "core/runtime/config.h"
#include "core/runtime/coordinator_link.h"
#include "core/runtime/log.h"
#include "core/runtime/wrappers.h"


namespace rt {
namespace {

constexpr size_t kMaxDb = 256, kMaxKey = 4096, kMaxValue = 16384;

char* PutHex(char* out, const char* name, const void* bytes, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  const size_t name_len = strlen(name);
  memcpy(out, name, name_len);
  out += name_len;
  const unsigned char* b = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < n; i++) {
    *out++ = kDigits[b[i] >> 4];
    *out++ = kDigits[b[i] & 15];
  }
  *out++ = '\n';
  return out;
}

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes the hex value= of a reply into out (room for *len bytes; *len becomes the
// full length, which may be more than was copied).
void GetHex(const char* payload, void* out, size_t* len) {
  const char* p = strstr(payload, "value=");
  size_t n = 0;
  if (p != nullptr) {
    p += 6;
    unsigned char* o = static_cast<unsigned char*>(out);
    for (; Nibble(p[0]) >= 0 && Nibble(p[1]) >= 0; p += 2, n++) {
      if (n < *len) o[n] = static_cast<unsigned char>(Nibble(p[0]) << 4 | Nibble(p[1]));
    }
  }
  *len = n;
}

}  // namespace
}  // namespace rt

// (Names in parentheses: dmtcp.h also has macros of these names.)
EXPORT int (dmtcp_kvdb_request)(int op, const char* db, const void* key, size_t key_len,
                              const void* value, size_t value_len, void* old, size_t* old_len) {
  if (!rt::g_config.active) return DMTCP_KVDB_NOT_AVAILABLE;
  if (!rt::OnCheckpointThread()) {
    rt::Warn("dmtcp_kvdb_request(%s) outside a plugin's event hook: not sent", db);
    return DMTCP_KVDB_NOT_AVAILABLE;
  }
  const size_t db_len = strlen(db);
  if (db_len > rt::kMaxDb || key_len > rt::kMaxKey || value_len > rt::kMaxValue) {
    return DMTCP_KVDB_INVALID_REQUEST;
  }
  static char payload[PROTO_MAX_PAYLOAD];
  char* end = rt::PutHex(payload, "db=", db, db_len);
  end = rt::PutHex(end, "key=", key, key_len);
  end = rt::PutHex(end, "value=", value, value_len);
  *end = '\0';
  if (rt::CoordSend(MSG_KVDB, 0, op, 0, 0, payload) < 0) return DMTCP_KVDB_NOT_AVAILABLE;
  static rt::CoordMessage m;
  for (;;) {
    if (rt::CoordReceive(&m) < 0) return DMTCP_KVDB_NOT_AVAILABLE;
    if (m.header.type == MSG_KILL) sys::kill(sys::getpid(), SIGKILL);
    if (m.header.type == MSG_KVDB_REPLY) break;
  }
  if (old_len != nullptr) {
    size_t room = old != nullptr ? *old_len : 0;
    rt::GetHex(m.payload, old, &room);
    *old_len = room;
  }
  return m.header.status;
}

EXPORT int (dmtcp_kvdb_request64)(int op, const char* db, const char* key, int64_t value, int64_t* old) {
  int64_t before = 0;
  size_t len = sizeof before;
  int rc = (dmtcp_kvdb_request)(op, db, key, strlen(key), &value, sizeof value, &before, &len);
  if (old != nullptr && rc == DMTCP_KVDB_SUCCESS && len == sizeof before) *old = before;
  return rc;
}
