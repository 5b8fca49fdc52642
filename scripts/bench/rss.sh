#!/usr/bin/env bash
# Resident memory of a long DQN run, sampled every 5 s: shows whether tensors leak.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-200000}
scripts/deeprl train --env CartPole-v1 --algo dqn --seed 1 --steps "$steps" --eval-every 20000 --eval-episodes 20 \
  --out /tmp/deeprl-bench-rss --no-progress >/tmp/deeprl-rss-train.log 2>&1 &
pid=$!
sleep 1
child=$(pgrep -P $pid -f deeprl.dll || echo $pid)
start=$(date +%s)
while kill -0 "$child" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$child/status 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )) s: RSS $(( rss / 1024 )) MiB"
  sleep 5
done
wait $pid || true
grep -E "^status" /tmp/deeprl-rss-train.log
