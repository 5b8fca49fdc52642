#!/usr/bin/env bash
# Memory length: PPO with mlp, lstm and transformer policies on the T-maze (GridWorld-TMaze-v0, length=N corridor
# cells; the cue is in the first observation only). Same PPO settings for every policy (below), a fixed step budget,
# then 100 deterministic evaluation episodes of the latest checkpoint: success = the episode ended in the cued arm
# (return > 0; a wrong arm or the time limit gives a negative return). Also the training steps/s of each run.
# Observations are coordinates (row, column scaled to [0, 1], and the two cue flags: 4 values at every length), so
# walking the corridor generalizes across its cells and what varies with the length is the memory the task needs.
# Usage: tmaze-memory.sh [out dir]   (LENGTHS, SEEDS, POLICIES, STEPS, CONTEXT, NUM_STEPS, OBS override the defaults)
# Prints one line per run: length policy seed success_rate steps_per_s
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/deeprl-tmaze-memory}
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
lengths=${LENGTHS:-"5 10 20 50"}
seeds=${SEEDS:-"1 2 3"}
policies=${POLICIES:-"mlp lstm transformer"}
steps=${STEPS:-150000}
context=${CONTEXT:-64}
num_steps=${NUM_STEPS:-64}
obs=${OBS:-coords}
mkdir -p "$out"
# One set of PPO settings for all three policies: 16 envs × 64 steps (the LSTM's backpropagation through time spans
# one rollout), 64-unit torso, LSTM 64, transformer 64 wide with 2 heads, 1 block, context 64 (covers length ≤ 64).
common=(--set num_envs=16 --set num_steps="$num_steps" --set num_minibatches=2 --set update_epochs=4 --set learning_rate=0.001
        --set ent_coef=0.01 --set net_arch=64 --set lstm_hidden=64 --set context_length="$context" --set transformer_dim=64
        --set transformer_heads=2 --set transformer_layers=1 --set torch_threads=1)
for length in $lengths; do
  for policy in $policies; do
    for seed in $seeds; do
      name="L${length}-${policy}-s${seed}"
      if [ -s "$out/$name.result" ]; then cat "$out/$name.result"; continue; fi # already measured (a restarted sweep)
      rm -rf "$out/$name"
      line=$(dotnet "$bin/deeprl.dll" train --algo ppo --env GridWorld-TMaze-v0 --env-option "length=$length" --env-option "obs=$obs" --policy "$policy" \
        --seed "$seed" --steps "$steps" --out "$out" --name "$name" --eval-every 0 --final-eval-episodes 0 --eval-episodes 1 \
        --no-progress "${common[@]}" 2>"$out/$name.log" | grep -o '([0-9]* steps/s)' | grep -o '[0-9]*')
      dotnet "$bin/deeprl.dll" eval --run "$out/$name" --checkpoint latest -n 100 --seed 1000 --episodes-csv "$out/$name.csv" >/dev/null 2>&1
      success=$(awk -F, 'NR > 1 { n++; if ($2 > 0) s++ } END { printf "%.2f", s / n }' "$out/$name.csv")
      echo "$length $policy $seed $success $line" | tee "$out/$name.result"
    done
  done
done
