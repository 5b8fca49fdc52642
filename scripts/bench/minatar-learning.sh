#!/usr/bin/env bash
# MinAtar learning runs (5M frames each, the paper's budget). Usage: minatar-learning.sh ALGO GAME [extra train args]
set -euo pipefail
cd "$(dirname "$0")/../.."
algo=$1; game=$2; shift 2
scripts/deeprl train --env "MinAtar/$game-v1" --algo "$algo" --seed 1 --out "${OUT:-runs}" \
  --eval-every 250000 --eval-episodes 20 --checkpoint-every 250000 --no-progress "$@"
