#!/usr/bin/env bash
# A3C throughput (env steps/s of training, evaluation off) for 1, 2 and 4 workers, median of REPEATS (default 3) runs each.
# Usage: a3c-scaling.sh ENV STEPS [extra train args]   e.g. a3c-scaling.sh CartPole-v1 200000
set -euo pipefail
cd "$(dirname "$0")/../.."
env=$1; steps=$2; shift 2
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
out=$(mktemp -d)
for workers in 1 2 4; do
  fps=()
  for repeat in $(seq 1 "${REPEATS:-3}"); do
    if f=$(dotnet "$bin/deeprl.dll" train --env "$env" --algo a3c --workers "$workers" --seed "$repeat" --steps "$steps" --out "$out" \
        --eval-every 0 --final-eval-episodes 0 --eval-episodes 1 --checkpoint-every 0 --no-progress "$@" 2>"$out/stderr.log" \
        | grep -o '([0-9]* steps/s)' | grep -o '[0-9]*'); then
      fps+=("$f")
    else
      echo "workers=$workers seed=$repeat failed:" >&2; tail -5 "$out/stderr.log" >&2
    fi
  done
  median=$(printf '%s\n' "${fps[@]}" | sort -n | sed -n "$(( (${#fps[@]} + 1) / 2 ))p")
  echo "$env workers=$workers fps=${fps[*]} median=$median"
done
rm -rf "$out"
