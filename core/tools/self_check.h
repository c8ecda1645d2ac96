// self_check.h - `dmtcp_launch --check`: each kernel and libc feature the checkpointer
// relies on, present or not, like `criu check`.
#ifndef CORE_TOOLS_SELF_CHECK_H
#define CORE_TOOLS_SELF_CHECK_H

namespace dmtcp {

// Prints one line per feature; returns false if an essential one is missing.
bool RunSelfCheck();

}  // namespace dmtcp

#endif  // CORE_TOOLS_SELF_CHECK_H
