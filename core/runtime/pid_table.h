// pid_table.h - process and thread ids as the program knows them.
//
// A restored process may not get its old pid back (the kernel lets only privileged
// restarters ask for one, and the old one may be taken), nor its threads their tids.
// The program keeps using the ids it knew: the "virtual" ids. The table maps them to
// the kernel's ("real") ids; ids not in it are the same in both worlds (every process
// and thread started after the last restart). The wrappers in pid_wrappers.cc
// translate at the boundary between the program and the kernel.
#ifndef CORE_RUNTIME_PID_TABLE_H
#define CORE_RUNTIME_PID_TABLE_H

namespace rt {

long VirtualToReal(long id);
long RealToVirtual(long id);
// Whether any id differs between the two worlds (only after a restart).
bool AnyIdTranslated();

// This process's pid as the program knows it.
long VirtualPid();
void SetVirtualPid(long vpid);

// After a restart: the coordinator's "V:R,V:R,..." list for every process of the
// computation, and this process's own threads (virtual, real) pairs.
void LoadProcessIds(const char* list);
void AddThreadId(long virtual_tid, long real_tid);
void ClearIds();

}  // namespace rt

#endif  // CORE_RUNTIME_PID_TABLE_H
