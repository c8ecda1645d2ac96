/*
 * format.h - the checkpoint image format, version 1. Described for people in
 * docs/image-format.md; this header is the definition. C and freestanding.
 *
 * An image is:
 *
 *   struct img_header                          fixed size, at offset 0
 *   records, each struct img_record + payload  PROCESS, THREAD..., AREA..., PLUGIN...
 *     an AREA record is followed by its data:  struct img_chunk + stored bytes, ...,
 *                                              ended by a chunk with raw_len == 0
 *   an END record (struct img_stats)
 *   struct img_footer                          last 16 bytes: file size and end magic
 *
 * Integers are in the writer's byte order; an image is only restarted on its own arch
 * (the header says which). Every part carries a checksum (img_checksum): the header
 * and each chunk header over their own bytes, each record over its header fields and
 * payload, each chunk over its uncompressed data (and a compressed one over its
 * stored bytes as well). Bytes of an area not covered by a chunk are
 * zero (pages that held only zeros are never stored).
 */
#ifndef CORE_IMAGE_FORMAT_H
#define CORE_IMAGE_FORMAT_H

#include <stdint.h>

#define IMG_MAGIC "DMTCP-NG"      /* 8 bytes, no terminator */
#define IMG_END_MAGIC "NG-END\r\n" /* 8 bytes, no terminator */
#define IMG_FORMAT_VERSION 2 /* 2: img_area.file_check, IMG_AREA_FILE_PAGES */
#define IMG_CHUNK_MAX (1u << 20) /* raw bytes per chunk */
#define IMG_NAME_MAX 64
#define IMG_PATH_MAX 4096

enum img_codec {
  IMG_CODEC_NONE = 0,
  IMG_CODEC_DEFLATE = 1, /* zlib raw deflate, what gzip uses; "gzip" to users */
};

struct img_header {
  char magic[8];
  uint32_t format_version;
  uint32_t header_size; /* sizeof(struct img_header) when written */
  uint32_t arch;        /* enum arch_id (arch/arch.h) */
  uint32_t page_size;
  uint32_t codec;       /* enum img_codec chosen for data; chunks may be stored raw */
  uint32_t flags;
  uint64_t pid;         /* process id at checkpoint */
  uint64_t ppid;
  int64_t time_sec;     /* wall-clock time of the checkpoint */
  uint64_t ckpt_number; /* the coordinator's checkpoint count */
  uint64_t restart_block; /* address of the runtime's struct restart_block */
  char prog[IMG_NAME_MAX]; /* program name, for messages and file names */
  char uniq[IMG_NAME_MAX]; /* stable id of the process: ckpt_<prog>_<uniq>.dmtcp */
  char host[IMG_NAME_MAX];
  uint64_t check;       /* img_checksum of every byte above */
};

enum img_tag {
  IMG_REC_PROCESS = 1,
  IMG_REC_THREAD = 2,
  IMG_REC_AREA = 3,
  IMG_REC_PLUGIN = 4,
  IMG_REC_FAMILY = 5, /* struct img_family */
  IMG_REC_PIPE = 6,   /* struct img_pipe + the bytes in flight */
  IMG_REC_SOCKET = 7, /* struct img_socket + its receive queue */
  IMG_REC_FILE = 8,   /* struct img_file + path */
  IMG_REC_TERMINAL = 9, /* struct img_terminal + path */
  IMG_REC_ZOMBIE = 10,  /* struct img_zombie */
  IMG_REC_SYSV = 11,    /* struct img_sysv + semaphore values or queued messages */
  IMG_REC_GHOST = 12,   /* struct img_ghost + the contents of a deleted file */
  IMG_REC_MQUEUE = 13,  /* struct img_mqueue + name + queued messages */
  IMG_REC_FILE_STATE = 14, /* struct img_file_state [+ the file's contents] */
  IMG_REC_END = 15,
  IMG_REC_COMPUTATION = 16, /* struct img_computation */
  IMG_REC_CPU = 17, /* the CPU features the process may use: names, space-separated
                       (arch_cpu_features); a restart on a CPU without one is refused */
};

struct img_record {
  uint32_t tag;    /* enum img_tag */
  uint32_t reserved; /* 0 */
  uint64_t length; /* payload bytes that follow */
  uint64_t check;  /* img_record_check(tag, length, payload) */
};

/* IMG_REC_PROCESS: what the kernel needs to look the same after restart. */
struct img_process {
  uint64_t start_code, end_code, start_data, end_data;
  uint64_t start_brk, brk, start_stack;
  uint64_t arg_start, arg_end, env_start, env_end;
  uint64_t auxv[128]; /* saved auxiliary vector, as /proc/self/auxv gives it */
  uint32_t auxv_bytes;
  uint32_t n_threads;
  char exe[IMG_PATH_MAX]; /* /proc/self/exe */
  char cwd[IMG_PATH_MAX];
};

/* IMG_REC_FAMILY: where the process sits among the computation's processes. Ids are
 * the ones the program saw (kept across restarts). */
struct img_family {
  uint64_t pid, ppid, pgid, sid;
};

/* IMG_REC_COMPUTATION: the computation the process was part of at this checkpoint, so
 * that restarts on several hosts (one dmtcp_restart each) know how many processes to
 * wait for before any resumes. Images without it count only their own restart's. */
struct img_computation {
  uint64_t processes; /* processes checkpointed together, on every host */
  char compid[IMG_NAME_MAX]; /* the coordinator's computation id */
};

/* IMG_REC_ZOMBIE: a child that had exited and was not yet reaped by this process.
 * dmtcp_restart makes a child that exits the same way, so that the parent's wait
 * still finds it. */
struct img_zombie {
  uint64_t pid;        /* as the program knew it */
  int32_t wait_status; /* as waitpid() reports it */
  uint32_t reserved;   /* 0 */
};

/* IMG_REC_SYSV: a System V IPC object the process used. Objects are known by the id
 * the kernel had given them at checkpoint time (unique on the host then); every
 * process using one records it and dmtcp_restart creates it once. A shared memory
 * segment's contents are those of the process's areas mapping it (IMG_AREA_SYSV_SHM,
 * inode = id); a segment no process had attached keeps no contents (a warning at
 * checkpoint time says so). After the struct: a semaphore set's values (uint16 each),
 * or a message queue's messages in order, each an img_sysv_msg and its bytes. */
enum img_sysv_kind { IMG_SYSV_SHM = 1, IMG_SYSV_SEM = 2, IMG_SYSV_MSG = 3 };
struct img_sysv {
  uint32_t kind;     /* enum img_sysv_kind */
  int32_t id;        /* the kernel's id at checkpoint time */
  int32_t virtual_id; /* the id the program knows */
  int32_t key;       /* IPC_PRIVATE (0) or the key */
  uint32_t mode;     /* permissions, and SHM_DEST for a segment marked for removal */
  uint32_t count;    /* semaphores in the set, or messages queued */
  uint64_t size;     /* segment bytes, or the queue's byte limit (msg_qbytes) */
  uint64_t bytes;    /* payload bytes that follow */
};
struct img_sysv_msg {
  int64_t type;
  uint64_t length;
};

/* IMG_REC_PIPE: one descriptor of a pipe. Every process holding an end of the pipe
 * records its descriptors; the pipe is known by the inode it had at checkpoint time,
 * unique on the host at that moment. Processes holding the read end also record the
 * bytes in flight (copied, not consumed), identical in each since every process of the
 * computation was stopped before any copied them. dmtcp_restart recreates each pipe
 * once, refills it, and hands every process its ends at their old numbers.
 * A FIFO (a named pipe) is the same with its path, which follows the struct (before
 * the bytes in flight): dmtcp_restart opens the path to get at the pipe again. */
struct img_pipe {
  uint64_t inode;
  int32_t fd;
  uint32_t flags;    /* open flags: O_RDONLY or O_WRONLY, O_NONBLOCK, ... */
  uint32_t capacity; /* F_GETPIPE_SZ */
  uint32_t bytes;    /* bytes in flight that follow (read ends only) */
  uint32_t cloexec;
  uint32_t path_len; /* a FIFO's path, 0 for a pipe */
};

/* IMG_REC_SOCKET: one socket descriptor. Connected sockets are paired up across all
 * images by dmtcp_restart (AF_UNIX by the peer's inode, which sock_diag reports; TCP
 * by their addresses) and recreated as connected pairs, each side refilled with what
 * its receive queue held (copied with MSG_PEEK, not consumed). Listening sockets are
 * bound and listening again at their address. The receive queue follows the struct:
 * the bytes of a stream socket; for datagram sockets each message as a 32-bit length
 * and its bytes. */
struct img_socket {
  uint64_t inode;
  uint64_t peer_inode; /* AF_UNIX: the connected peer's inode, 0 if none or unknown */
  int32_t fd;
  uint32_t flags;      /* open flags (O_NONBLOCK, ...) */
  uint32_t cloexec;
  int32_t family, type, protocol;
  uint32_t listening;
  uint32_t local_len, peer_len; /* lengths of the addresses below, 0 if none */
  uint32_t bytes;      /* receive-queue bytes that follow */
  uint32_t options;    /* enum img_socket_option bits, set again on the new socket */
  uint32_t reserved;
  unsigned char local[128], peer[128]; /* struct sockaddr_storage contents */
};
enum img_socket_option {
  IMG_SOCK_V6ONLY = 1 << 0,    /* IPV6_V6ONLY: an IPv6 socket that leaves IPv4 to others */
  IMG_SOCK_REUSEADDR = 1 << 1, /* SO_REUSEADDR */
  IMG_SOCK_REUSEPORT = 1 << 2, /* SO_REUSEPORT */
  /* Set once the socket is connected and its queue refilled: */
  IMG_SOCK_NODELAY = 1 << 3,   /* TCP_NODELAY: without it a small write waits for the last
                                  one's acknowledgement, which a peer may never cause */
  IMG_SOCK_KEEPALIVE = 1 << 4, /* SO_KEEPALIVE */
  IMG_SOCK_CORK = 1 << 5,      /* TCP_CORK */
  IMG_SOCK_BROADCAST = 1 << 6, /* SO_BROADCAST */
};

/* IMG_REC_FILE: a descriptor of a file, directory or device. An open file description
 * shared by several descriptors (dup, or inherited across fork) has one offset; it is
 * reopened once by dmtcp_restart and handed to all of them. Within a process sharing
 * is known exactly (kcmp); across processes, descriptors of the same file with the same
 * flags and offset at checkpoint time are taken to share their description. */
enum img_file_kind { IMG_FILE_REGULAR = 1, IMG_FILE_DIRECTORY = 2, IMG_FILE_DEVICE = 3,
                     IMG_FILE_TERMINAL = 4 };

struct img_file {
  int32_t fd;
  uint32_t flags;   /* open flags */
  uint32_t cloexec;
  uint32_t kind;    /* enum img_file_kind */
  int64_t pos;
  uint64_t dev, inode;
  int32_t same_as;  /* a lower descriptor of this process with the same description, or -1 */
  uint32_t path_len; /* path bytes that follow */
};

/* IMG_REC_GHOST: the contents of a file that was deleted but still open (a FILE record
 * for the same descriptor comes first), up to a size limit and when no shared mapping
 * of the file holds them already. dmtcp_restart recreates it as an unlinked file in
 * the same directory (or as a memfd) with these contents. */
struct img_ghost {
  int32_t fd;
  uint32_t reserved;
  uint64_t size; /* content bytes that follow */
};

/* IMG_REC_FILE_STATE: what a regular file was at checkpoint time, after the FILE
 * record of its first descriptor in the process (an image without these records,
 * from an older writer, restarts as before). With its mode, dmtcp_restart recreates a
 * file that is gone and was open for writing (empty, at the saved offset), as DMTCP
 * does. With IMG_FILE_CONTENTS (dmtcp_launch --checkpoint-open-files) the contents
 * follow: a missing file is recreated with them, and an existing one is overwritten
 * with them only with IMG_FILE_OVERWRITE (--allow-file-overwrite). */
enum img_file_state_flags {
  IMG_FILE_CONTENTS = 1 << 0,  /* `size` bytes of contents follow */
  IMG_FILE_OVERWRITE = 1 << 1, /* they replace the file found at restart */
};

struct img_file_state {
  int32_t fd;
  uint32_t mode;  /* permission bits (st_mode & 07777) */
  uint64_t size;  /* the file's size at checkpoint */
  uint32_t flags; /* enum img_file_state_flags */
  uint32_t reserved;
};

/* IMG_REC_MQUEUE: a descriptor of a POSIX message queue (mq_open). The queue lives in
 * the kernel, outside the processes: dmtcp_restart makes it again once per inode, with
 * its name (or unnamed again if it had been unlinked), mode, limits and the messages
 * it held, and every descriptor of it is reopened with its own flags. The messages
 * follow the name, each as a little-endian u32 priority, u32 length and the bytes,
 * in the order the queue delivers them. Not kept: mq_notify registrations. */
struct img_mqueue {
  int32_t fd;
  uint32_t flags;     /* open flags: access mode, O_NONBLOCK */
  uint32_t cloexec;
  uint32_t mode;      /* permission bits */
  uint64_t inode;
  int64_t maxmsg, msgsize;
  uint32_t count;     /* messages that follow (those of the first holder are used) */
  uint32_t name_len;  /* name bytes that follow the record ("/name", maybe " (deleted)") */
  uint64_t bytes;     /* message bytes after the name */
};

/* IMG_REC_TERMINAL: a descriptor of a terminal. A pseudo-terminal whose master is held
 * in the computation (forkpty, script, terminal emulators) is created anew by
 * dmtcp_restart, with its window size, and each process gets its master and slave
 * descriptors back; a session that had its slave as controlling terminal gets it
 * again. A terminal whose master is outside (the user's) becomes the terminal
 * dmtcp_restart runs in. Terminal modes (termios) are the runtime's to put back: it
 * keeps them in its own memory. */
enum img_terminal_role {
  IMG_TTY_MASTER = 1, /* /dev/ptmx: the pseudo-terminal numbered `index` */
  IMG_TTY_SLAVE = 2,  /* /dev/pts/<index> */
  IMG_TTY_OTHER = 3,  /* /dev/tty, /dev/console, /dev/ttyS0, ...: reopened by path */
};

struct img_terminal {
  int32_t fd;
  uint32_t flags;   /* open flags */
  uint32_t cloexec;
  uint32_t role;    /* enum img_terminal_role */
  uint32_t index;   /* pseudo-terminal number (masters and slaves) */
  uint32_t is_ctty; /* the controlling terminal of this process's session */
  uint64_t foreground; /* is_ctty: its foreground process group, as the program knows it */
  uint16_t rows, cols, xpixel, ypixel; /* window size */
  uint32_t path_len; /* path bytes that follow */
  uint32_t reserved;
};

/* IMG_REC_THREAD: where each thread resumes. Everything else about a thread lives in
 * the runtime's own memory, which the image restores. */
struct img_thread {
  uint64_t tid;
  uint64_t thread_pointer;
  uint64_t context; /* address of the thread's struct arch_jmpbuf */
  uint32_t is_main; /* the thread whose tid is the pid */
  uint32_t reserved;
  char comm[16];
};

enum img_area_flags {
  IMG_AREA_SHARED = 1 << 0,      /* MAP_SHARED (else private) */
  IMG_AREA_FILE = 1 << 1,        /* backed by the file at `path` */
  IMG_AREA_GROWSDOWN = 1 << 2,   /* a stack the kernel extends downwards */
  IMG_AREA_STACK = 1 << 3,       /* [stack] */
  IMG_AREA_HEAP = 1 << 4,        /* [heap] */
  IMG_AREA_VDSO = 1 << 5,        /* [vdso]: not stored, the kernel's is moved here */
  IMG_AREA_VVAR = 1 << 6,        /* [vvar] */
  IMG_AREA_VVAR_VCLOCK = 1 << 7, /* [vvar_vclock] */
  IMG_AREA_NO_DATA = 1 << 8,     /* nothing stored: content comes from elsewhere */
  IMG_AREA_DELETED = 1 << 9,     /* the file was deleted before the checkpoint */
  IMG_AREA_SYSV_SHM = 1 << 10,   /* System V shared memory */
  IMG_AREA_FILE_PAGES = 1 << 11, /* private, read-only view of a file: only the pages the
                                  * process changed are stored, the others are the file's
                                  * own and `file_check` is their checksum */
};

/* IMG_REC_AREA payload: this struct, then path_len bytes of path (no terminator). */
struct img_area {
  uint64_t start, end;
  uint64_t file_offset;
  uint64_t dev, inode;
  uint32_t prot;  /* PROT_* */
  uint32_t flags; /* enum img_area_flags */
  uint32_t path_len;
  uint32_t reserved;
  uint64_t file_check; /* IMG_AREA_FILE_PAGES: img_checksum, chained page by page in address
                        * order, of the bytes the file holds for the pages not stored (a
                        * page past the file's end counts as zeros up to the page size) */
};

/* Area data: chunks in increasing offset order, then one with raw_len == 0. */
struct img_chunk {
  uint32_t codec;      /* enum img_codec of the stored bytes */
  uint32_t stored_len; /* bytes that follow this header */
  uint32_t raw_len;    /* bytes once decoded; 0 ends the area */
  uint32_t header_check; /* low 32 bits of img_checksum of the fields around it */
  uint64_t offset;     /* from the area's start */
  uint64_t raw_check;  /* img_checksum of the decoded bytes */
  uint64_t stored_check; /* compressed chunks: img_checksum of the stored bytes too, so
                          * that no bit of them, not even deflate's padding, goes
                          * unchecked; 0 for chunks stored raw */
};

/* IMG_REC_END payload. */
struct img_stats {
  uint64_t n_areas, n_threads, n_chunks;
  uint64_t area_bytes;   /* sum of area sizes */
  uint64_t raw_bytes;    /* bytes of memory stored */
  uint64_t stored_bytes; /* after compression */
};

struct img_footer {
  uint64_t file_size;
  char magic[8]; /* IMG_END_MAGIC */
};

/* The same layout on every arch: a 64-bit dmtcp_restart reads 32-bit images. */
#ifdef __cplusplus
#define IMG_STATIC_ASSERT static_assert
#else
#define IMG_STATIC_ASSERT _Static_assert
#endif
IMG_STATIC_ASSERT(sizeof(struct img_header) == 272, "img_header layout");
IMG_STATIC_ASSERT(sizeof(struct img_record) == 24, "img_record layout");
IMG_STATIC_ASSERT(sizeof(struct img_process) == 9312, "img_process layout");
IMG_STATIC_ASSERT(sizeof(struct img_family) == 32, "img_family layout");
IMG_STATIC_ASSERT(sizeof(struct img_zombie) == 16, "img_zombie layout");
IMG_STATIC_ASSERT(sizeof(struct img_sysv) == 40, "img_sysv layout");
IMG_STATIC_ASSERT(sizeof(struct img_sysv_msg) == 16, "img_sysv_msg layout");
IMG_STATIC_ASSERT(sizeof(struct img_pipe) == 32, "img_pipe layout");
IMG_STATIC_ASSERT(sizeof(struct img_socket) == 320, "img_socket layout");
IMG_STATIC_ASSERT(sizeof(struct img_file) == 48, "img_file layout");
IMG_STATIC_ASSERT(sizeof(struct img_ghost) == 16, "img_ghost layout");
IMG_STATIC_ASSERT(sizeof(struct img_file_state) == 24, "img_file_state layout");
IMG_STATIC_ASSERT(sizeof(struct img_mqueue) == 56, "img_mqueue layout");
IMG_STATIC_ASSERT(sizeof(struct img_terminal) == 48, "img_terminal layout");
IMG_STATIC_ASSERT(sizeof(struct img_thread) == 48, "img_thread layout");
IMG_STATIC_ASSERT(sizeof(struct img_area) == 64, "img_area layout");
IMG_STATIC_ASSERT(sizeof(struct img_chunk) == 40, "img_chunk layout");
IMG_STATIC_ASSERT(sizeof(struct img_stats) == 48, "img_stats layout");
IMG_STATIC_ASSERT(sizeof(struct img_footer) == 16, "img_footer layout");

#endif /* CORE_IMAGE_FORMAT_H */
