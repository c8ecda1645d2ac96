/*
 * fault.h - named fault points, so that tests hit a failure at an exact step instead
 * of by timing. DMTCP_FAULT=POINT:N makes the N-th time this process reaches POINT
 * fail as a real error there would (the step returns -EIO); DMTCP_FAULT=POINT:N:kill
 * makes the process die there by SIGKILL, as in a crash or a power cut. One point per
 * process. The points (docs/guarantees.md lists them with their tests):
 *   image-write   each write of image bytes to the file
 *   image-fsync   the fsync of a finished image
 *   image-rename  the rename of a finished image to its final name
 * No libc, no allocation: usable in the runtime while the program is frozen.
 */
#ifndef CORE_COMMON_FAULT_H
#define CORE_COMMON_FAULT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the spec (DMTCP_FAULT's value; NULL or "" for none). */
void fault_configure(const char* spec);
/* 0 to go on, or -EIO when this hit of `point` is to fail (with :kill, no return). */
int fault_check(const char* point);

#ifdef __cplusplus
}
#endif

#endif /* CORE_COMMON_FAULT_H */
