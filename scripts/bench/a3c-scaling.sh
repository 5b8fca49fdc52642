#!/usr/bin/env bash
# A3C throughput (env steps/s of training, evaluation off) for 1, 2 and 4 workers. The worker counts are
# interleaved within each of REPEATS (default 5) rounds, so machine noise hits them alike; prints each count's
# median and the median over rounds of its speed-up against 1 worker in the same round, and the machine's ceiling
# for that speed-up (two independent 1-worker processes running at once, measured in the same round).
# Usage: a3c-scaling.sh ENV STEPS [extra train args]   e.g. a3c-scaling.sh CartPole-v1 200000
set -euo pipefail
cd "$(dirname "$0")/../.."
env=$1; steps=$2; shift 2
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
out=$(mktemp -d)
declare -A fps ratio
train() { # workers seed → steps/s
  dotnet "$bin/deeprl.dll" train --env "$env" --algo a3c --workers "$1" --seed "$2" --steps "$steps" --out "$out" \
    --eval-every 0 --final-eval-episodes 0 --eval-episodes 1 --checkpoint-every 0 --no-progress "${extra[@]}" 2>"$out/stderr-$2.log" \
    | grep -o '([0-9]* steps/s)' | grep -o '[0-9]*'
}
extra=("$@")
for repeat in $(seq 1 "${REPEATS:-5}"); do
  base=""
  # The machine's own ceiling: two independent 1-worker processes at once (no shared lock, network or GC gate).
  # Their summed throughput over one process alone bounds what any 2-thread speed-up can reach here.
  train 1 "$repeat" > "$out/a" & train 1 "$((repeat + 100))" > "$out/b"; wait
  pair=$(( $(cat "$out/a") + $(cat "$out/b") ))
  for workers in 1 2 4; do
    if f=$(train "$workers" "$repeat"); then
      fps[$workers]+="$f "
      [ "$workers" = 1 ] && base=$f && ratio[pair]+="$(awk -v a="$pair" -v b="$base" 'BEGIN { printf "%.2f", a / b }') "
      [ -n "$base" ] && ratio[$workers]+="$(awk -v a="$f" -v b="$base" 'BEGIN { printf "%.2f", a / b }') "
    else
      echo "workers=$workers round=$repeat failed:" >&2; tail -5 "$out/stderr-$repeat.log" >&2
    fi
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "$env ceiling: two 1-worker processes at once vs one alone: [${ratio[pair]% }] median=$(echo "${ratio[pair]}" | median)"
for workers in 1 2 4; do
  echo "$env workers=$workers fps=[${fps[$workers]% }] median=$(echo "${fps[$workers]}" | median) speedup_vs_1=[${ratio[$workers]% }] median_speedup=$(echo "${ratio[$workers]}" | median)"
done
rm -rf "$out"
