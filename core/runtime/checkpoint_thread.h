// checkpoint_thread.h - the runtime's own thread: it serves the coordinator, which
// drives every checkpoint through its barriers (suspend, checkpoint, resume).
#ifndef CORE_RUNTIME_CHECKPOINT_THREAD_H
#define CORE_RUNTIME_CHECKPOINT_THREAD_H

namespace rt {

// Starts the checkpoint thread (at startup, and in a forked child).
void StartCheckpointThread();

// dmtcp_disable_ckpt()/dmtcp_enable_ckpt(): a checkpoint waits while disabled.
void DisableCheckpoints();
void EnableCheckpoints();

// Number of restarts this process has been through (for dmtcp_checkpoint()), and of
// images it has written (dmtcp_get_local_status()).
extern int g_restart_count;
extern int g_checkpoint_count;

// Whether the threads are stopped for a checkpoint now.
bool CheckpointInProgress();

// Whether the caller is the checkpoint thread (plugins' event hooks run on it).
bool OnCheckpointThread();

// Called by the checkpoint thread when it starts, and again once restarted: its kernel
// id changes where the restart could not keep the old one (no clone3 set_tid: not
// root, or under QEMU).
void NoteCheckpointThreadId();

}  // namespace rt

#endif  // CORE_RUNTIME_CHECKPOINT_THREAD_H
