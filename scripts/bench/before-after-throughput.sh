#!/usr/bin/env bash
# Interleaved training throughput of two builds (e.g. before and after a change), same commands, medians by hand:
#   git worktree add /tmp/old <rev> && (cd /tmp/old && dotnet build DeepRL.sln -c Release)
#   scripts/bench/before-after-throughput.sh /tmp/old/src/Cli/bin/Release/net10.0/linux-x64/deeprl.dll \
#                                             src/Cli/bin/Release/net10.0/linux-x64/deeprl.dll [rounds]
# Prints "round build job train_fps" lines: PPO CartPole-v1 (30k steps) and DQN MinAtar/Breakout-v1 (20k steps).
set -u
before=$1 after=$2 rounds=${3:-3}
out=$(mktemp -d)
for round in $(seq "$rounds"); do
  for which in before after; do
    dll=$before; [ "$which" = after ] && dll=$after
    for job in ppo dqn; do
      if [ "$job" = ppo ]; then args=(--env CartPole-v1 --algo ppo --steps 30000); else args=(--env MinAtar/Breakout-v1 --algo dqn --steps 20000); fi
      dotnet "$dll" train "${args[@]}" --seed 1 --eval-every 0 --final-eval-episodes 0 --checkpoint-every 0 --no-progress \
        --out "$out/$which-$job-$round" > /dev/null 2>&1
      fps=$(grep -o '"train_fps": *[0-9.]*' "$out/$which-$job-$round"/*/summary.json | grep -o '[0-9.]*$')
      echo "$round $which $job $fps"
    done
  done
done
rm -rf "$out"
