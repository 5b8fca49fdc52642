#!/usr/bin/env bash
# MinAtar learning runs (5M frames each, the paper's budget). Usage: minatar-learning.sh ALGO GAME [extra train args]
# DEEPRL_BIN may point to a private copy of the build output so rebuilding the repo can't disturb a long run.
set -euo pipefail
cd "$(dirname "$0")/../.."
algo=$1; game=$2; shift 2
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
dotnet "$bin/deeprl.dll" train --env "MinAtar/$game-v1" --algo "$algo" --seed 1 --out "${OUT:-runs}" \
  --eval-every 250000 --eval-episodes 20 --checkpoint-every 250000 --no-progress "$@"
