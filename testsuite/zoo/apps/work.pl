# Perl: deterministic hash and string work over STEPS steps.
use strict; use warnings;
$| = 1;
my ($steps, $delay) = @ARGV;
my ($acc, %table) = (1);
for my $step (1 .. $steps) {
  for my $i (0 .. 1999) {
    $acc = ($acc * 1103515245 + $i + $step) % 2147483648;
    $table{$acc % 997}++;
  }
  printf "step %d %08x\n", $step, $acc;
  select(undef, undef, undef, $delay);
}
my $sum = 0; $sum += $_ * $table{$_} for keys %table;
printf "RESULT %08x %d\n", $acc, $sum;
