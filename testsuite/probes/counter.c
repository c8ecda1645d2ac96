// counter LIMIT [STEP_MS]: prints 1..LIMIT, one number per line every STEP_MS (10 ms),
// then exits with status 42. A restarted counter must continue where the image left
// it, never from 1, and still exit 42.
#include "probe_util.h"

int main(int argc, char** argv) {
  const long limit = argc > 1 ? atol(argv[1]) : 100;
  const long step_ms = argc > 2 ? atol(argv[2]) : 10;
  for (long i = 1; i <= limit; i++) {
    SAY("%ld", i);
    usleep((useconds_t)(step_ms * 1000));
  }
  return 42;
}
