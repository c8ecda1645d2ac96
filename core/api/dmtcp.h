/*
 * dmtcp.h - the public interface for programs and plugins running under checkpoint
 * control. Source- and binary-compatible with what DMTCP's plugin API offers that
 * plugins commonly use (the same names, event numbers and structure layouts), so a
 * plugin written for DMTCP 3 or later builds against this header and loads with
 * `dmtcp_launch --with-plugin /abs/path/libplugin.so`.
 *
 * Every function is declared weak and wrapped in a macro that answers "not present"
 * when the program runs without the checkpointer: a program built with this header
 * runs unchanged outside it.
 *
 * A plugin is a shared library with a descriptor (name and event hook) declared by
 * DMTCP_DECL_PLUGIN; it wraps a libc function by defining it and calling the next
 * definition through NEXT_FNC(name). Events (DmtcpEvent_t) reach the hook in the
 * order of --with-plugin. Supported events: INIT, EXIT, ATFORK_CHILD, PRESUSPEND,
 * PRECHECKPOINT, RESUME, RESTART, RUNNING; the others are declared for source
 * compatibility and are not delivered.
 */
#ifndef DMTCP_NG_PUBLIC_DMTCP_H
#define DMTCP_NG_PUBLIC_DMTCP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#ifdef __cplusplus
#define EXTERNC extern "C"
extern "C" {
#else
#define EXTERNC
#endif

#define DMTCP_PLUGIN_API_VERSION "4"
#ifndef DMTCP_PACKAGE_VERSION
#define DMTCP_PACKAGE_VERSION "dmtcp-ng"
#endif

/* Return values of the calls below (DMTCP's numbers). */
#define DMTCP_AFTER_CHECKPOINT 1
#define DMTCP_AFTER_RESTART 2
#define DMTCP_NOT_PRESENT 3
#define DMTCP_IS_PRESENT 4

/* The numbering is DMTCP's: a plugin compiled against either header sees the same. */
typedef enum eDmtcpEvent {
  DMTCP_EVENT_INIT,           /* the plugin is loaded, before main() */
  DMTCP_EVENT_EXIT,           /* the process exits */
  DMTCP_EVENT_PRE_EXEC,
  DMTCP_EVENT_POST_EXEC,
  DMTCP_EVENT_ATFORK_PREPARE,
  DMTCP_EVENT_ATFORK_PARENT,
  DMTCP_EVENT_ATFORK_CHILD,   /* in a forked child, before fork() returns there */
  DMTCP_EVENT_ATFORK_FAILED,
  DMTCP_EVENT_VFORK_PREPARE,
  DMTCP_EVENT_VFORK_PARENT,
  DMTCP_EVENT_VFORK_CHILD,
  DMTCP_EVENT_VFORK_FAILED,
  DMTCP_EVENT_PTHREAD_START,
  DMTCP_EVENT_PTHREAD_EXIT,
  DMTCP_EVENT_PTHREAD_RETURN,
  DMTCP_EVENT_PRESUSPEND,     /* a checkpoint begins; the program's threads still run */
  DMTCP_EVENT_PRECHECKPOINT,  /* every thread is stopped; the image is written next */
  DMTCP_EVENT_RESUME,         /* the image is written; threads are still stopped */
  DMTCP_EVENT_RESTART,        /* a restored process; threads are still stopped */
  DMTCP_EVENT_RUNNING,        /* after RESUME or RESTART, the threads run again */
  DMTCP_EVENT_THREAD_RESUME,
  DMTCP_EVENT_OPEN_FD,
  DMTCP_EVENT_REOPEN_FD,
  DMTCP_EVENT_CLOSE_FD,
  DMTCP_EVENT_DUP_FD,
  DMTCP_EVENT_VIRTUAL_TO_REAL_PATH,
  DMTCP_EVENT_REAL_TO_VIRTUAL_PATH,
  nDmtcpEvents
} DmtcpEvent_t;

/* What comes with an event; for RESUME and RUNNING, resumeUserThreadInfo.isRestart. */
typedef union _DmtcpEventData_t {
  struct {
    int serializationFd;
    char *filename;
    size_t maxArgs;
    const char **argv;
    size_t maxEnv;
    const char **envp;
  } preExec;
  struct {
    int serializationFd;
  } postExec;
  struct {
    int isRestart;
  } resumeUserThreadInfo, nameserviceInfo;
  struct {
    int fd;
    const char *path;
    int flags;
    mode_t mode;
  } openFd;
  struct {
    int fd;
    const char *path;
    int flags;
  } reopenFd;
  struct {
    int fd;
  } closeFd;
  struct {
    int oldFd;
    int newFd;
  } dupFd;
  struct {
    char *path;
  } realToVirtualPath, virtualToRealPath;
} DmtcpEventData_t;

typedef void (*HookFunctionPtr_t)(DmtcpEvent_t, DmtcpEventData_t *);

typedef struct {
  const char *pluginApiVersion;
  const char *dmtcpVersion;
  const char *pluginName;
  const char *authorName;
  const char *authorEmail;
  const char *description;
  void (*event_hook)(const DmtcpEvent_t event, DmtcpEventData_t *data);
} DmtcpPluginDescriptor_t;

/* ---- for plugins ---- */

void dmtcp_register_plugin(DmtcpPluginDescriptor_t descriptor) __attribute__((weak));
void dmtcp_initialize_plugin(void) __attribute__((weak));
void dmtcp_initialize(void) __attribute__((weak));

/* dlsym(), where RTLD_NEXT means "after the library that calls", as seen from a
 * plugin (glibc's RTLD_NEXT would mean "after the checkpointer's library"). */
void *dmtcp_dlsym(void *handle, const char *symbol) __attribute__((weak));
void *dmtcp_dlvsym(void *handle, char *symbol, const char *version) __attribute__((weak));
void *dmtcp_dlsym_lib(const char *libname, const char *symbol) __attribute__((weak));

/* Each plugin library declares itself once; its dmtcp_initialize_plugin() chains to
 * the next library's, so that every plugin registers. */
#define DMTCP_DECL_PLUGIN(descriptor)                 \
  EXTERNC void dmtcp_initialize_plugin(void) {        \
    dmtcp_register_plugin(descriptor);                \
    void (*next)(void) = NEXT_FNC(dmtcp_initialize_plugin); \
    if (next != NULL) next();                         \
  }

/* The next definition of `func` after this library: a wrapper calls it. */
#define NEXT_FNC(func)                                                      \
  ({                                                                        \
    static __typeof__(&func) _real_##func = (__typeof__(&func))-1;          \
    if (_real_##func == (__typeof__(&func))-1) {                            \
      if (dmtcp_initialize) dmtcp_initialize();                             \
      _real_##func = (__typeof__(&func))dmtcp_dlsym(RTLD_NEXT, #func);      \
    }                                                                       \
    _real_##func;                                                           \
  })

#define NEXT_FNC_V(func, ver)                                                  \
  ({                                                                           \
    static __typeof__(&func) _real_##func = (__typeof__(&func))-1;             \
    if (_real_##func == (__typeof__(&func))-1) {                               \
      if (dmtcp_initialize) dmtcp_initialize();                                \
      _real_##func = (__typeof__(&func))dmtcp_dlvsym(RTLD_NEXT, (char *)#func, ver); \
    }                                                                          \
    _real_##func;                                                              \
  })

#define NEXT_FNC_LIB(lib, func)                                             \
  ({                                                                        \
    static __typeof__(&func) _real_##func = (__typeof__(&func))-1;          \
    if (_real_##func == (__typeof__(&func))-1) {                            \
      if (dmtcp_initialize) dmtcp_initialize();                             \
      _real_##func = (__typeof__(&func))dmtcp_dlsym_lib(lib, #func);        \
    }                                                                       \
    _real_##func;                                                           \
  })

/* From an event hook: wait until every process of the computation has reached the
 * barrier `name` (processes that leave meanwhile are not waited for). The local
 * barrier is a no-op here: a process's hooks run one after the other. */
void dmtcp_global_barrier(const char *name) __attribute__((weak));
void dmtcp_local_barrier(const char *name) __attribute__((weak));

/* ---- for programs and plugins ---- */

/* 1 under dmtcp_launch, 0 otherwise. */
int dmtcp_is_enabled(void) __attribute__((weak));
#define dmtcp_is_enabled() (dmtcp_is_enabled ? dmtcp_is_enabled() : 0)

/* A blocking checkpoint of the whole computation: DMTCP_AFTER_CHECKPOINT, or
 * DMTCP_AFTER_RESTART when returning in a restored process. */
int dmtcp_checkpoint(void) __attribute__((weak));
#define dmtcp_checkpoint() (dmtcp_checkpoint ? dmtcp_checkpoint() : DMTCP_NOT_PRESENT)

/* Checkpoints wait while disabled (nested calls count). */
int dmtcp_disable_ckpt(void) __attribute__((weak));
#define dmtcp_disable_ckpt() (dmtcp_disable_ckpt ? dmtcp_disable_ckpt() : DMTCP_NOT_PRESENT)
int dmtcp_enable_ckpt(void) __attribute__((weak));
#define dmtcp_enable_ckpt() (dmtcp_enable_ckpt ? dmtcp_enable_ckpt() : DMTCP_NOT_PRESENT)

/* The number of the computation's last checkpoint. */
uint32_t dmtcp_get_generation(void) __attribute__((weak));

/* How many processes the coordinator has and whether they all run. */
int dmtcp_get_coordinator_status(int *numPeers, int *isRunning) __attribute__((weak));
#define dmtcp_get_coordinator_status(p, r) \
  (dmtcp_get_coordinator_status ? dmtcp_get_coordinator_status(p, r) : DMTCP_NOT_PRESENT)

/* Images this process wrote and restarts it went through. */
int dmtcp_get_local_status(int *numCheckpoints, int *numRestarts) __attribute__((weak));
#define dmtcp_get_local_status(c, r) \
  (dmtcp_get_local_status ? dmtcp_get_local_status(c, r) : DMTCP_NOT_PRESENT)

/* 1 unless a checkpoint or restart is under way. */
int dmtcp_is_running_state(void) __attribute__((weak));

/* ---- the name service: key-value databases shared by the whole computation ----
 * A plugin publishes something of its own (an address after a restart, a rank) and
 * finds what the others published, typically SET, then dmtcp_global_barrier, then GET.
 * Sent from an event hook (where the connection to the coordinator is); elsewhere, or
 * without the checkpointer, the answer is DMTCP_KVDB_NOT_AVAILABLE. */
enum {                   /* operations, numbered as DMTCP's dmtcp::kvdb::KVDBRequest */
  DMTCP_KVDB_GET = 0,
  DMTCP_KVDB_SET = 1,
  DMTCP_KVDB_INCRBY = 2, /* the 64-bit ones combine 8-byte values; on a new key, store */
  DMTCP_KVDB_AND = 3,
  DMTCP_KVDB_OR = 4,
  DMTCP_KVDB_XOR = 5,
  DMTCP_KVDB_MIN = 6,
  DMTCP_KVDB_MAX = 7
};
enum {                   /* answers, numbered as dmtcp::kvdb::KVDBResponse */
  DMTCP_KVDB_NOT_AVAILABLE = -1,
  DMTCP_KVDB_SUCCESS = 0,
  DMTCP_KVDB_INVALID_REQUEST = 1,
  DMTCP_KVDB_DB_NOT_FOUND = 2,
  DMTCP_KVDB_KEY_NOT_FOUND = 3
};
/* `op` on `key` (key_len bytes, up to 4096) of database `db`, with `value` (up to
 * 16384 bytes; ignored by GET). The value before the request (GET: the value) goes to
 * `old`, which has room for *old_len bytes; *old_len becomes its full length (0: there
 * was none). */
int dmtcp_kvdb_request(int op, const char *db, const void *key, size_t key_len,
                       const void *value, size_t value_len, void *old,
                       size_t *old_len) __attribute__((weak));
/* The same with a text key and a 64-bit value. */
int dmtcp_kvdb_request64(int op, const char *db, const char *key, int64_t value,
                         int64_t *old) __attribute__((weak));
#define dmtcp_kvdb_request(op, db, k, kl, v, vl, o, ol) \
  (dmtcp_kvdb_request ? dmtcp_kvdb_request(op, db, k, kl, v, vl, o, ol) : DMTCP_KVDB_NOT_AVAILABLE)
#define dmtcp_kvdb_request64(op, db, k, v, o) \
  (dmtcp_kvdb_request64 ? dmtcp_kvdb_request64(op, db, k, v, o) : DMTCP_KVDB_NOT_AVAILABLE)

/* A wrapper that must not be cut in two by a checkpoint brackets its work with these:
 * checkpoints wait until the matching ENABLE (nothing to do from an event hook). */
int dmtcp_plugin_disable_ckpt(void) __attribute__((weak));
void dmtcp_plugin_enable_ckpt(void) __attribute__((weak));
#define DMTCP_PLUGIN_DISABLE_CKPT() \
  int __dmtcp_plugin_ckpt_disabled = dmtcp_plugin_disable_ckpt ? dmtcp_plugin_disable_ckpt() : 0
#define DMTCP_PLUGIN_ENABLE_CKPT() \
  do { if (__dmtcp_plugin_ckpt_disabled) dmtcp_plugin_enable_ckpt(); } while (0)

/* Ids as the program knows them (virtual, kept across restarts) and as the kernel
 * knows them now. Without the checkpointer both are the same. */
pid_t dmtcp_pid_virtual_to_real(pid_t pid) __attribute__((weak));
pid_t dmtcp_pid_real_to_virtual(pid_t pid) __attribute__((weak));
#define dmtcp_pid_virtual_to_real(p) (dmtcp_pid_virtual_to_real ? dmtcp_pid_virtual_to_real(p) : (p))
#define dmtcp_pid_real_to_virtual(p) (dmtcp_pid_real_to_virtual ? dmtcp_pid_real_to_virtual(p) : (p))

/* The signal the checkpointer uses (a program must leave it alone), the computation's
 * id, this program's path, and descriptors the runtime keeps for itself. */
int dmtcp_get_ckpt_signal(void) __attribute__((weak));
const char *dmtcp_get_computation_id_str(void) __attribute__((weak));
const char *dmtcp_get_executable_path(void) __attribute__((weak));
int dmtcp_is_protected_fd(int fd) __attribute__((weak));

/* Where the next images of this process go (DMTCP_IS_PRESENT, or -1 if unusable). */
int dmtcp_set_ckpt_dir(const char *dir) __attribute__((weak));

/* What a failed plugin or tool exits with: $DMTCP_FAIL_RC, else 99. */
#define DMTCP_FAIL_RC \
  (getenv("DMTCP_FAIL_RC") && atoi(getenv("DMTCP_FAIL_RC")) ? atoi(getenv("DMTCP_FAIL_RC")) : 99)

/* Variables that threads share across a checkpoint, kept in memory (not registers). */
#define ATOMIC_SHARED volatile __attribute__((aligned))
#define ATOMIC_SHARED_GLOBAL volatile __attribute__((aligned))

const char *dmtcp_get_ckpt_dir(void) __attribute__((weak));
const char *dmtcp_get_ckpt_filename(void) __attribute__((weak));
const char *dmtcp_get_tmpdir(void) __attribute__((weak));
const char *dmtcp_get_uniquepid_str(void) __attribute__((weak));

#ifdef __cplusplus
}
#endif

#endif /* DMTCP_NG_PUBLIC_DMTCP_H */
