#include "core/coordinator/kvdb.h"

#include <stdint.h>
#include <string.h>

#include "gtest/gtest.h"

namespace dmtcp::coordinator {
namespace {

std::string Bytes(int64_t v) { return std::string(reinterpret_cast<const char*>(&v), sizeof v); }

int64_t Int(const std::string& s) {
  int64_t v = 0;
  EXPECT_EQ(s.size(), sizeof v);
  memcpy(&v, s.data(), std::min(s.size(), sizeof v));
  return v;
}

TEST(KeyValueDatabases, GetTellsAMissingDatabaseFromAMissingKey) {
  KeyValueDatabases dbs;
  EXPECT_EQ(dbs.Request(KVDB_GET, "ex-db", "1", "").status, KVDB_R_DB_NOT_FOUND);
  EXPECT_EQ(dbs.Request(KVDB_SET, "ex-db", "1", "first").status, KVDB_R_SUCCESS);
  EXPECT_EQ(dbs.Request(KVDB_GET, "ex-db", "2", "").status, KVDB_R_KEY_NOT_FOUND);
  EXPECT_EQ(dbs.Request(KVDB_GET, "other", "1", "").status, KVDB_R_DB_NOT_FOUND);
  auto got = dbs.Request(KVDB_GET, "ex-db", "1", "");
  EXPECT_EQ(got.status, KVDB_R_SUCCESS);
  EXPECT_TRUE(got.had_value);
  EXPECT_EQ(got.value, "first");
}

TEST(KeyValueDatabases, SetAnswersTheValueItReplaced) {
  KeyValueDatabases dbs;
  auto first = dbs.Request(KVDB_SET, "db", std::string("k\0ey", 4), "one");
  EXPECT_FALSE(first.had_value);
  auto second = dbs.Request(KVDB_SET, "db", std::string("k\0ey", 4), "two");
  EXPECT_TRUE(second.had_value);
  EXPECT_EQ(second.value, "one");
  EXPECT_EQ(dbs.Request(KVDB_GET, "db", std::string("k\0ey", 4), "").value, "two");
  EXPECT_EQ(dbs.Request(KVDB_GET, "db", "k", "").status, KVDB_R_KEY_NOT_FOUND);
}

TEST(KeyValueDatabases, SixtyFourBitOperationsCombineAndAFirstOneStores) {
  KeyValueDatabases dbs;
  EXPECT_FALSE(dbs.Request(KVDB_INCRBY, "n", "count", Bytes(5)).had_value);
  auto inc = dbs.Request(KVDB_INCRBY, "n", "count", Bytes(-2));
  EXPECT_EQ(Int(inc.value), 5);
  EXPECT_EQ(Int(dbs.Request(KVDB_GET, "n", "count", "").value), 3);
  dbs.Request(KVDB_MAX, "n", "count", Bytes(10));
  dbs.Request(KVDB_MIN, "n", "count", Bytes(7));
  EXPECT_EQ(Int(dbs.Request(KVDB_GET, "n", "count", "").value), 7);
  dbs.Request(KVDB_AND, "n", "count", Bytes(6));
  dbs.Request(KVDB_OR, "n", "count", Bytes(8));
  dbs.Request(KVDB_XOR, "n", "count", Bytes(1));
  EXPECT_EQ(Int(dbs.Request(KVDB_GET, "n", "count", "").value), ((7 & 6) | 8) ^ 1);
}

TEST(KeyValueDatabases, MalformedRequestsChangeNothing) {
  KeyValueDatabases dbs;
  dbs.Request(KVDB_SET, "db", "text", "not eight");
  EXPECT_EQ(dbs.Request(KVDB_INCRBY, "db", "text", Bytes(1)).status, KVDB_R_INVALID_REQUEST);
  EXPECT_EQ(dbs.Request(KVDB_GET, "db", "text", "").value, "not eight");
  EXPECT_EQ(dbs.Request(KVDB_INCRBY, "db", "n", "short").status, KVDB_R_INVALID_REQUEST);
  EXPECT_EQ(dbs.Request(KVDB_GET, "db", "n", "").status, KVDB_R_KEY_NOT_FOUND);
  EXPECT_EQ(dbs.Request(99, "db", "n", "").status, KVDB_R_INVALID_REQUEST);
  EXPECT_EQ(dbs.Request(-1, "db", "n", "").status, KVDB_R_INVALID_REQUEST);
}

}  // namespace
}  // namespace dmtcp::coordinator
