#!/usr/bin/env bash
# Training wall-clock per env step of PPO with the mlp, lstm and transformer policies (the T-maze memory benchmark's
# settings, T-maze length 20, coordinates), interleaved round by round so machine noise hits them alike. Evaluation
# and checkpoints off. Prints "round policy steps_per_s"; take medians per policy.
# Usage: policy-speed.sh [rounds] [steps]   (CONTEXT overrides the transformer's context_length, default 64)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}; steps=${2:-20000}
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
out=$(mktemp -d)
for round in $(seq "$rounds"); do
  for policy in mlp lstm transformer; do
    fps=$(dotnet "$bin/deeprl.dll" train --algo ppo --env GridWorld-TMaze-v0 --env-option length=20 --env-option obs=coords --policy "$policy" \
      --seed "$round" --steps "$steps" --out "$out" --eval-every 0 --final-eval-episodes 0 --eval-episodes 1 --checkpoint-every 0 --no-progress \
      --set num_envs=16 --set num_steps=64 --set num_minibatches=2 --set update_epochs=4 --set net_arch=64 --set lstm_hidden=64 \
      --set context_length="${CONTEXT:-64}" --set transformer_dim=64 --set torch_threads=1 2>/dev/null | grep -o '([0-9]* steps/s)' | grep -o '[0-9]*')
    echo "$round $policy $fps"
  done
done
rm -rf "$out"
