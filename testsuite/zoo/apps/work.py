# Python: a deterministic mix of integer arithmetic, dicts and lists over STEPS steps.
import sys, time
steps, delay = int(sys.argv[1]), float(sys.argv[2])
acc, table = 1, {}
for step in range(1, steps + 1):
    for i in range(2000):
        acc = (acc * 6364136223846793005 + i + step) % (1 << 64)
        table[acc % 997] = table.get(acc % 997, 0) + 1
    print("step %d %016x" % (step, acc), flush=True)
    time.sleep(delay)
print("RESULT %016x %d" % (acc, sum(k * v for k, v in table.items())), flush=True)
