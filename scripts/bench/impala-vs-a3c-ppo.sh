#!/usr/bin/env bash
# IMPALA (1 learner + its default 2 actor threads) vs A3C (2 workers) vs PPO on one env, side by side in one sitting:
# training env steps/s (evaluation off) and the final 100-episode deterministic evaluation, all at the same budget and
# each algorithm's per-env default hyperparameters (see src/Agents/Config/Defaults). The three run one after another
# within each of ROUNDS rounds (default 1), so machine noise hits them alike; prints one line per run and the medians.
# Usage: impala-vs-a3c-ppo.sh ENV STEPS     e.g. impala-vs-a3c-ppo.sh MinAtar/Breakout-v1 1000000
set -euo pipefail
cd "$(dirname "$0")/../.."
env=$1; steps=$2
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
out=$(mktemp -d)
declare -A fps ret
run() { # algo round extra… → "steps/s final-mean"
  local algo=$1 round=$2; shift 2
  dotnet "$bin/deeprl.dll" train --env "$env" --algo "$algo" --seed "$round" --steps "$steps" --out "$out" --name "$algo-$round" \
    --eval-every 0 --final-eval-episodes 100 --checkpoint-every 0 --no-progress "$@" >"$out/$algo-$round.log" 2>&1
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(round(s['train_fps']), s['final_eval']['mean_return'])" "$out/$algo-$round/summary.json"
}
for round in $(seq 1 "${ROUNDS:-1}"); do
  for algo in impala a3c ppo; do
    extra=(); [ "$algo" = a3c ] && extra=(--workers 2)
    read -r f r < <(run "$algo" "$round" "${extra[@]}")
    fps[$algo]+="$f "; ret[$algo]+="$r "
    echo "round $round $algo: $f steps/s, final eval $r"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for algo in impala a3c ppo; do
  echo "$env $algo steps=$steps fps=[${fps[$algo]% }] median=$(echo "${fps[$algo]}" | median) final=[${ret[$algo]% }] median=$(echo "${ret[$algo]}" | median)"
done
rm -rf "$out"
