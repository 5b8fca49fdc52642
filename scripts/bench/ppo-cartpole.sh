#!/usr/bin/env bash
# PPO on CartPole-v1, seeds 1-5: steps and wall-clock time until the 100-episode deterministic
# evaluation mean reaches 475 (evaluated every 5k steps, budget 100k steps).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/deeprl-bench-ppo}
rm -rf "$out"
for seed in 1 2 3 4 5; do
  start=$(date +%s.%N)
  scripts/deeprl train --env CartPole-v1 --algo ppo --seed "$seed" --out "$out" --eval-every 5000 --eval-episodes 100 \
    --stop-when-solved --no-progress 2>/dev/null | grep -E "^(status|solved)" | sed "s/^/seed $seed: /"
  echo "seed $seed: launch to exit $(echo "$(date +%s.%N) - $start" | bc) s"
done
