#include "core/protocol/wire.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dmtcp {
namespace {

using ::testing::HasSubstr;

class SocketPairTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  void CloseWriter() {
    close(fds_[0]);
    fds_[0] = -1;
  }
  int writer() const { return fds_[0]; }
  int reader() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

msg_header ValidHeader(uint32_t payload_len) {
  msg_header header;
  std::memset(&header, 0, sizeof(header));
  header.magic = PROTO_MAGIC;
  header.version = PROTO_VERSION;
  header.type = MSG_PHASE;
  header.payload_len = payload_len;
  return header;
}

TEST_F(SocketPairTest, RoundTripKeepsEveryField) {
  ASSERT_TRUE(SendMessage(writer(), MSG_PHASE_DONE, 17, 3, PHASE_CHECKPOINT, -5,
                          "image=/tmp/a.dmtcp\nbytes=42\n")
                  .ok());
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->header.magic, PROTO_MAGIC);
  EXPECT_EQ(got->header.version, PROTO_VERSION);
  EXPECT_EQ(got->header.type, MSG_PHASE_DONE);
  EXPECT_EQ(got->header.status, 17);
  EXPECT_EQ(got->header.arg[0], 3);
  EXPECT_EQ(got->header.arg[1], PHASE_CHECKPOINT);
  EXPECT_EQ(got->header.arg[2], -5);
  EXPECT_EQ(got->payload, "image=/tmp/a.dmtcp\nbytes=42\n");
}

TEST_F(SocketPairTest, EmptyPayloadAndBackToBackMessages) {
  ASSERT_TRUE(SendMessage(writer(), MSG_KILL, 0, 0, 0, 0, "").ok());
  ASSERT_TRUE(SendMessage(writer(), MSG_WELCOME, 0, 7, 0, 0, "compid=x\n").ok());
  absl::StatusOr<Message> first = ReceiveMessage(reader(), absl::Seconds(5));
  absl::StatusOr<Message> second = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->header.type, MSG_KILL);
  EXPECT_EQ(first->payload, "");
  EXPECT_EQ(second->header.type, MSG_WELCOME);
  EXPECT_EQ(second->header.arg[0], 7);
  EXPECT_EQ(second->payload, "compid=x\n");
}

TEST_F(SocketPairTest, LargestPayloadCrossesTheSocketBuffer) {
  // Bigger than a socketpair's buffer, so the writer must cope with partial writes.
  std::string payload(PROTO_MAX_PAYLOAD, 'x');
  std::thread sender(
      [&] { EXPECT_TRUE(SendMessage(writer(), MSG_PHASE, 0, 1, 2, 3, payload).ok()); });
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(10));
  sender.join();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->payload, payload);
}

TEST_F(SocketPairTest, SendRefusesOversizePayload) {
  absl::Status status =
      SendMessage(writer(), MSG_PHASE, 0, 0, 0, 0, std::string(PROTO_MAX_PAYLOAD + 1, 'x'));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SocketPairTest, ReceiveRejectsOversizeHeader) {
  msg_header header = ValidHeader(PROTO_MAX_PAYLOAD + 1);
  ASSERT_EQ(write(writer(), &header, sizeof(header)), static_cast<ssize_t>(sizeof(header)));
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("exceeds the limit"));
}

TEST_F(SocketPairTest, ReceiveRejectsBadMagic) {
  const char junk[] = "GET / HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n";
  ASSERT_GT(write(writer(), junk, sizeof(junk)), 0);
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("bad message magic"));
}

TEST_F(SocketPairTest, ReceiveRejectsOtherVersion) {
  msg_header header = ValidHeader(0);
  header.version = PROTO_VERSION + 1;
  ASSERT_EQ(write(writer(), &header, sizeof(header)), static_cast<ssize_t>(sizeof(header)));
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("protocol version"));
}

TEST_F(SocketPairTest, EofBeforeAMessageSaysConnectionClosed) {
  CloseWriter();
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "connection closed");
}

TEST_F(SocketPairTest, EofInsideAMessageIsReported) {
  msg_header header = ValidHeader(10);
  ASSERT_EQ(write(writer(), &header, sizeof(header)), static_cast<ssize_t>(sizeof(header)));
  ASSERT_EQ(write(writer(), "abc", 3), 3);
  CloseWriter();
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Seconds(5));
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("middle of a message"));
}

TEST_F(SocketPairTest, TimeoutWhenNothingArrives) {
  absl::Time start = absl::Now();
  absl::StatusOr<Message> got = ReceiveMessage(reader(), absl::Milliseconds(200));
  absl::Duration waited = absl::Now() - start;
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(waited, absl::Milliseconds(190));
  EXPECT_LT(waited, absl::Seconds(3));
}

TEST_F(SocketPairTest, SendToClosedPeerFailsWithoutSigpipe) {
  close(reader());
  // Would kill the test with SIGPIPE if MSG_NOSIGNAL were missing.
  absl::Status status = SendMessage(writer(), MSG_KILL, 0, 0, 0, 0, "");
  EXPECT_FALSE(status.ok());
}

TEST(MessageDecoderTest, AssemblesMessagesFedByteByByte) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_TRUE(SendMessage(fds[0], MSG_HELLO_WORKER, 0, 1234, 0, -1, "prog=a.out\n").ok());
  ASSERT_TRUE(SendMessage(fds[0], MSG_PHASE_DONE, 0, 1, PHASE_SUSPEND, 0, "").ok());
  close(fds[0]);
  std::string bytes;
  char c;
  while (read(fds[1], &c, 1) == 1) bytes.push_back(c);
  close(fds[1]);

  MessageDecoder decoder;
  std::vector<Message> messages;
  for (char byte : bytes) {
    decoder.Append(std::string_view(&byte, 1));
    absl::StatusOr<std::optional<Message>> next = decoder.Next();
    ASSERT_TRUE(next.ok());
    if (next->has_value()) messages.push_back(**next);
  }
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].header.type, MSG_HELLO_WORKER);
  EXPECT_EQ(messages[0].header.arg[0], 1234);
  EXPECT_EQ(messages[0].payload, "prog=a.out\n");
  EXPECT_EQ(messages[1].header.type, MSG_PHASE_DONE);
  EXPECT_FALSE(decoder.HasPartialMessage());
}

TEST(MessageDecoderTest, RejectsBadMagic) {
  MessageDecoder decoder;
  decoder.Append(std::string(sizeof(msg_header), 'z'));
  EXPECT_FALSE(decoder.Next().ok());
}

TEST(KeyValuesTest, ParseSkipsJunkAndKeepsLastValue) {
  auto values = ParseKeyValues("prog=a.out\nnot a pair\n\nhost=h=1\nprog=b.out");
  EXPECT_EQ(values.size(), 2u);
  EXPECT_EQ(values["prog"], "b.out");
  EXPECT_EQ(values["host"], "h=1");
}

TEST(KeyValuesTest, FormatThenParseRoundTrips) {
  absl::flat_hash_map<std::string, std::string> values = {
      {"uniq", "abc"}, {"ckptdir", "/tmp/x y"}, {"empty", ""}};
  std::string text = FormatKeyValues(values);
  EXPECT_EQ(text, "ckptdir=/tmp/x y\nempty=\nuniq=abc\n");
  EXPECT_EQ(ParseKeyValues(text), values);
}

TEST(KeyValuesTest, LinesKeepRepeatedKeysInOrder) {
  auto lines = KeyValueLines("image=/a\nimage=/b\nerror=disk full\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], std::make_pair(std::string("image"), std::string("/a")));
  EXPECT_EQ(lines[1].second, "/b");
  EXPECT_EQ(lines[2].first, "error");
}

// A listening socket on 127.0.0.1 with a kernel-chosen port.
int ListenOnLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address;
  std::memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return -1;
  if (listen(fd, 4) != 0) return -1;
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  *port = ntohs(address.sin_port);
  return fd;
}

TEST(ConnectTcpTest, ConnectsAndTalks) {
  int port = 0;
  int listener = ListenOnLoopback(&port);
  ASSERT_GE(listener, 0);
  absl::StatusOr<int> client = ConnectTcp("localhost", port, absl::Seconds(5));
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE(fcntl(*client, F_GETFD) & FD_CLOEXEC);
  int server = accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  ASSERT_TRUE(SendMessage(*client, MSG_HELLO_COMMAND, 0, CMD_STATUS, 0, 0, "").ok());
  absl::StatusOr<Message> got = ReceiveMessage(server, absl::Seconds(5));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->header.arg[0], CMD_STATUS);
  close(server);
  close(*client);
  close(listener);
}

TEST(ConnectTcpTest, RefusedPortNamesTheAddress) {
  int port = 0;
  int listener = ListenOnLoopback(&port);
  ASSERT_GE(listener, 0);
  close(listener);  // nothing listens there any more
  absl::StatusOr<int> client = ConnectTcp("127.0.0.1", port, absl::Seconds(5));
  ASSERT_FALSE(client.ok());
  EXPECT_THAT(std::string(client.status().message()),
              HasSubstr("cannot connect to 127.0.0.1:" + std::to_string(port)));
}

TEST(ResolveTest, NumericAndLocalhost) {
  EXPECT_EQ(*ResolveNumericIpv4("127.0.0.1"), "127.0.0.1");
  absl::StatusOr<std::string> localhost = ResolveNumericIpv4("localhost");
  ASSERT_TRUE(localhost.ok());
  EXPECT_EQ(localhost->rfind("127.", 0), 0u);
  EXPECT_FALSE(ResolveNumericIpv4("no-such-host.invalid").ok());
}

TEST(IsLocalHostTest, RecognisesThisMachine) {
  EXPECT_TRUE(IsLocalHost("localhost"));
  EXPECT_TRUE(IsLocalHost("LOCALHOST"));
  EXPECT_TRUE(IsLocalHost("127.0.0.1"));
  EXPECT_TRUE(IsLocalHost("127.3.4.5"));
  char name[256] = "";
  ASSERT_EQ(gethostname(name, sizeof(name)), 0);
  EXPECT_TRUE(IsLocalHost(name));
  EXPECT_FALSE(IsLocalHost("192.0.2.1"));  // TEST-NET-1, never assigned to a host
  EXPECT_FALSE(IsLocalHost("no-such-host.invalid"));
}

TEST(FitPayloadTest, WholeLinesAreLeftOutAndCounted) {
  EXPECT_EQ(FitPayload("a=1\nb=2\n", 100), "a=1\nb=2\n");
  std::string many;
  for (int i = 0; i < 100; i++) absl::StrAppend(&many, "image=/ckpt/", i, ".dmtcp\n");
  const std::string fitted = FitPayload(many, 200);
  EXPECT_LE(fitted.size(), 200u);
  EXPECT_TRUE(absl::StartsWith(fitted, "image=/ckpt/0.dmtcp\nimage=/ckpt/1.dmtcp\n")) << fitted;
  const auto lines = KeyValueLines(fitted);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().first, "truncated");
  EXPECT_EQ(std::stoi(lines.back().second) + static_cast<int>(lines.size()) - 1, 100);
  EXPECT_EQ(FitPayload(std::string(300, 'x'), 200), "truncated=1\n");  // no whole line fits
}

}  // namespace
}  // namespace dmtcp
