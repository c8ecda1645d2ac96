// netpeer: two processes talking TCP, for a computation spread over hosts.
//   netpeer serve PORT         accepts one connection on PORT (any address)
//   netpeer connect HOST PORT N
// The client sends the numbers 1..N (8 bytes each, one every 20 ms, in bursts that keep
// bytes in flight); the server checks that each is one more than the last and answers
// with the running sum; the client checks each answer against its own sum. Both print
// one line per number ("i sum"); the client prints "netpeer done N SUM" and exits 42,
// the server "netpeer served N SUM" and exits 42 when the client hangs up. Any break in
// the sequence prints "netpeer FAILED ..." and exits 2.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "probe_util.h"

static int read_all(int fd, void* data, size_t len) {
  char* at = data;
  while (len > 0) {
    ssize_t n = read(fd, at, len);
    if (n <= 0) return -1;
    at += n;
    len -= (size_t)n;
  }
  return 0;
}

static int write_all(int fd, const void* data, size_t len) {
  const char* at = data;
  while (len > 0) {
    ssize_t n = write(fd, at, len);
    if (n <= 0) return -1;
    at += n;
    len -= (size_t)n;
  }
  return 0;
}

static int serve(int port) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  if (bind(listener, (struct sockaddr*)&a, sizeof a) != 0 || listen(listener, 1) != 0) {
    SAY("netpeer FAILED: cannot listen on port %d", port);
    return 2;
  }
  SAY("listening");
  const int fd = accept(listener, NULL, NULL);
  if (fd < 0) return 2;
  uint64_t last = 0, sum = 0, got;
  while (read_all(fd, &got, sizeof got) == 0) {
    if (got != last + 1) {
      SAY("netpeer FAILED: got %llu after %llu", (unsigned long long)got, (unsigned long long)last);
      return 2;
    }
    last = got;
    sum += got;
    SAY("%llu %llu", (unsigned long long)last, (unsigned long long)sum);
    if (write_all(fd, &sum, sizeof sum) != 0) break;
  }
  SAY("netpeer served %llu %llu", (unsigned long long)last, (unsigned long long)sum);
  return 42;
}

static int client(const char* host, int port, uint64_t n) {
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  if (getaddrinfo(host, service, &hints, &res) != 0) {
    SAY("netpeer FAILED: cannot resolve %s", host);
    return 2;
  }
  int fd = -1;
  for (int attempt = 0; attempt < 250 && fd < 0; attempt++) {  // the server may be starting
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
      usleep(20 * 1000);
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    SAY("netpeer FAILED: cannot connect to %s:%d", host, port);
    return 2;
  }
  SAY("connected");
  uint64_t sum = 0, answered = 0, answer;
  for (uint64_t i = 1; i <= n; i++) {
    if (write_all(fd, &i, sizeof i) != 0) break;
    sum += i;
    // Every fourth number waits for the answers so far; the others leave them queued.
    if (i % 4 != 0 && i != n) continue;
    for (; answered < i; answered++) {
      if (read_all(fd, &answer, sizeof answer) != 0) {
        SAY("netpeer FAILED: the connection ended after %llu", (unsigned long long)answered);
        return 2;
      }
    }
    if (answer != sum) {
      SAY("netpeer FAILED: sum %llu for %llu, want %llu", (unsigned long long)answer,
          (unsigned long long)i, (unsigned long long)sum);
      return 2;
    }
    SAY("%llu %llu", (unsigned long long)i, (unsigned long long)sum);
    usleep(80 * 1000);
  }
  SAY("netpeer done %llu %llu", (unsigned long long)n, (unsigned long long)sum);
  close(fd);
  return 42;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve(atoi(argv[2]));
  if (argc == 5 && strcmp(argv[1], "connect") == 0) {
    return client(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10));
  }
  fprintf(stderr, "usage: netpeer serve PORT | netpeer connect HOST PORT N\n");
  return 2;
}
