#!/usr/bin/env bash
# A2C or A3C on CartPole-v1, seeds 1-5: steps and wall-clock time until a 100-episode deterministic
# evaluation (confirmed on independent seeds) reaches 475; evaluated every 10k steps, budget 300k steps.
# Usage: ac-cartpole.sh a2c|a3c [out dir] [extra train args, e.g. --workers 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
algo=$1; out=${2:-/tmp/deeprl-bench-$1}; shift; shift || true
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
rm -rf "$out"
for seed in 1 2 3 4 5; do
  dotnet "$bin/deeprl.dll" train --env CartPole-v1 --algo "$algo" --seed "$seed" --out "$out" --eval-every 10000 --eval-episodes 100 \
    --stop-when-solved --no-progress "$@" 2>/dev/null | grep -E "^(status|solved|final eval)" | sed "s/^/seed $seed: /"
done
