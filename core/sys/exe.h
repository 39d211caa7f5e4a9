/* exe: CVE-2019-5736 protection. The container init is this binary until it execs the user
 * process, so a process in the container could open /proc/<init>/exe and write through it
 * to the host binary. exe_reexec_sealed makes /proc/self/exe a sealed, read-only memfd copy
 * first (see docs/runtime.md). */
#ifndef CRBOX_SYS_EXE_H
#define CRBOX_SYS_EXE_H
#include "err.h"

/* 1 if /proc/self/exe is already safe: a memfd with all of SEAL, SHRINK, GROW, WRITE. */
int exe_is_sealed(void);
/* If exe_is_sealed() is 0: copies /proc/self/exe into a memfd, seals it (F_SEAL_EXEC where
 * the kernel has it, then SEAL|SHRINK|GROW|WRITE), mode 0511, and execveat()s it with the
 * same argv (from /proc/self/cmdline) and environment; does not return on success. Returns 0 when already sealed,
 * -1 (err set) when the copy or exec failed: callers refuse to start a container then. */
int exe_reexec_sealed(struct err *e);

#endif
