// Calling the C library's definition of a function the runtime interposes.
//
// The definition is looked up (dlsym RTLD_NEXT) at the first call, not in a
// constructor: another library's constructor may call our wrapper before ours ran.
#ifndef CORE_RUNTIME_CALL_REAL_H
#define CORE_RUNTIME_CALL_REAL_H

#include <dlfcn.h>
#include <errno.h>

#include <type_traits>

namespace rt {

template <typename Fn>
Fn Real(Fn* cache, const char* name) {
  Fn fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
  if (fn == nullptr) {
    fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
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

// Returns libc's `name` (of function pointer type `type`) called with the arguments;
// fails with ENOSYS if libc has none.
#define CALL_REAL(type, name, ...)                                     \
  static type real_##name;                                             \
  type fn = rt::Real(&real_##name, #name);                             \
  if (fn == nullptr) return rt::Failure<decltype(fn(__VA_ARGS__))>(); \
  return fn(__VA_ARGS__)

#endif  // CORE_RUNTIME_CALL_REAL_H
