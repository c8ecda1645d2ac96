// MPI: 4 ranks pass a token around a ring, exchange halves of their state with both
// neighbours and agree on a checksum with MPI_Allreduce every step. Only rank 0
// prints; the output depends on every message of every step arriving exactly once.
// Built twice, against MPICH's and Open MPI's mpi.h (their ABIs differ).
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { kWords = 4096 };

static uint64_t Mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  const int steps = argc > 1 ? atoi(argv[1]) : 40;
  const int delay_ms = argc > 2 ? atoi(argv[2]) : 50;
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int right = (rank + 1) % size, left = (rank + size - 1) % size;

  static uint64_t state[kWords], from_left[kWords / 2];
  for (int i = 0; i < kWords; i++) state[i] = Mix((uint64_t)rank << 32 | (uint64_t)i);
  uint64_t token = 1;
  for (int step = 1; step <= steps; step++) {
    // The token goes once around the ring, each rank folding in its state.
    if (rank != 0) MPI_Recv(&token, 1, MPI_UINT64_T, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    token = Mix(token ^ state[step % kWords] ^ (uint64_t)rank);
    MPI_Send(&token, 1, MPI_UINT64_T, right, 1, MPI_COMM_WORLD);
    if (rank == 0) MPI_Recv(&token, 1, MPI_UINT64_T, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Bcast(&token, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);

    // Half of each rank's state moves one place to the right.
    MPI_Sendrecv(state, kWords / 2, MPI_UINT64_T, right, 2, from_left, kWords / 2, MPI_UINT64_T,
                 left, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    uint64_t local = 0;
    for (int i = 0; i < kWords / 2; i++) {
      state[i] = Mix(from_left[i] + token + (uint64_t)step);
      state[i + kWords / 2] ^= state[i];
      local += state[i] ^ state[i + kWords / 2];
    }
    uint64_t sum = 0;
    MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) {
      printf("step %d token %016llx sum %016llx ranks=%d\n", step, (unsigned long long)token,
             (unsigned long long)sum, size);
      fflush(stdout);
    }
    usleep(delay_ms * 1000);
  }
  if (rank == 0) printf("RESULT %016llx\n", (unsigned long long)token);
  MPI_Finalize();
  return 0;
}
