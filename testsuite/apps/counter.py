"""Counts to LIMIT, one line every STEP seconds, keeping its state in Python objects
(a list, a dict and a running hash) so that a restored interpreter must have all of
them intact to finish with the right total. Exits 0 when the final check passes."""
import hashlib
import sys
import time

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 100
step = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
seen = []
squares = {}
digest = hashlib.sha256()
for i in range(1, limit + 1):
    seen.append(i)
    squares[i] = i * i
    digest.update(str(i).encode())
    print(i, flush=True)
    time.sleep(step)
expected = hashlib.sha256("".join(str(i) for i in range(1, limit + 1)).encode())
ok = seen == list(range(1, limit + 1)) and sum(squares.values()) == sum(
    i * i for i in range(1, limit + 1)) and digest.hexdigest() == expected.hexdigest()
print("python done", "ok" if ok else "CORRUPTED", flush=True)
sys.exit(0 if ok else 1)
