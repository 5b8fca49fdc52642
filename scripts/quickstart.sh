#!/usr/bin/env bash
# One command from a fresh clone: system packages, build, then the main job —
# train DQN on CartPole-v1 until it is solved (100-episode eval mean ≥ 475, at most 100k steps)
# and report the trained agent's mean return over 100 deterministic episodes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
scripts/build.sh
scripts/deeprl doctor
progress=()
[ -t 1 ] || progress=(--no-progress)
scripts/deeprl train --env CartPole-v1 --algo dqn --seed 1 --eval-every 5000 --eval-episodes 100 --stop-when-solved "${progress[@]}"
run=$(ls -td runs/CartPole-v1__dqn__1__* | head -1)
scripts/deeprl eval --run "$run" --checkpoint best --episodes 100 --seed 0
