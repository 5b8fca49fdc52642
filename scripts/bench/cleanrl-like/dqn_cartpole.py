#!/usr/bin/python3
"""DQN on CartPole-v1 in Python/PyTorch with CleanRL dqn.py's algorithm and default hyperparameters.

Our own transcription, for the reason given in ppo_cartpole.py (CleanRL itself cannot be installed here). Settings:
1 env, 500k steps, Adam(lr 2.5e-4), replay of 10k transitions, batch 128, gamma 0.99, target network copied
(tau 1) every 500 steps, epsilon 1 -> 0.05 linearly over the first half of training, learning from step 10k,
one gradient step every 10 steps, MSE loss on the max target Q (no double DQN, no gradient clipping),
MLP 120-84 ReLU. Time-limit truncations bootstrap from the episode's last observation; terminations do not.

What differs from running CleanRL: the replay buffer is a plain NumPy ring (CleanRL uses SB3's, also NumPy), no
Gymnasium wrapper stack, no TensorBoard writes, Debian's PyTorch 1.13.

Prints one line: "steps=N seconds=S sps=R last20=M" like ppo_cartpole.py.
"""
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cartpole import CartPoleVec
from common import report, setup


class Replay:
    """Ring buffer of (obs, next_obs, action, reward, terminated) for one env."""

    def __init__(self, capacity, rng):
        self.capacity, self.rng, self.size, self.pos = capacity, rng, 0, 0
        self.obs = np.zeros((capacity, 4), dtype=np.float32)
        self.next_obs = np.zeros((capacity, 4), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.dones = np.zeros(capacity, dtype=np.float32)

    def add(self, obs, next_obs, action, reward, done):
        i = self.pos
        self.obs[i], self.next_obs[i], self.actions[i], self.rewards[i], self.dones[i] = obs, next_obs, action, reward, done
        self.pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, n):
        i = self.rng.integers(0, self.size, size=n)
        return (torch.from_numpy(self.obs[i]), torch.from_numpy(self.next_obs[i]), torch.from_numpy(self.actions[i]),
                torch.from_numpy(self.rewards[i]), torch.from_numpy(self.dones[i]))


def q_network():
    return nn.Sequential(nn.Linear(4, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 2))


def main():
    a = setup()
    lr, buffer_size, gamma, target_every, batch = 2.5e-4, 10000, 0.99, 500, 128
    start_e, end_e, fraction, learning_starts, train_every = 1.0, 0.05, 0.5, 10000, 10

    envs = CartPoleVec(1, a.seed)
    q = q_network()
    target = q_network()
    target.load_state_dict(q.state_dict())
    optimizer = torch.optim.Adam(q.parameters(), lr=lr)
    rb = Replay(buffer_size, np.random.default_rng(a.seed))

    start = time.time()
    obs = envs.reset()
    for global_step in range(a.total_timesteps):
        epsilon = max(end_e, start_e + (end_e - start_e) * global_step / (fraction * a.total_timesteps))
        if random.random() < epsilon:
            actions = np.array([random.randrange(2)])
        else:
            actions = torch.argmax(q(torch.Tensor(obs)), dim=1).cpu().numpy()
        next_obs, rewards, terminated, truncated, final_obs = envs.step(actions)
        # A truncated episode's transition ends at its real last observation, not the next episode's first.
        real_next = final_obs[0] if truncated[0] else next_obs[0]
        rb.add(obs[0], real_next, actions[0], rewards[0], terminated[0])
        obs = next_obs

        if global_step > learning_starts:
            if global_step % train_every == 0:
                b_obs, b_next, b_actions, b_rewards, b_dones = rb.sample(batch)
                with torch.no_grad():
                    target_max, _ = target(b_next).max(dim=1)
                    td_target = b_rewards + gamma * target_max * (1 - b_dones)
                old_val = q(b_obs).gather(1, b_actions.view(-1, 1)).squeeze()
                loss = F.mse_loss(td_target, old_val)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            if global_step % target_every == 0:
                target.load_state_dict(q.state_dict())

    seconds = time.time() - start
    report(a.total_timesteps, seconds, envs.finished)


if __name__ == "__main__":
    main()
