#!/usr/bin/env bash
# Like-for-like throughput on CartPole-v1: our PPO or DQN against a Python/PyTorch transcription of CleanRL's ppo.py
# or dqn.py (scripts/bench/cleanrl-like/; their headers say what differs from CleanRL itself). Both sides use
# CleanRL's default hyperparameters (the --set list below mirrors them), one torch thread, a fixed budget of STEPS
# env steps and no evaluation during training. The two run alternately within each of REPEATS rounds
# (seed = round), so machine noise hits them alike. Prints per round: each side's training steps/s, whole-process
# seconds (launch to exit) and the mean return of the last 20 training episodes, then the medians and the median of
# the per-round ratios.
# Needs Debian's PyTorch for /usr/bin/python3: apt-get install python3-torch python3-numpy
# Usage: vs-cleanrl.sh ppo|dqn [STEPS]   (default 500000, CleanRL's CartPole budget for both)
set -euo pipefail
cd "$(dirname "$0")/../.."
algo=${1:?usage: vs-cleanrl.sh ppo|dqn [STEPS]}
steps=${2:-500000}
bin=${DEEPRL_BIN:-src/Cli/bin/Release/net10.0/linux-x64}
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "vs-cleanrl.sh: /usr/bin/python3 has no torch/numpy; install them with: sudo apt-get install python3-torch python3-numpy" >&2
  exit 2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
case $algo in
  ppo) set_args=(--set num_envs=4 --set num_steps=128 --set num_minibatches=4 --set update_epochs=4 --set learning_rate=0.00025
         --set anneal_lr=true --set gamma=0.99 --set gae_lambda=0.95 --set clip_coef=0.2 --set anneal_clip=false
         --set clip_vloss=true --set ent_coef=0.01 --set vf_coef=0.5 --set max_grad_norm=0.5 --set norm_adv=true
         --set net_arch=[64,64] --set shared_torso=false --set torch_threads=1) ;;
  dqn) set_args=(--set num_envs=1 --set learning_rate=0.00025 --set buffer_size=10000 --set batch_size=128 --set gamma=0.99
         --set tau=1 --set target_update_interval=500 --set exploration_initial_eps=1 --set exploration_final_eps=0.05
         --set exploration_fraction=0.5 --set learning_starts=10000 --set train_freq=10 --set gradient_steps=1
         --set loss=mse --set double_dqn=false --set max_grad_norm=0 --set net_arch=[120,84] --set torch_threads=1) ;;
  *) echo "vs-cleanrl.sh: algo must be ppo or dqn, not '$algo'" >&2; exit 2 ;;
esac
ours_sps=() ours_s=() py_sps=() py_s=() ratio=() wall_ratio=()
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for round in $(seq 1 "${REPEATS:-5}"); do
  start=$(date +%s.%N)
  line=$(dotnet "$bin/deeprl.dll" train --env CartPole-v1 --algo "$algo" --seed "$round" --steps "$steps" --out "$out/runs" \
    --eval-every 0 --final-eval-episodes 0 --checkpoint-every 0 --no-progress "${set_args[@]}" 2>"$out/stderr.log" | grep '^status:') \
    || { echo "vs-cleanrl.sh: our $algo run failed:" >&2; cat "$out/stderr.log" >&2; exit 1; }
  o_s=$(echo "$(date +%s.%N) - $start" | bc)
  o_sps=$(echo "$line" | grep -o '([0-9]* steps/s)' | grep -o '[0-9]*')
  metrics=$(ls -d "$out"/runs/*__"$round"__*/metrics.csv)
  o_last=$(awk -F, 'NR > 1 && $3 != "" { r[++n] = $3 } END { for (i = n - 19; i <= n; i++) s += r[i]; printf "%.1f", s / 20 }' "$metrics")

  start=$(date +%s.%N)
  py=$(/usr/bin/python3 scripts/bench/cleanrl-like/${algo}_cartpole.py --seed "$round" --total-timesteps "$steps" --threads 1)
  p_s=$(echo "$(date +%s.%N) - $start" | bc)
  p_sps=$(echo "$py" | grep -o 'sps=[0-9]*' | cut -d= -f2)
  p_last=$(echo "$py" | grep -o 'last20=[0-9.a-z]*' | cut -d= -f2)

  ours_sps+=("$o_sps"); py_sps+=("$p_sps"); ours_s+=("$o_s"); py_s+=("$p_s")
  ratio+=("$(awk -v a="$o_sps" -v b="$p_sps" 'BEGIN { printf "%.2f", a / b }')")
  wall_ratio+=("$(awk -v a="$p_s" -v b="$o_s" 'BEGIN { printf "%.2f", a / b }')")
  printf 'round %d: ours %s steps/s, %.1f s launch to exit, last-20 return %s | python %s steps/s, %.1f s, last-20 return %s | ratio %s (wall %s)\n' \
    "$round" "$o_sps" "$o_s" "$o_last" "$p_sps" "$p_s" "$p_last" "${ratio[-1]}" "${wall_ratio[-1]}"
done
echo "median: ours $(median "${ours_sps[@]}") steps/s ($(median "${ours_s[@]}") s), python $(median "${py_sps[@]}") steps/s ($(median "${py_s[@]}") s)"
echo "median per-round ratio: training steps/s ×$(median "${ratio[@]}"), launch-to-exit time ×$(median "${wall_ratio[@]}")"
