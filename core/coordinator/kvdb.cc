#include "core/coordinator/kvdb.h"

#include <stdint.h>
#include <string.h>

#include <algorithm>

namespace dmtcp::coordinator {
namespace {

bool Is64(int op) { return op >= KVDB_INCRBY && op <= KVDB_MAX; }

int64_t AsInt64(const std::string& bytes) {
  int64_t v;
  memcpy(&v, bytes.data(), sizeof v);
  return v;
}

std::string AsBytes(int64_t v) { return std::string(reinterpret_cast<const char*>(&v), sizeof v); }

int64_t Combine(int op, int64_t old, int64_t given) {
  switch (op) {
    case KVDB_INCRBY:
      return static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(given));
    case KVDB_AND:
      return old & given;
    case KVDB_OR:
      return old | given;
    case KVDB_XOR:
      return old ^ given;
    case KVDB_MIN:
      return std::min(old, given);
    default:  // KVDB_MAX
      return std::max(old, given);
  }
}

}  // namespace

KeyValueDatabases::Answer KeyValueDatabases::Request(int op, const std::string& db,
                                                     const std::string& key,
                                                     const std::string& value) {
  Answer answer;
  if (op < KVDB_GET || op > KVDB_MAX || (Is64(op) && value.size() != sizeof(int64_t))) {
    answer.status = KVDB_R_INVALID_REQUEST;
    return answer;
  }
  if (op == KVDB_GET) {
    auto found_db = dbs_.find(db);
    if (found_db == dbs_.end()) {
      answer.status = KVDB_R_DB_NOT_FOUND;
      return answer;
    }
    auto found = found_db->second.find(key);
    if (found == found_db->second.end()) {
      answer.status = KVDB_R_KEY_NOT_FOUND;
      return answer;
    }
    answer.had_value = true;
    answer.value = found->second;
    return answer;
  }
  std::map<std::string, std::string>& entries = dbs_[db];
  auto found = entries.find(key);
  if (found == entries.end()) {
    entries.emplace(key, value);  // a first 64-bit operation stores its operand
    return answer;
  }
  answer.had_value = true;
  answer.value = found->second;
  if (op == KVDB_SET) {
    found->second = value;
  } else if (found->second.size() != sizeof(int64_t)) {
    answer.status = KVDB_R_INVALID_REQUEST;  // not a 64-bit value: left as it is
  } else {
    found->second = AsBytes(Combine(op, AsInt64(found->second), AsInt64(value)));
  }
  return answer;
}

}  // namespace dmtcp::coordinator
