#!/usr/bin/env bash
# A3C throughput (env steps/s of training, evaluation off) for 1, 2 and 4 workers. The worker counts are
# interleaved within each of REPEATS (default 5) rounds, so machine noise hits them alike; prints each count's
# median and the median over rounds of its speed-up against 1 worker in the same round.
# Usage: a3c-scaling.sh ENV STEPS [extra train args]   e.g. a3c-scaling.sh CartPole-v1 200000
set -euo pipefail
cd "$(dirname "$0")/../.."
env=$1; steps=$2; shift 2
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
out=$(mktemp -d)
declare -A fps ratio
for repeat in $(seq 1 "${REPEATS:-5}"); do
  base=""
  for workers in 1 2 4; do
    if f=$(dotnet "$bin/deeprl.dll" train --env "$env" --algo a3c --workers "$workers" --seed "$repeat" --steps "$steps" --out "$out" \
        --eval-every 0 --final-eval-episodes 0 --eval-episodes 1 --checkpoint-every 0 --no-progress "$@" 2>"$out/stderr.log" \
        | grep -o '([0-9]* steps/s)' | grep -o '[0-9]*'); then
      fps[$workers]+="$f "
      [ "$workers" = 1 ] && base=$f
      [ -n "$base" ] && ratio[$workers]+="$(awk -v a="$f" -v b="$base" 'BEGIN { printf "%.2f", a / b }') "
    else
      echo "workers=$workers round=$repeat failed:" >&2; tail -5 "$out/stderr.log" >&2
    fi
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for workers in 1 2 4; do
  echo "$env workers=$workers fps=[${fps[$workers]% }] median=$(echo "${fps[$workers]}" | median) speedup_vs_1=[${ratio[$workers]% }] median_speedup=$(echo "${ratio[$workers]}" | median)"
done
rm -rf "$out"
