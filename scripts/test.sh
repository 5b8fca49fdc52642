#!/usr/bin/env bash
# Runs the whole test suite: system packages, Release build, every NUnit test under a virtual display.
# Results: artifacts/test-results/results.trx. Extra arguments go to 'dotnet test' (e.g. --filter).
#   --fast   only the fast unit tests (category Fast: no training runs, no child processes), for the inner loop.
# Categories: Fast (unit), Learning (training runs), Process (child processes, packaging, display/ffmpeg);
# e.g. scripts/test.sh --filter TestCategory=Learning.
set -euo pipefail
cd "$(dirname "$0")/.."
filter=()
if [ "${1:-}" = "--fast" ]; then
  shift
  filter=(--filter TestCategory=Fast)
fi
scripts/install-system-deps.sh
scripts/build.sh
mkdir -p artifacts/test-results
rm -f artifacts/test-results/*.trx
run=(dotnet test DeepRL.sln -c Release --no-build -nologo
     --logger "trx;LogFileName=results.trx" --results-directory artifacts/test-results "${filter[@]}" "$@")
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  xvfb-run -a -s "-screen 0 1280x1024x24" "${run[@]}"
else
  "${run[@]}"
fi
