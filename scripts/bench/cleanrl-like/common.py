"""What both CleanRL-like scripts share: their command line, seeding, and the one result line the comparison
script (scripts/bench/vs-cleanrl.sh) parses."""
import argparse
import random

import numpy as np
import torch


def setup():
    """Parses --seed, --total-timesteps and --threads, seeds Python, NumPy and torch, and sets torch's threads."""
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--total-timesteps", type=int, default=500000)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    return args


def report(steps, seconds, finished_returns):
    """Prints "steps=N seconds=S sps=R last20=M" (last20: mean return of the last 20 finished episodes)."""
    last20 = float(np.mean(finished_returns[-20:])) if finished_returns else float("nan")
    print(f"steps={steps} seconds={seconds:.2f} sps={int(steps / seconds)} last20={last20:.1f}")
