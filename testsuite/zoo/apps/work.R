# R: deterministic vector arithmetic over STEPS steps.
args <- commandArgs(trailingOnly = TRUE)
steps <- as.integer(args[1]); delay <- as.numeric(args[2])
acc <- 1
counts <- integer(997)
for (step in 1:steps) {
  v <- ((1:2000) * 7919 + step * 104729 + acc) %% 2147483647
  acc <- sum(v %% 65521) %% 2147483647
  idx <- (v %% 997) + 1
  counts <- counts + tabulate(idx, nbins = 997)
  cat(sprintf("step %d %d\n", step, as.integer(acc)))
  flush(stdout())
  Sys.sleep(delay)
}
cat(sprintf("RESULT %d %.0f\n", as.integer(acc), sum(as.numeric(counts) * (0:996))))
