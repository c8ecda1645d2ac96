// request_signal.h - a signal that asks for a checkpoint (dmtcp_launch
// --ckpt-on-signal, DMTCP_CKPT_ON_SIGNAL): what batch systems send a job before they
// end it (Slurm's `scancel --signal=USR1 --full`, `sbatch --signal`). Any process of
// the computation that gets it asks the coordinator for a checkpoint of all of them;
// the coordinator starts one and refuses the others asked meanwhile. The program does
// not see the signal: a handler it installs for it is kept aside (signals.h) and
// never runs.
#ifndef CORE_RUNTIME_REQUEST_SIGNAL_H
#define CORE_RUNTIME_REQUEST_SIGNAL_H

namespace rt {

// Installs the handler if a request signal is configured. Called once at startup; a
// restored process gets it back with its other dispositions.
void InstallCheckpointRequestSignal();

}  // namespace rt

#endif  // CORE_RUNTIME_REQUEST_SIGNAL_H
