// Counts to LIMIT on two threads that hand each number to each other through a
// queue, allocating as it goes so the JIT and the garbage collector are at work. The
// final check recomputes what the two threads built. Exits 0 when it passes.
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

public class Counter {
  public static void main(String[] args) throws Exception {
    final int limit = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    final long stepMs = args.length > 1 ? Long.parseLong(args[1]) : 10;
    final BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(4);
    final List<String> received = new ArrayList<>();
    Thread consumer = new Thread(() -> {
      try {
        for (int i = 1; i <= limit; i++) {
          int v = queue.take();
          received.add(Integer.toString(v));  // garbage for the collector
          System.out.println(v);
          System.out.flush();
        }
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    consumer.start();
    for (int i = 1; i <= limit; i++) {
      queue.put(i);
      Thread.sleep(stepMs);
    }
    consumer.join();
    boolean ok = received.size() == limit;
    for (int i = 0; ok && i < limit; i++) ok = received.get(i).equals(Integer.toString(i + 1));
    System.out.println("java done " + (ok ? "ok" : "CORRUPTED"));
    System.exit(ok ? 0 : 1);
  }
}
