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

namespace rt {

// Resolves libc's functions behind our wrappers. Called once at startup.
void InitSignalWrappers();

// libc's own sigaction, bypassing the wrapper.
int RealSigaction(int sig, const struct sigaction* act, struct sigaction* old);

// Every signal's kernel disposition, saved at checkpoint and put back after restart.
void SaveSignalDispositions();
void RestoreSignalDispositions();

void ForwardSignalToApplication(int sig, siginfo_t* info, void* ucontext);

}  // namespace rt

#endif  // CORE_RUNTIME_SIGNALS_H
