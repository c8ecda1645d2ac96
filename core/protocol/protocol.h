/*
 * protocol.h - the coordinator protocol, version 1.
 *
 * Every connection to dmtcp_coordinator is a TCP stream of messages: a fixed 40-byte
 * header (struct msg_header, host byte order: client and coordinator share a host or
 * an arch family) followed by payload_len bytes of payload. Payloads are text, one
 * "key=value" per line. C and freestanding-friendly: the preload runtime speaks it
 * with raw reads and writes, without malloc.
 *
 * Who sends what:
 *   worker (a process under checkpoint control)
 *     -> MSG_HELLO_WORKER      arg0 real pid, arg1 WORKER_F_* flags, arg2 interval
 *                              request in seconds (-1: none); payload prog=, host=,
 *                              uniq= (image id), ckptdir=, image= (when restarted)
 *     <- MSG_WELCOME           arg0 client id, arg1 checkpoints taken so far, arg2
 *                              interval; payload compid= and, if the coordinator
 *                              forces one, ckptdir=
 *     <- MSG_PHASE             arg0 checkpoint number, arg1 PHASE_*, arg2 PHASE_F_*;
 *                              payload ckptdir= when the coordinator forces one;
 *                              PHASE_CHECKPOINT's processes= (how many take part)
 *     -> MSG_PHASE_DONE        arg0 checkpoint number, arg1 PHASE_*, status 0 or a
 *                              positive errno; payload image=, bytes= after CHECKPOINT,
 *                              error= on failure
 *     <- MSG_KILL              terminate now
 *     -> MSG_BARRIER           a plugin's dmtcp_global_barrier(name): payload name=
 *     <- MSG_BARRIER_RELEASE   once every worker of the computation has reached it (or
 *                              left); payload name=
 *     -> MSG_KVDB              a plugin's key-value request: arg0 KVDB_* operation;
 *                              payload db=, key=, value= (bytes in hex)
 *     <- MSG_KVDB_REPLY        status KVDB_R_*; payload value= (the value before the
 *                              request, in hex) when there was one
 *   dmtcp_command
 *     -> MSG_HELLO_COMMAND     arg0 CMD_*, arg1 argument (the interval for CMD_INTERVAL)
 *     <- MSG_COMMAND_REPLY     status DMT_COORD_*, arg0 peers, arg1 running (0/1), arg2
 *                              interval; payload: text to print (list, images, error)
 *   dmtcp_restart
 *     -> MSG_HELLO_RESTART     arg0 number of processes it is about to restore, arg1
 *                              how many the images' computation had on every host (0:
 *                              not known), payload uniqs= the images' process ids
 *                              (comma-separated); the coordinator holds the restored
 *                              workers at a barrier until every announced one and, up
 *                              to a grace time, the whole computation have joined (or
 *                              dmtcp_restart disconnects), then sends each
 *                              PHASE_RESTART_RESUME. dmtcp_restarts on several hosts
 *                              share one barrier; arg0 of the reply numbers the round,
 *                              for their keys in the name service (MSG_KVDB).
 *     <- MSG_RESTART_REPLY     DMT_COORD_SUCCESS, or DMT_COORD_ERROR_STILL_RUNNING when
 *                              a process of those images is still connected (restarting
 *                              it would make two of it)
 *
 * A checkpoint is a sequence of global barriers: the coordinator sends PHASE_SUSPEND to
 * every worker and waits for every PHASE_DONE, then PHASE_CHECKPOINT, then PHASE_RESUME
 * (or MSG_KILL after a kill-checkpoint). Workers that join mid-checkpoint wait for the
 * next one.
 */
#ifndef CORE_PROTOCOL_PROTOCOL_H
#define CORE_PROTOCOL_PROTOCOL_H

#include <stdint.h>

#define PROTO_MAGIC 0x50544d44u /* "DMTP" */
#define PROTO_VERSION 1
#define PROTO_DEFAULT_PORT 7779
#define PROTO_MAX_PAYLOAD 65536

struct msg_header {
  uint32_t magic;
  uint16_t version;
  uint16_t type;        /* enum msg_type */
  uint32_t payload_len; /* bytes that follow, at most PROTO_MAX_PAYLOAD */
  int32_t status;
  int64_t arg[3];
};

enum msg_type {
  MSG_HELLO_WORKER = 1,
  MSG_HELLO_COMMAND = 2,
  MSG_HELLO_RESTART = 3,
  MSG_WELCOME = 10,
  MSG_PHASE = 11,
  MSG_PHASE_DONE = 12,
  MSG_KILL = 13,
  MSG_BARRIER = 14,         /* worker: payload name=; waits for MSG_BARRIER_RELEASE */
  MSG_BARRIER_RELEASE = 15, /* every worker of the computation reached the barrier name= */
  MSG_KVDB = 16,            /* worker: a key-value database request */
  MSG_KVDB_REPLY = 17,      /* its answer */
  MSG_COMMAND_REPLY = 20,
  MSG_RESTART_REPLY = 21, /* to MSG_HELLO_RESTART: status DMT_COORD_SUCCESS, or a refusal
                             (payload error=) after which the coordinator hangs up */
  MSG_REFUSED = 22,       /* first and only message to a peer the coordinator does not serve
                             (admission.h): payload error=; it then ignores the peer until
                             the peer hangs up */
};

/* Key-value database operations and answers, numbered as DMTCP's kvdb.h numbers them
 * (KVDBRequest, KVDBResponse). The 64-bit operations read and write 8-byte values. */
enum kvdb_op {
  KVDB_GET = 0,
  KVDB_SET = 1,
  KVDB_INCRBY = 2,
  KVDB_AND = 3,
  KVDB_OR = 4,
  KVDB_XOR = 5,
  KVDB_MIN = 6,
  KVDB_MAX = 7,
};
enum kvdb_status {
  KVDB_R_SUCCESS = 0,
  KVDB_R_INVALID_REQUEST = 1,
  KVDB_R_DB_NOT_FOUND = 2,
  KVDB_R_KEY_NOT_FOUND = 3,
};

enum worker_flags {
  WORKER_F_RESTARTED = 1, /* restored from an image, waiting at the restart barrier */
};

enum phase {
  PHASE_SUSPEND = 1,        /* stop every user thread */
  PHASE_CHECKPOINT = 2,     /* write the image */
  PHASE_RESUME = 3,         /* let the threads run again */
  PHASE_RESTART_RESUME = 4, /* after a restore: reconnect resources, then run */
};

enum phase_flags {
  PHASE_F_KILL_AFTER = 1, /* the checkpoint will be followed by MSG_KILL, not RESUME */
};

/* Commands, named by the letter the coordinator also accepts on its stdin. */
enum command_code {
  CMD_STATUS = 's',
  CMD_LIST = 'l',
  CMD_CHECKPOINT = 'c',       /* start a checkpoint and return */
  CMD_BCHECKPOINT = 'b',      /* return when every image is written */
  CMD_KCHECKPOINT = 'K',      /* checkpoint, then kill the computation */
  CMD_INTERVAL = 'i',         /* set the checkpoint interval (arg1 seconds, 0 = off) */
  CMD_KILL = 'k',             /* kill every worker */
  CMD_QUIT = 'q',             /* kill every worker and exit the coordinator */
};

/* Reply statuses; names follow DMTCP's JSON schema (command_status). */
enum coord_status {
  DMT_COORD_SUCCESS = 0,
  DMT_COORD_NOT_RUNNING = 1,            /* no coordinator answered (client side) */
  DMT_COORD_ERROR_INVALID_COMMAND = 2,
  DMT_COORD_ERROR_NOT_RUNNING_STATE = 3, /* busy: a checkpoint or restart is under way */
  DMT_COORD_ERROR_NO_PEERS = 4,          /* nothing to checkpoint */
  DMT_COORD_ERROR_CHECKPOINT_FAILED = 5, /* a worker could not write its image */
  DMT_COORD_ERROR_STILL_RUNNING = 6,     /* a restart of processes that still run */
};

#endif /* CORE_PROTOCOL_PROTOCOL_H */
