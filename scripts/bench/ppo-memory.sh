#!/usr/bin/env bash
# Memory tasks: LSTM-PPO vs MLP-PPO on CartPole-Masked-v1 (velocities hidden) and the T-maze.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/deeprl-bench-memory}
rm -rf "$out"
run() {
  scripts/deeprl train --algo ppo --out "$out" --eval-every 25000 --eval-episodes 100 --no-progress "$@" 2>/dev/null \
    | grep -E "^(status|best eval|final eval|solved)" | sed "s/^/$*: /"
}
run --env GridWorld-TMaze-v0 --policy lstm --seed 1
run --env GridWorld-TMaze-v0 --policy mlp --seed 1
run --env CartPole-Masked-v1 --policy lstm --seed 1
run --env CartPole-Masked-v1 --policy mlp --seed 1 --set net_arch=64,64
