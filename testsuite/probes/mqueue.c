// mqueue GO_FILE: POSIX message queues across a checkpoint and a restart.
//  - A named queue (maxmsg 10, msgsize 64) holds five messages of priorities 1, 5, 3,
//    5, 2, shared by a parent and its child; a second queue, unlinked, holds two
//    messages for the parent alone.
//  - After GO_FILE exists the child takes the five in the order the queue gives them
//    (5, 5, 3, 2, 1; FIFO within a priority), the parent then sends one more, which the
//    child waits for; the parent takes its two from the unlinked queue; both check
//    the queues' limits.
// Prints "queue NAME" and "ready", then "mqueue ok" at the end (exit 0).
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "probe_util.h"

static int expect(mqd_t q, const char* text, unsigned prio, const char* who) {
  char buf[64];
  unsigned got_prio = 0;
  ssize_t n = mq_receive(q, buf, sizeof buf, &got_prio);
  if (n < 0 || (size_t)n != strlen(text) || memcmp(buf, text, (size_t)n) != 0 || got_prio != prio) {
    SAY("mqueue FAILED: %s expected \"%s\" (priority %u), got %zd bytes \"%.*s\" (priority %u)", who,
        text, prio, n, n > 0 ? (int)n : 0, buf, got_prio);
    return 0;
  }
  return 1;
}

static int limits_ok(mqd_t q, const char* who) {
  struct mq_attr a;
  if (mq_getattr(q, &a) != 0 || a.mq_maxmsg != 10 || a.mq_msgsize != 64) {
    SAY("mqueue FAILED: %s sees maxmsg %ld, msgsize %ld", who, (long)a.mq_maxmsg, (long)a.mq_msgsize);
    return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  char name[64], hidden_name[64];
  snprintf(name, sizeof name, "/dmtcp-probe-%d", (int)getpid());
  snprintf(hidden_name, sizeof hidden_name, "/dmtcp-probe-hidden-%d", (int)getpid());
  struct mq_attr attr = {0, 10, 64, 0};
  mq_unlink(name);
  mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
  mqd_t hidden = mq_open(hidden_name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
  if (q < 0 || hidden < 0) {
    SAY("mqueue: cannot create queues here");
    return 2;
  }
  mq_unlink(hidden_name);
  int emptied[2];
  if (pipe(emptied) != 0) return 2;
  const struct { const char* text; unsigned prio; } sent[] = {
      {"one", 1}, {"five-a", 5}, {"three", 3}, {"five-b", 5}, {"two", 2}};
  for (int i = 0; i < 5; i++) mq_send(q, sent[i].text, strlen(sent[i].text), sent[i].prio);
  mq_send(hidden, "secret-1", 8, 0);
  mq_send(hidden, "secret-2", 8, 0);

  pid_t kid = fork();
  if (kid == 0) {
    wait_for_file(go);
    int ok = limits_ok(q, "the child");
    ok &= expect(q, "five-a", 5, "the child");
    ok &= expect(q, "five-b", 5, "the child");
    ok &= expect(q, "three", 3, "the child");
    ok &= expect(q, "two", 2, "the child");
    ok &= expect(q, "one", 1, "the child");
    if (write(emptied[1], "e", 1) != 1) ok = 0;
    ok &= expect(q, "late", 9, "the child");  // blocks until the parent sends it
    _exit(ok ? 0 : 1);
  }
  SAY("queue %s", name);
  SAY("ready");
  wait_for_file(go);
  int ok = limits_ok(hidden, "the parent");
  ok &= expect(hidden, "secret-1", 0, "the parent");
  ok &= expect(hidden, "secret-2", 0, "the parent");
  char byte;
  if (read(emptied[0], &byte, 1) != 1) ok = 0;  // the child took the five
  usleep(100 * 1000);  // and waits in mq_receive, most likely
  mq_send(q, "late", 4, 9);
  int status = 0;
  waitpid(kid, &status, 0);
  ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
  mq_unlink(name);
  SAY("%s", ok ? "mqueue ok" : "MQUEUE FAILED");
  return ok ? 0 : 1;
}
