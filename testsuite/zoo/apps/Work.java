// Java: four worker threads, JIT-compiled loops and garbage from boxed collections.
import java.util.*;
import java.util.concurrent.*;

public class Work {
  public static void main(String[] args) throws Exception {
    int steps = Integer.parseInt(args[0]);
    long delay = Long.parseLong(args[1]);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    long acc = 1;
    for (int step = 1; step <= steps; step++) {
      final long seed = acc + step;
      List<Future<Long>> parts = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int part = t;
        parts.add(pool.submit(() -> {
          Map<Long, Long> garbage = new HashMap<>();
          long x = seed * (part + 1);
          for (int i = 0; i < 20000; i++) {
            x = x * 6364136223846793005L + i;
            garbage.merge(x & 1023, 1L, Long::sum);
          }
          return x ^ garbage.size();
        }));
      }
      for (Future<Long> f : parts) acc = acc * 31 + f.get();
      System.out.printf("step %d %016x%n", step, acc);
      Thread.sleep(delay);
    }
    pool.shutdown();
    System.out.printf("RESULT %016x%n", acc);
  }
}
