// wrappers.h - how the runtime wraps a C library function, the one way for every file.
//
// A wrapper is an exported definition of the function (EXPORT), which does its part
// and then calls the next definition: the C library's, or the next preloaded
// library's. exports.lds, the list of what libdmtcp.so exports, is made from the
// EXPORT lines of the sources (gen_exports.sh): everything else stays hidden.
//
// The next definition is found with dlsym(RTLD_NEXT):
//  - CALL_REAL, or rt::Real with a cache, at the first call: another library's
//    constructor may call our wrapper before our constructors ran;
//  - rt::Next in one of our constructors, for wrappers that must not call dlsym when
//    they run (a vfork child shares its parent's loader state: exec, fork).
// Plugins written against the public dmtcp.h use NEXT_FNC, which comes here too
// (dmtcp_dlsym in plugin_api.cc).
#ifndef CORE_RUNTIME_WRAPPERS_H
#define CORE_RUNTIME_WRAPPERS_H

#include <dlfcn.h>
#include <errno.h>

#include <type_traits>

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace rt {

// The next definition of `name`, found now.
template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// The next definition of `name`, found once and kept in `*cache`.
template <typename Fn>
Fn Real(Fn* cache, const char* name) {
  Fn fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
  if (fn == nullptr) {
    fn = Next<Fn>(name);
    __atomic_store_n(cache, fn, __ATOMIC_RELEASE);
  }
  return fn;
}

// The failure value of a call returning T: -1, or a null pointer (errno ENOSYS).
template <typename T>
T Failure() {
  errno = ENOSYS;
  if constexpr (std::is_pointer_v<T>) {
    return nullptr;
  } else {
    return -1;
  }
}

}  // namespace rt

// Returns the next definition of `name` (of function pointer type `type`) called with
// the arguments; fails with ENOSYS if there is none.
#define CALL_REAL(type, name, ...)                                     \
  static type real_##name;                                             \
  type fn = rt::Real(&real_##name, #name);                             \
  if (fn == nullptr) return rt::Failure<decltype(fn(__VA_ARGS__))>(); \
  return fn(__VA_ARGS__)

#endif  // CORE_RUNTIME_WRAPPERS_H
