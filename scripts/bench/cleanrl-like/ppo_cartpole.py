#!/usr/bin/python3
"""PPO on CartPole-v1 in Python/PyTorch with CleanRL ppo.py's algorithm and default hyperparameters.

Why this file exists: docs/benchmarks.md compares our PPO's throughput with CleanRL's, and CleanRL itself cannot be
installed on our benchmark machines (no PyPI: Gymnasium and tyro are missing; Debian only ships PyTorch). This is
our own transcription of what CleanRL's ppo.py does, so both sides run the same algorithm with the same settings:

- 4 envs x 128 steps, Adam(lr 2.5e-4, eps 1e-5) with linear annealing, gamma 0.99, GAE lambda 0.95,
  4 minibatches x 4 epochs, advantage normalization, clip 0.2, clipped value loss, entropy 0.01, vf 0.5,
  grad norm 0.5; separate actor and critic MLPs 64-64 tanh with orthogonal init (sqrt 2; 0.01 actor head; 1 critic).
- CartPole-v1 with Gymnasium's equations (Euler, 12 degree / 2.4 limits, 500-step time limit), vectorized with
  same-step autoreset as Gymnasium 0.29's SyncVectorEnv, which CleanRL's ppo.py was written against.

What differs from running CleanRL: no Gymnasium wrapper stack (the env here is leaner than Gymnasium's, which favours
this side), no TensorBoard writes, and Debian's PyTorch 1.13 instead of CleanRL's pinned 2.x.

Prints one line: "steps=N seconds=S sps=R last20=M" (seconds of the training loop, as CleanRL's SPS counts it;
last20 = mean return of the last 20 finished training episodes).
"""
import math
import time

import numpy as np
import torch
import torch.nn as nn
from torch.distributions.categorical import Categorical

from cartpole import CartPoleVec
from common import report, setup


def layer(inputs, outputs, std=math.sqrt(2)):
    linear = nn.Linear(inputs, outputs)
    nn.init.orthogonal_(linear.weight, std)
    nn.init.constant_(linear.bias, 0.0)
    return linear


class Agent(nn.Module):
    def __init__(self):
        super().__init__()
        self.critic = nn.Sequential(layer(4, 64), nn.Tanh(), layer(64, 64), nn.Tanh(), layer(64, 1, 1.0))
        self.actor = nn.Sequential(layer(4, 64), nn.Tanh(), layer(64, 64), nn.Tanh(), layer(64, 2, 0.01))

    def value(self, x):
        return self.critic(x)

    def action_and_value(self, x, action=None):
        dist = Categorical(logits=self.actor(x))
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action), dist.entropy(), self.critic(x)


def main():
    a = setup()
    num_envs, num_steps, minibatches, epochs = 4, 128, 4, 4
    lr, gamma, lam, clip, ent, vf, max_norm = 2.5e-4, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5
    batch = num_envs * num_steps
    minibatch = batch // minibatches
    iterations = a.total_timesteps // batch

    envs = CartPoleVec(num_envs, a.seed)
    agent = Agent()
    optimizer = torch.optim.Adam(agent.parameters(), lr=lr, eps=1e-5)

    obs = torch.zeros((num_steps, num_envs, 4))
    actions = torch.zeros((num_steps, num_envs))
    logprobs = torch.zeros((num_steps, num_envs))
    rewards = torch.zeros((num_steps, num_envs))
    dones = torch.zeros((num_steps, num_envs))
    values = torch.zeros((num_steps, num_envs))

    global_step = 0
    start = time.time()
    next_obs = torch.Tensor(envs.reset())
    next_done = torch.zeros(num_envs)
    for iteration in range(1, iterations + 1):
        optimizer.param_groups[0]["lr"] = (1.0 - (iteration - 1.0) / iterations) * lr

        for step in range(num_steps):
            global_step += num_envs
            obs[step] = next_obs
            dones[step] = next_done
            with torch.no_grad():
                action, logprob, _, value = agent.action_and_value(next_obs)
                values[step] = value.flatten()
            actions[step] = action
            logprobs[step] = logprob
            o, r, terminated, truncated, _ = envs.step(action.cpu().numpy())
            rewards[step] = torch.tensor(r).view(-1)
            next_obs, next_done = torch.Tensor(o), torch.Tensor(np.logical_or(terminated, truncated))

        with torch.no_grad():
            next_value = agent.value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards)
            last = 0
            for t in reversed(range(num_steps)):
                if t == num_steps - 1:
                    nonterminal, next_values = 1.0 - next_done, next_value
                else:
                    nonterminal, next_values = 1.0 - dones[t + 1], values[t + 1]
                delta = rewards[t] + gamma * next_values * nonterminal - values[t]
                advantages[t] = last = delta + gamma * lam * nonterminal * last
            returns = advantages + values

        b_obs, b_logprobs, b_actions = obs.reshape(-1, 4), logprobs.reshape(-1), actions.reshape(-1)
        b_advantages, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), values.reshape(-1)
        indices = np.arange(batch)
        for _ in range(epochs):
            np.random.shuffle(indices)
            for s in range(0, batch, minibatch):
                mb = indices[s:s + minibatch]
                _, newlogprob, entropy, newvalue = agent.action_and_value(b_obs[mb], b_actions.long()[mb])
                ratio = (newlogprob - b_logprobs[mb]).exp()
                with torch.no_grad():  # CleanRL computes these diagnostics every minibatch; so do we
                    approx_kl = ((ratio - 1) - (newlogprob - b_logprobs[mb])).mean()
                    clipfrac = ((ratio - 1.0).abs() > clip).float().mean().item()
                mb_adv = b_advantages[mb]
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                pg_loss = torch.max(-mb_adv * ratio, -mb_adv * torch.clamp(ratio, 1 - clip, 1 + clip)).mean()
                newvalue = newvalue.view(-1)
                v_unclipped = (newvalue - b_returns[mb]) ** 2
                v_clipped = b_values[mb] + torch.clamp(newvalue - b_values[mb], -clip, clip)
                v_loss = 0.5 * torch.max(v_unclipped, (v_clipped - b_returns[mb]) ** 2).mean()
                loss = pg_loss - ent * entropy.mean() + v_loss * vf
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), max_norm)
                optimizer.step()
        del approx_kl, clipfrac

    seconds = time.time() - start
    report(global_step, seconds, envs.finished)


if __name__ == "__main__":
    main()
