"""Writes cartpole_gymnasium_reference.csv: a 500-step balanced CartPole-v1 trajectory computed with the
formulas of Gymnasium's cartpole.py step() in their order, in Python float64 (math.cos/math.sin, as
Gymnasium does). Each double is written as its 64-bit IEEE-754 pattern in hex, so the C# test compares
bit for bit.

Regenerate with: python3 tests/DeepRL.Tests/Data/cartpole_gymnasium_reference.py
"""
import math
import os
import struct

gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
total_mass = masspole + masscart
polemass_length = masspole * length
theta_threshold_radians = 12 * 2 * math.pi / 360
x_threshold = 2.4


def step(state, action):
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta = math.cos(theta)
    sintheta = math.sin(theta)
    temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - masspole * costheta**2 / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x = x + tau * x_dot
    x_dot = x_dot + tau * xacc
    theta = theta + tau * theta_dot
    theta_dot = theta_dot + tau * thetaacc
    terminated = x < -x_threshold or x > x_threshold or theta < -theta_threshold_radians or theta > theta_threshold_radians
    return (x, x_dot, theta, theta_dot), terminated


def controller(state, t):
    # A balancing controller with a slow drift term, so the run lasts 500 steps and visits varied states.
    x, x_dot, theta, theta_dot = state
    u = theta + 0.5 * theta_dot + 0.02 * x + 0.05 * x_dot + 0.002 * math.sin(t / 17.0)
    return 1 if u > 0 else 0


def bits(v):
    return struct.pack(">d", v).hex()


state = (0.01, -0.02, 0.03, 0.04)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cartpole_gymnasium_reference.csv")
with open(out, "w") as f:
    f.write("# initial " + " ".join(bits(v) for v in state) + "\n")
    f.write("action,x,x_dot,theta,theta_dot,terminated\n")
    for t in range(500):
        a = controller(state, t)
        state, terminated = step(state, a)
        f.write(",".join([str(a)] + [bits(v) for v in state] + [str(int(terminated))]) + "\n")
        if terminated:
            raise SystemExit(f"controller failed at step {t}")
