"""CartPole-v1 for the CleanRL-like scripts: Gymnasium's equations (Euler integration, 12 degree / 2.4 limits,
500-step time limit), N envs stepped in a Python loop with same-step autoreset, like Gymnasium 0.29's
SyncVectorEnv that CleanRL was written against. Leaner than Gymnasium's wrapper stack, which favours the Python side
of the comparison."""
import math

import numpy as np


class CartPoleVec:
    """N CartPole-v1 envs stepped in a Python loop, like Gymnasium's SyncVectorEnv."""

    def __init__(self, n, seed):
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.state = np.zeros((n, 4), dtype=np.float64)
        self.steps = np.zeros(n, dtype=np.int64)
        self.returns = np.zeros(n, dtype=np.float64)
        self.obs = np.zeros((n, 4), dtype=np.float32)
        self.finished = []  # returns of finished episodes

    def _reset_one(self, i):
        self.state[i] = self.rng.uniform(-0.05, 0.05, size=4)
        self.steps[i] = 0
        self.returns[i] = 0.0

    def reset(self):
        for i in range(self.n):
            self._reset_one(i)
        self.obs[:] = self.state
        return self.obs.copy()

    def step(self, actions):
        """Returns (obs, rewards, terminated, truncated, final_obs): final_obs holds the last observation of each
        episode that ended in this step (obs already holds the next episode's first one)."""
        rewards = np.ones(self.n, dtype=np.float32)
        terminated = np.zeros(self.n, dtype=np.float32)
        truncated = np.zeros(self.n, dtype=np.float32)
        final_obs = self.obs  # no copy unless an episode ends
        for i in range(self.n):
            x, x_dot, theta, theta_dot = self.state[i]
            force = 10.0 if actions[i] == 1 else -10.0
            cos, sin = math.cos(theta), math.sin(theta)
            temp = (force + 0.05 * theta_dot * theta_dot * sin) / 1.1
            theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos * cos / 1.1))
            x_acc = temp - 0.05 * theta_acc * cos / 1.1
            x, x_dot = x + 0.02 * x_dot, x_dot + 0.02 * x_acc
            theta, theta_dot = theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc
            self.state[i] = (x, x_dot, theta, theta_dot)
            self.steps[i] += 1
            self.returns[i] += 1.0
            if x < -2.4 or x > 2.4 or theta < -0.20943951 or theta > 0.20943951:
                terminated[i] = 1.0
            elif self.steps[i] >= 500:
                truncated[i] = 1.0
            if terminated[i] or truncated[i]:
                if final_obs is self.obs:
                    final_obs = self.state.astype(np.float32)
                final_obs[i] = self.state[i]
                self.finished.append(self.returns[i])
                self._reset_one(i)
        self.obs[:] = self.state
        return self.obs.copy(), rewards, terminated, truncated, final_obs
