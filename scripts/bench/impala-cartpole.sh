#!/usr/bin/env bash
# IMPALA on CartPole-v1 with its defaults (500k steps, 2 actor threads): for SEEDS (default 1..5) the final evaluation
# of the last weights and of the best checkpoint, both on the same 100 fresh deterministic episodes.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
out=$(mktemp -d)
for seed in ${SEEDS:-1 2 3 4 5}; do
  dotnet "$bin/deeprl.dll" train --env CartPole-v1 --algo impala --seed "$seed" --out "$out" --name "s$seed" --no-progress "$@" >"$out/s$seed.log" 2>&1
  python3 - "$out/s$seed/summary.json" "$seed" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); st = s["algorithm_statistics"]
best = s.get("best_final_eval") or s["final_eval"]
print(f"seed {sys.argv[2]}: latest {s['final_eval']['mean_return']:.1f}, best checkpoint {best['mean_return']:.1f} (step {best['step']}), "
      f"{s['train_fps']:.0f} steps/s, lag mean {st['policy_lag_mean']:.2f} p95 {st['policy_lag_p95']:.0f} max {st['policy_lag_max']:.0f}, "
      f"RSS {st['rss_mb_first']:.0f} → {st['rss_mb_last']:.0f} MB (max {st['rss_mb_max']:.0f})")
PY
done
rm -rf "$out"
