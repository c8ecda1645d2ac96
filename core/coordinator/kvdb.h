// kvdb.h - the coordinator's key-value databases: the name service plugins use to
// publish something of theirs (a new address after a restart, a rank) and find what
// the other processes of the computation published, as DMTCP's kvdb does. Named
// databases of byte-string keys and values; the 64-bit operations (INCRBY, AND, OR,
// XOR, MIN, MAX) combine 8-byte values, so processes can also count and elect.
// No I/O: the server passes requests in and sends the answers out.
#ifndef CORE_COORDINATOR_KVDB_H
#define CORE_COORDINATOR_KVDB_H

#include <map>
#include <string>

#include "core/protocol/protocol.h"

namespace dmtcp::coordinator {

class KeyValueDatabases {
 public:
  struct Answer {
    int status = KVDB_R_SUCCESS;  // enum kvdb_status
    bool had_value = false;       // `value` holds the value before the request
    std::string value;
  };

  // Carries out operation `op` (enum kvdb_op) on `key` of database `db`.
  Answer Request(int op, const std::string& db, const std::string& key,
                 const std::string& value);

  // Forgets everything (a new computation).
  void Clear() { dbs_.clear(); }

 private:
  std::map<std::string, std::map<std::string, std::string>> dbs_;
};

}  // namespace dmtcp::coordinator

#endif  // CORE_COORDINATOR_KVDB_H
