#!/usr/bin/env bash
# Transfer learning: steps to solve a target task from scratch vs from a pre-trained run of a related, easier task
# with the same observation shape. For each pair: one source run (seed 100, trained until solved), then 3 seeds of the
# target from scratch, with every layer transferred (--init-from) and with the feature extractor only
# (--init-layers torso: fresh heads). Every target run: same PPO settings, evaluation every EVAL steps (30 episodes,
# confirmed on independent seeds), stop when solved, budget BUDGET steps.
# Usage: transfer.sh [out dir]   Prints: pair mode seed steps_to_solve (or ">BUDGET") wall_s
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/deeprl-transfer}
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
budget=${BUDGET:-100000}
eval_every=${EVAL:-2000}
seeds=${SEEDS:-"1 2 3"}
mkdir -p "$out"
deeprl() { dotnet "$bin/deeprl.dll" "$@"; }
solved_step() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); a=s.get('solved_at'); print(a['step'] if a else '>' + sys.argv[2])" "$1/summary.json" "$budget"; }
wall() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['wall_time_seconds'], 1))" "$1/summary.json"; }

# pair name | source env | target env | env option | extra train args (same for source and target)
pairs=(
  "empty-to-fourrooms|GridWorld-Empty-8x8-v0|GridWorld-FourRooms-v0|obs=coords|--algo ppo --set torch_threads=1"
  "tmaze5-to-tmaze20|GridWorld-TMaze-v0|GridWorld-TMaze-v0 --env-option length=20|obs=coords|--algo ppo --policy lstm --set num_steps=64 --set torch_threads=1"
)
for pair in "${pairs[@]}"; do
  IFS='|' read -r name source target option extra <<<"$pair"
  src="$out/$name-source"
  rm -rf "$src"
  # shellcheck disable=SC2086
  deeprl train --env $source --env-option "$option" $extra --seed 100 --steps "$budget" --out "$out" --name "$name-source" \
    --eval-every "$eval_every" --stop-when-solved --final-eval-episodes 0 --no-progress >/dev/null 2>"$src.log"
  echo "$name source 100 $(solved_step "$src") $(wall "$src")"
  for seed in $seeds; do
    for mode in scratch all torso; do
      run="$name-$mode-s$seed"
      rm -rf "$out/$run"
      transfer=()
      [ "$mode" = all ] && transfer=(--init-from "$src:best")
      [ "$mode" = torso ] && transfer=(--init-from "$src:best" --init-layers torso)
      # shellcheck disable=SC2086
      deeprl train --env $target --env-option "$option" $extra --seed "$seed" --steps "$budget" --out "$out" --name "$run" \
        --eval-every "$eval_every" --stop-when-solved --final-eval-episodes 0 --no-progress "${transfer[@]}" >/dev/null 2>"$out/$run.log"
      echo "$name $mode $seed $(solved_step "$out/$run") $(wall "$out/$run")"
    done
  done
done
