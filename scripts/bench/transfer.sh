#!/usr/bin/env bash
# Transfer learning: how fast a target task is learned from scratch vs from a pre-trained run of a related task with
# the same observation shape. Per pair: one source run (seed 100), then 3 seeds of the target in each mode — scratch,
# all (every layer, --init-from) and torso (the feature extractor only: --init-layers torso, fresh heads). Every
# target run of a pair uses the same settings; evaluations (30 episodes, deterministic) every EVAL steps; budget steps.
# The score is the first evaluated step whose mean return reaches the pair's target (the env's reward threshold,
# confirmed, for the T-maze; a fixed return for MinAtar, which has none), or ">budget".
# Also printed: the first evaluated step with a positive mean (T-maze: the agent reaches the arms and is right more
# often than wrong) and the mean of all evaluations of the run (how well it did along the way).
# Already finished runs in the out dir are not trained again, only reported.
# Usage: transfer.sh [out dir]
# Prints: pair mode seed steps_to_target first_positive_step mean_of_evaluations final_eval_mean wall_s
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/deeprl-transfer}
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
seeds=${SEEDS:-"1 2 3"}
mkdir -p "$out"
deeprl() { dotnet "$bin/deeprl.dll" "$@"; }
# First evaluation step whose mean return is ≥ target, from evaluations.csv (step,mean,…), else ">budget".
reached() { awk -F, -v t="$2" -v b="$3" 'NR > 1 && $2 >= t && !s { s = $1 } END { print s ? s : ">" b }' "$1/evaluations.csv"; }
curve() { awk -F, 'NR > 1 { n++; m += $2; if ($2 > 0 && !p) p = $1 } END { printf "%s %.2f", p ? p : "-", m / n }' "$1/evaluations.csv"; }
summary() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(round((s['final_eval'] or s['best_eval'])['mean_return'], 2), round(s['wall_time_seconds'], 1))" "$1/summary.json"; }

# name | source env args | target env args | train args (both) | modes | target return | budget | eval every
pairs=(
  "tmaze5-to-tmaze20|--env GridWorld-TMaze-v0 --env-option obs=coords|--env GridWorld-TMaze-v0 --env-option obs=coords --env-option length=20|--algo ppo --policy lstm --set torch_threads=1|scratch all torso|0.9|150000|5000"
  "breakout-to-asterix|--env MinAtar/Breakout-v1|--env MinAtar/Asterix-v1|--algo ppo --set torch_threads=1|scratch torso|2.0|100000|10000"
)
for pair in "${pairs[@]}"; do
  IFS='|' read -r name source target args modes goal budget every <<<"$pair"
  src="$out/$name-source"
  if [ ! -s "$src/summary.json" ]; then
    rm -rf "$src"
    # shellcheck disable=SC2086
    deeprl train $source $args --seed 100 --steps "$budget" --out "$out" --name "$name-source" --eval-every "$every" \
      --final-eval-episodes 0 --no-progress >/dev/null 2>"$src.log"
  fi
  echo "$name source 100 $(reached "$src" "$goal" "$budget") $(curve "$src") $(summary "$src")"
  for seed in $seeds; do
    for mode in $modes; do
      run="$out/$name-$mode-s$seed"
      if [ ! -s "$run/summary.json" ]; then
        rm -rf "$run"
        transfer=()
        [ "$mode" = all ] && transfer=(--init-from "$src:best")
        [ "$mode" = torso ] && transfer=(--init-from "$src:best" --init-layers torso)
        # shellcheck disable=SC2086
        deeprl train $target $args --seed "$seed" --steps "$budget" --out "$out" --name "$name-$mode-s$seed" --eval-every "$every" \
          --final-eval-episodes 30 --no-progress "${transfer[@]}" >/dev/null 2>"$run.log"
      fi
      echo "$name $mode $seed $(reached "$run" "$goal" "$budget") $(curve "$run") $(summary "$run")"
    done
  done
done
