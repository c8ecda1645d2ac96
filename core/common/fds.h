/*
 * fds.h - file descriptor numbers the runtime and the restart tools agree on.
 *
 * The runtime keeps its coordinator socket at a high, fixed number so that it is the
 * same after a restart and out of the way of the application. dmtcp_restart hands
 * the restorer and the restored runtime their inputs at the numbers below.
 */
#ifndef CORE_COMMON_FDS_H
#define CORE_COMMON_FDS_H

#define FD_API 1022          /* dmtcp_checkpoint() and the status calls: a connection of
                                their own, never part of an image */
#define FD_COORD 1021        /* runtime <-> coordinator */
#define FD_RESTART_INFO 1020 /* dmtcp_restart -> restored runtime: key=value settings */
#define FD_RESTORE_PLAN 1019 /* dmtcp_restart -> restorer: the restore plan */
#define FD_RESTORE_DATA 1018 /* dmtcp_restart -> restorer: decompressed chunks, in plan order */
#define FD_RESTORE_IMAGE 1017 /* the image itself, for the restorer to read stored chunks */
/* What a restored process had on stdin, stdout and stderr waits at these numbers until
 * its runtime puts it in place, so that the restorer's own messages still go to
 * dmtcp_restart's stderr. */
#define FD_SAVED_STDIO 1014 /* 1014, 1015, 1016 for 0, 1, 2 */
#define FD_RUNTIME_LOWEST 1014

#endif /* CORE_COMMON_FDS_H */
