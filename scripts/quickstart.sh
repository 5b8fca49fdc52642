#!/usr/bin/env bash
# One command from a fresh clone: system packages, build, then the main job —
# evaluate a baseline agent on CartPole-v1 and print its mean return.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
scripts/build.sh
scripts/deeprl doctor
scripts/deeprl eval --env CartPole-v1 --agent random --episodes 100 --seed 0
