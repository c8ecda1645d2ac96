/*
 * env_names.h - every environment variable the system reads or sets, in one place.
 * Names follow DMTCP's where DMTCP has one. C, so the runtime can use it too.
 */
#ifndef CORE_COMMON_ENV_NAMES_H
#define CORE_COMMON_ENV_NAMES_H

/* User-facing (DMTCP's names). */
#define ENV_COORD_HOST "DMTCP_COORD_HOST"         /* coordinator host (default localhost) */
#define ENV_COORD_PORT "DMTCP_COORD_PORT"         /* coordinator port (default 7779) */
#define ENV_FAULT "DMTCP_FAULT"                   /* a named fault point, for tests (fault.h) */
#define ENV_CHECKPOINT_DIR "DMTCP_CHECKPOINT_DIR" /* where images go (default: cwd) */
#define ENV_GZIP "DMTCP_GZIP"                     /* "0" writes uncompressed images */
#define ENV_TMPDIR "DMTCP_TMPDIR"                 /* scratch files (default $TMPDIR, /tmp) */
#define ENV_FAIL_RC "DMTCP_FAIL_RC"               /* exit code for our own failures (99) */
#define ENV_SIGCKPT "DMTCP_SIGCKPT"               /* checkpoint signal (default SIGUSR2) */
/* A signal (number or name: USR1, SIGUSR1) that asks for a checkpoint of the whole
 * computation when any of its processes gets it (dmtcp_launch --ckpt-on-signal), as a
 * batch system's warning before it ends a job; the program no longer sees it. */
#define ENV_CKPT_ON_SIGNAL "DMTCP_CKPT_ON_SIGNAL"
#define ENV_CKPT_INTERVAL "DMTCP_CHECKPOINT_INTERVAL" /* seconds between checkpoints */
#define ENV_QUIET "DMTCP_QUIET"                   /* "1": fewer messages */
#define ENV_DEBUG "DMTCP_DEBUG"                   /* "1": runtime trace on stderr */
#define ENV_LOG_LEVEL "DMTCP_LOG_LEVEL"           /* "trace" or "3": as DMTCP_DEBUG=1 */
#define ENV_LOG_FILE "DMTCP_LOG_FILE"             /* the runtime's messages go here too */
/* "1": store the unchanged pages of programs and libraries too, so that a restart works
 * where those files differ (another machine, other versions). */
#define ENV_ALL_PAGES "DMTCP_ALL_PAGES"
/* "1": save the contents of open regular files in the image (--checkpoint-open-files),
 * and let them overwrite the files found at restart (--allow-file-overwrite). */
#define ENV_CKPT_OPEN_FILES "DMTCP_CKPT_OPEN_FILES"
#define ENV_ALLOW_OVERWRITE "DMTCP_ALLOW_OVERWRITE_WITH_CKPTED_FILES"
/* "1": each checkpoint's images go in a folder of their own, <ckptdir>/ckpt_<computation
 * id>_<checkpoint number, 5 digits>, so that earlier checkpoints are kept. */
#define ENV_UNIQUE_CKPT "DMTCP_UNIQUE_CKPT_PLUGIN"
/* "1" (dmtcp_launch --modify-env): after a restart, apply the dmtcp_env.txt found beside
 * the images (core/restart/modify_env.h). */
#define ENV_MODIFY_ENV "DMTCP_MODIFY_ENV"
/* "1" (dmtcp_launch --pathvirt): paths under a virtual prefix reach a physical one, as
 * DMTCP_PATH_MAPPING="virtual:physical[;...]" says (at launch, and dmtcp_restart's at
 * a restart). */
#define ENV_PATHVIRT "DMTCP_PATHVIRT"
#define ENV_PATH_MAPPING "DMTCP_PATH_MAPPING"
/* "1" (dmtcp_restart --no-strict-checking): restart images owned by another user. */
#define ENV_IGNORE_CPU_FEATURES "DMTCP_IGNORE_CPU_FEATURES" /* restart on a CPU lacking some */
#define ENV_CPU_FEATURES "DMTCP_CPU_FEATURES" /* check images against these, not this CPU's */
#define ENV_DISABLE_STRICT_CHECKING "DMTCP_DISABLE_STRICT_CHECKING"
/* Plugins to load (dmtcp_launch --with-plugin): absolute paths, ':'-separated. */
#define ENV_PLUGIN "DMTCP_PLUGIN"
/* Plugins not to run (dmtcp_launch --disable-plugin, --disable-all-plugins): names,
 * ','-separated, a built-in's (files, pipes, sockets, ...) or a loaded plugin's; "all"
 * stands for every built-in resource plugin. */
#define ENV_DISABLE_PLUGINS "DMTCP_DISABLE_PLUGINS"
/* Set at launch (the restarted process remembers its original environment), or for
 * dmtcp_restart (DMTCP_RESTART_PAUSE=N, N >= 1): each restored process stops with
 * SIGSTOP before it rejoins the coordinator, for a debugger to attach. */
#define ENV_RESTART_PAUSE "DMTCP_RESTART_PAUSE"
#define ENV_RESTART_PAUSE2 "DMTCP_RESTART_PAUSE2"
#define ENV_GDB_ATTACH_ON_RESTART "DMTCP_GDB_ATTACH_ON_RESTART"

/* Internal: set by dmtcp_launch for the runtime, never by users. */
#define ENV_RUNTIME_COORD_ADDR "DMTCP_INTERNAL_COORD_ADDR" /* numeric IPv4 of the coordinator */
#define ENV_RUNTIME_INTERVAL "DMTCP_INTERNAL_INTERVAL"     /* --interval passed at launch */
#define ENV_RUNTIME_SSH "DMTCP_INTERNAL_SSH"         /* dmtcp_ssh (core/runtime/remote_shell.h) */
#define ENV_RUNTIME_SOCKPAIRS "DMTCP_INTERNAL_SOCKPAIRS"   /* socketpair inodes, across exec */
#define ENV_LD_PRELOAD "LD_PRELOAD"
#define ENV_ORIG_LD_PRELOAD "DMTCP_ORIG_LD_PRELOAD" /* the user's, at launch (dmtcp_nocheckpoint) */

#endif /* CORE_COMMON_ENV_NAMES_H */
