#include "core/coordinator/admission.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "core/coordinator/socket_owner.h"
#include "gtest/gtest.h"

namespace dmtcp::coordinator {
namespace {

struct sockaddr_in Addr(const char* ip, int port) {
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &a.sin_addr);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}

// A client on port 40000 connected to a coordinator on 7779, both on the loopback, as
// this (little-endian) machine's /proc/net/tcp shows them: the listener, the
// coordinator's side of the connection, then the client's socket (uid 1000).
constexpr char kProcNetTcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:1E63 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41 1 0\n"
    "   1: 0100007F:1E63 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 42 1 0\n"
    "   2: 0100007F:9C40 0100007F:1E63 01 00000000:00000000 00:00000000 00000000  1001        0 43 1 0\n";

TEST(Admission, LoopbackAndOurOwnAddressAreThisHost) {
  const struct sockaddr_in local = Addr("10.0.0.5", 7779);
  EXPECT_TRUE(FromThisHost(Addr("127.0.0.1", 40000), local));
  EXPECT_TRUE(FromThisHost(Addr("127.0.1.1", 40000), local));
  EXPECT_TRUE(FromThisHost(Addr("10.0.0.5", 40000), local));
  EXPECT_FALSE(FromThisHost(Addr("10.0.0.6", 40000), local));
}

TEST(Admission, OwnerIsTheUidOfThePeersSocket) {
  const struct sockaddr_in local = Addr("127.0.0.1", 7779);
  EXPECT_EQ(SocketOwner(kProcNetTcp, Addr("127.0.0.1", 40000), local), 1001u);
  // Not the coordinator's own side, nor a socket that is not there.
  EXPECT_EQ(SocketOwner(kProcNetTcp, Addr("127.0.0.1", 40001), local), std::nullopt);
  EXPECT_EQ(SocketOwner(kProcNetTcp, Addr("127.0.0.2", 40000), local), std::nullopt);
  EXPECT_EQ(SocketOwner("", Addr("127.0.0.1", 40000), local), std::nullopt);
  EXPECT_EQ(SocketOwner("garbage\n  0: x y z\n", Addr("127.0.0.1", 40000), local), std::nullopt);
}

TEST(Admission, OtherHostsOnlyWhenBound) {
  const struct sockaddr_in local = Addr("10.0.0.5", 7779);
  const struct sockaddr_in remote = Addr("10.0.0.6", 40000);
  absl::Status refused = Admit({.self = 1000}, remote, local, std::nullopt);
  EXPECT_TRUE(absl::IsPermissionDenied(refused));
  EXPECT_NE(refused.message().find("10.0.0.6:40000 is on another host"), std::string::npos)
      << refused.message();
  EXPECT_TRUE(Admit({.self = 1000, .other_hosts = true}, remote, local, std::nullopt).ok());
}

TEST(Admission, ThisHostsOtherUsersAreRefusedButRoot) {
  const struct sockaddr_in local = Addr("127.0.0.1", 7779);
  const struct sockaddr_in peer = Addr("127.0.0.1", 40000);
  EXPECT_TRUE(Admit({.self = 1000}, peer, local, 1000u).ok());
  EXPECT_TRUE(Admit({.self = 1000}, peer, local, 0u).ok());
  EXPECT_TRUE(Admit({.self = 1000}, peer, local, std::nullopt).ok());  // cannot be told
  absl::Status refused = Admit({.self = 1000}, peer, local, 1001u);
  EXPECT_TRUE(absl::IsPermissionDenied(refused));
  EXPECT_NE(refused.message().find("belongs to user 1001, and this coordinator serves user 1000"),
            std::string::npos)
      << refused.message();
  // A root coordinator serves root only.
  EXPECT_FALSE(Admit({.self = 0}, peer, local, 1000u).ok());
}

// A real connection on the loopback: the kernel names its client socket's owner, us.
TEST(SocketOwner, TheKernelNamesTheOwnerOfARealConnection) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in local = Addr("127.0.0.1", 0);
  socklen_t len = sizeof local;
  ASSERT_EQ(bind(listener, reinterpret_cast<struct sockaddr*>(&local), sizeof local), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<struct sockaddr*>(&local), &len), 0);
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<struct sockaddr*>(&local), sizeof local), 0);
  struct sockaddr_in peer;
  len = sizeof peer;
  int served = accept4(listener, reinterpret_cast<struct sockaddr*>(&peer), &len, SOCK_CLOEXEC);
  ASSERT_GE(served, 0);

  EXPECT_EQ(LookUpSocketOwner(peer, local), getuid());
  std::optional<uid_t> diag = SocketOwnerFromDiag(peer, local);
  if (diag.has_value()) {
    EXPECT_EQ(*diag, getuid());
  } else {
    std::printf("NOTE: no sock_diag here; /proc/net/tcp answered instead\n");
  }
  // No socket has that address: nobody to name.
  EXPECT_EQ(SocketOwnerFromDiag(Addr("127.0.0.1", 1), local), std::nullopt);
  close(served);
  close(client);
  close(listener);
}

}  // namespace
}  // namespace dmtcp::coordinator
