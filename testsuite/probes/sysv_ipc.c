// sysv_ipc GO_FILE: a parent and a child working through System V IPC objects.
//  - a private shared memory segment (marked for removal once both attached it) holds
//    a pattern and the child's running sum;
//  - a keyed set of two semaphores: 0 guards the sum, 1 stays at 5;
//  - a private message queue: the parent sends 1, 2, 3, ... (keeping a few queued,
//    types 1 to 3), the child takes them in order and adds them up;
//  - a second, keyed segment of ODD_BYTES, not a whole number of pages, that only the
//    parent attaches, with bytes of its own.
// Prints "ids shm=S sem=M msg=Q" and "ready" once the exchange runs; after GO_FILE
// exists the parent sends 0 to end, checks the sum, the pattern, the semaphore and the
// segment's state, removes the set and the queue, prints "sysv_ipc ok N" and exits 0.
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "probe_util.h"

#define SEGMENT_BYTES (1 << 20)
#define QUEUED_AHEAD 4
#define ODD_BYTES 5000

struct shared {
  volatile uint64_t sum;  // the child's, under semaphore 0
  uint64_t pattern[(SEGMENT_BYTES - 8) / 8];
};

struct message {
  long type;
  uint64_t n;
};

static int sem_id;

static void sem_change(int num, int delta) {
  struct sembuf op = {(unsigned short)num, (short)delta, 0};
  while (semop(sem_id, &op, 1) != 0) {
  }
}

static void child(int msg_id, struct shared* s) {
  uint64_t expect = 1;
  for (;;) {
    struct message m;
    if (msgrcv(msg_id, &m, sizeof m.n, 0, 0) != sizeof m.n) continue;  // EINTR
    if (m.n == 0) _exit(0);
    if (m.n != expect || m.type != (long)(1 + m.n % 3)) {
      SAY("sysv_ipc FAILED: child got message %llu (type %ld), expected %llu",
          (unsigned long long)m.n, m.type, (unsigned long long)expect);
      _exit(1);
    }
    expect++;
    sem_change(0, -1);
    s->sum += m.n;
    sem_change(0, 1);
  }
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  const int shm_id = shmget(IPC_PRIVATE, SEGMENT_BYTES, IPC_CREAT | 0600);
  const int odd_id = shmget(0x0dd00000 | (getpid() & 0xfffff), ODD_BYTES, IPC_CREAT | IPC_EXCL | 0600);
  unsigned char* odd = odd_id < 0 ? NULL : shmat(odd_id, NULL, 0);
  if (odd == NULL || odd == (void*)-1) {
    SAY("sysv_ipc FAILED: cannot create the second segment");
    return 2;
  }
  for (int i = 0; i < ODD_BYTES; i++) odd[i] = (unsigned char)(i * 7 + 1);
  sem_id = semget(0x5e000000 | (getpid() & 0xffffff), 2, IPC_CREAT | IPC_EXCL | 0600);
  const int msg_id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (shm_id < 0 || sem_id < 0 || msg_id < 0) {
    SAY("sysv_ipc FAILED: cannot create the objects");
    return 2;
  }
  SAY("ids shm=%d sem=%d msg=%d", shm_id, sem_id, msg_id);
  unsigned short initial[2] = {1, 5};
  semctl(sem_id, 0, SETALL, initial);
  struct shared* s = shmat(shm_id, NULL, 0);
  pattern_fill(s->pattern, sizeof s->pattern / 8, 17);
  s->sum = 0;
  const pid_t kid = fork();
  if (kid == 0) child(msg_id, s);
  shmctl(shm_id, IPC_RMID, NULL);  // the segment lives on while attached

  uint64_t n = 0, sent_sum = 0;
  int after_go = 0;
  for (;;) {
    struct msqid_ds q;
    if (msgctl(msg_id, IPC_STAT, &q) != 0) {
      SAY("sysv_ipc FAILED: the queue is gone");
      return 1;
    }
    if (q.msg_qnum < QUEUED_AHEAD) {
      n++;
      struct message m = {(long)(1 + n % 3), n};
      if (msgsnd(msg_id, &m, sizeof m.n, 0) != 0) {
        SAY("sysv_ipc FAILED: msgsnd %llu", (unsigned long long)n);
        return 1;
      }
      sent_sum += n;
      if (n == 100) SAY("ready");
    }
    if (n > 100 && (after_go || access(go, F_OK) == 0) && ++after_go > 200) break;
    usleep(300);
  }
  struct message end = {1, 0};
  msgsnd(msg_id, &end, sizeof end.n, 0);
  int status;
  if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    SAY("sysv_ipc FAILED: the child ended with status %#x", status);
    return 1;
  }
  if (s->sum != sent_sum) {
    SAY("sysv_ipc FAILED: the child's sum is %llu, the parent sent %llu",
        (unsigned long long)s->sum, (unsigned long long)sent_sum);
    return 1;
  }
  const size_t words = sizeof s->pattern / 8;
  const size_t bad = words - pattern_check(s->pattern, words, 17);
  struct shmid_ds ds;
  if (bad != 0 || shmctl(shm_id, IPC_STAT, &ds) != 0 || ds.shm_segsz != SEGMENT_BYTES ||
      !(ds.shm_perm.mode & SHM_DEST) || ds.shm_nattch != 1) {
    SAY("sysv_ipc FAILED: segment: pattern %s, size %zu, mode %#o, %lu attached", bad ? "broken" : "kept",
        (size_t)ds.shm_segsz, (unsigned)ds.shm_perm.mode, (unsigned long)ds.shm_nattch);
    return 1;
  }
  if (semctl(sem_id, 1, GETVAL) != 5 || semctl(sem_id, 0, GETVAL) != 1) {
    SAY("sysv_ipc FAILED: semaphores are %d and %d, expected 1 and 5", semctl(sem_id, 0, GETVAL),
        semctl(sem_id, 1, GETVAL));
    return 1;
  }
  struct shmid_ds odd_ds;
  if (shmctl(odd_id, IPC_STAT, &odd_ds) != 0 || odd_ds.shm_segsz != ODD_BYTES) {
    SAY("sysv_ipc FAILED: the second segment is gone or resized");
    return 1;
  }
  for (int i = 0; i < ODD_BYTES; i++) {
    if (odd[i] != (unsigned char)(i * 7 + 1)) {
      SAY("sysv_ipc FAILED: byte %d of the second segment is %d", i, odd[i]);
      return 1;
    }
  }
  shmdt(odd);
  shmctl(odd_id, IPC_RMID, NULL);
  semctl(sem_id, 0, IPC_RMID);
  msgctl(msg_id, IPC_RMID, NULL);
  shmdt(s);
  SAY("sysv_ipc ok %llu", (unsigned long long)n);
  return 0;
}
