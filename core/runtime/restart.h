// restart.h - the checkpoint thread's work in a restored process, after the restorer
// has put memory and threads back: re-establish what the kernel held, reconnect to
// the coordinator and wait at its restart barrier before letting the threads run.
#ifndef CORE_RUNTIME_RESTART_H
#define CORE_RUNTIME_RESTART_H

namespace rt {

void FinishRestart();

// A setting dmtcp_restart passed to this process (key=value lines), for the restart
// hooks: copies its value into `out` and returns true if present.
bool RestartSetting(const char* key, char* out, unsigned long size);

}  // namespace rt

#endif  // CORE_RUNTIME_RESTART_H
