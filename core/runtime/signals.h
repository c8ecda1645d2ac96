// signals.h - keeping the checkpoint signal ours while the application uses signals.
//
// The application must neither block the checkpoint signal (a checkpoint would wait
// forever) nor replace its handler, yet programs such as Open MPI and the JVM install
// handlers for SIGUSR2, the default checkpoint signal. So the runtime wraps
// sigaction(), signal(), sigprocmask(), pthread_sigmask() and sigsuspend(): the
// application's disposition for the checkpoint signal is kept aside and reported back
// to it, and the signal is dropped from every mask it asks to block. A checkpoint
// signal the runtime did not send is passed to that kept-aside disposition.
#ifndef CORE_RUNTIME_SIGNALS_H
#define CORE_RUNTIME_SIGNALS_H

#include <signal.h>
#include <stdint.h>

namespace rt {

// Resolves libc's functions behind our wrappers. Called once at startup.
void InitSignalWrappers();

// libc's own sigaction, bypassing the wrapper.
int RealSigaction(int sig, const struct sigaction* act, struct sigaction* old);

// Signals taken off a pending queue at a checkpoint with their siginfo, and queued
// again afterwards, so that a restart gives them back whole (a timer's value and
// overrun, a sigqueue payload), not as bare kills.
struct TakenSignals {
  static constexpr int kMax = 8;
  int count;
  siginfo_t info[kMax];
};
// Takes (up to kMax of) the signals of `mask` that are pending for the calling thread
// alone, or with `process` those pending for the whole process; a signal pending in
// both queues is left where it is.
void TakePendingSignals(uint64_t mask, bool process, TakenSignals* out);
// Whether this process runs under QEMU user mode, found at start and after a restart.
// There the emulator holds the program's pending signals and /proc describes the
// emulator's own: TakePendingSignals leaves them alone (they stay with the emulator).
void NoteEmulation();
// Queues them again, to the calling thread or to the process, and empties `taken`.
void GiveBackSignals(TakenSignals* taken, bool process);

// Every signal's kernel disposition, saved at checkpoint and put back after restart,
// with the signals pending for the whole process (given back after the image is
// written, or after a restart).
void SaveSignalDispositions();
void GiveBackProcessSignals();
void RestoreSignalDispositions();

// A signal mask line ("SigPnd:", "ShdPnd:", "SigBlk:", ...) of a /proc status file,
// as a bit per signal (bit sig-1); 0 if unreadable.
uint64_t StatusSignalMask(const char* status_path, const char* field);
// The signals pending for the calling thread alone, but the checkpoint signal.
uint64_t ThreadPendingSignals();
// Sends each signal of `mask` to the calling thread (what ThreadPendingSignals gave
// beyond the TakenSignals, after a restart: their siginfo does not come back).
void RaiseForThisThread(uint64_t mask);

void ForwardSignalToApplication(int sig, siginfo_t* info, void* ucontext);

}  // namespace rt

#endif  // CORE_RUNTIME_SIGNALS_H
