# Ruby: deterministic hash and integer work over STEPS steps, with a helper thread.
steps, delay = ARGV[0].to_i, ARGV[1].to_f
$stdout.sync = true
acc, table = 1, Hash.new(0)
ticker = Thread.new { loop { sleep 0.01 } }  # a second thread the checkpoint must stop
(1..steps).each do |step|
  2000.times do |i|
    acc = (acc * 6364136223846793005 + i + step) % (1 << 64)
    table[acc % 997] += 1
  end
  printf("step %d %016x\n", step, acc)
  sleep delay
end
ticker.kill
printf("RESULT %016x %d\n", acc, table.sum { |k, v| k * v })
