#!/usr/bin/env python3
"""Cluster benchmark on one machine, over loopback (numbers for docs/benchmarks.md).

1. Wall clock of the same grid on 2 single-slot `deeprl node` processes (plus the coordinator) vs a local
   `deeprl benchmark --parallel 2`, run alternately ROUNDS times so machine noise hits both alike; median ratio.
   The nodes are started once and serve every round, as long-lived nodes do (the first round includes their
   just-in-time compilation); each grid's coordinator is a new process, as each local grid's is.
   Also from each cluster run: artifact bytes shipped per cell (the coordinator's "Cluster traffic" line) and the
   coordinator's CPU seconds per cell (user + system, from wait4).
2. Failure detection: a one-cell grid on 2 nodes; the node that trains it is SIGKILLed once the coordinator holds a
   checkpoint; prints the seconds from the kill to "its node is gone" (Akka's failure detector + split-brain resolver,
   --down-after D) and to the resumed cell's first line on the other node.

3. With --idle: the CPU two idle nodes use over 20 s (from /proc/PID/stat) and their context switches a second
   (/proc/PID/task/*/status), as deeprl runs them (thread-pool spinning off) and with .NET's default spinning put back
   (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=70, which wins over the program's own setting).

4. With --profile: where the CPU of one grid goes: the local grid (its whole process tree, and its parent alone) and the
   same grid on two new nodes (each node's own CPU, its cells' CPU, the coordinator's; the seconds from the
   coordinator's launch to each node's first cell).

Usage: scripts/bench/cluster.py [--rounds 5] [--down-after 2,10] | --idle | --profile   (DEEPRL_BIN overrides the build folder)
"""
import argparse, os, re, resource, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("DEEPRL_BIN", os.path.join(ROOT, "src/Cli/bin/Release/net10.0/linux-x64"))
DEEPRL = ["dotnet", os.path.join(BIN, "deeprl.dll")]
GRID = ["--envs", "CartPole-v1,MinAtar/Breakout-v1", "--algos", "ppo,dqn", "--seeds", "2", "--steps", "20000",
        "--eval-every", "5000", "--eval-episodes", "5", "--checkpoint-every", "5000", "--set", "torch_threads=1", "--no-progress"]
CELLS = 8


class Proc:
    """A deeprl process whose output lines are kept with the time they arrived."""

    def __init__(self, args, env=None):
        self.lines = []
        self.p = subprocess.Popen(DEEPRL + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env=None if env is None else {**os.environ, **env})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, pattern, timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for t, line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return t, m
            if self.p.poll() is not None and not any(re.search(pattern, l) for _, l in self.lines):
                break
            time.sleep(0.05)
        sys.exit(f"no /{pattern}/ in:\n" + "\n".join(l for _, l in self.lines[-40:]))

    def wait(self):
        """Waits for the exit; returns (exit code, CPU seconds of the process itself)."""
        _, status, usage = os.wait4(self.p.pid, 0)
        self.p.returncode = os.waitstatus_to_exitcode(status)
        return self.p.returncode, usage.ru_utime + usage.ru_stime

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(60)
            except subprocess.TimeoutExpired:
                self.p.kill()


def node(name, work, join=None, down_after=2, env=None):
    args = ["node", "--listen", "127.0.0.1:0", "--slots", "1", "--work-dir", work, "--name", name, "--down-after", str(down_after)]
    if join:
        args += ["--join", join]
    n = Proc(args, env)
    n.name = name
    _, m = n.wait_for(r"node listening on (\S+) ")
    n.endpoint = m.group(1)
    return n


def local_grid(out):
    start = time.monotonic()
    r = subprocess.run(DEEPRL + ["benchmark", "--out", out, "--parallel", "2"] + GRID, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stdout + r.stderr)
    return time.monotonic() - start


def cluster_grid(nodes, out):
    """The grid on long-lived nodes (started once, before the first round); timed from the coordinator's launch."""
    start = time.monotonic()
    c = Proc(["benchmark", "--out", out, "--cluster", nodes[0].endpoint, "--down-after", "2"] + GRID)
    code, cpu = c.wait()
    wall = time.monotonic() - start
    if code != 0:
        sys.exit("\n".join(l for _, l in c.lines))
    _, m = c.wait_for(r"Cluster traffic: ([\d,]+) bytes .* received, ([\d,]+) bytes")
    shipped = int(m.group(1).replace(",", "")) + int(m.group(2).replace(",", ""))
    return wall, cpu, shipped


def failover(tmp, down_after):
    a = node("a", os.path.join(tmp, f"fa{down_after}"), down_after=down_after)
    b = node("b", os.path.join(tmp, f"fb{down_after}"), a.endpoint, down_after=down_after)
    out = os.path.join(tmp, f"failover{down_after}")
    c = Proc(["benchmark", "--out", out, "--cluster", a.endpoint, "--down-after", str(down_after), "--envs", "CartPole-v1",
              "--algos", "ppo", "--seeds", "1", "--steps", "200000", "--eval-every", "50000", "--eval-episodes", "5",
              "--checkpoint-every", "2000", "--set", "torch_threads=1", "--no-progress"])
    try:
        _, m = c.wait_for(r"(\S+): started on (a|b)")
        cell, victim = m.group(1), m.group(2)
        latest = os.path.join(out, "runs", cell, "checkpoints", "latest")
        end = time.monotonic() + 120
        while not os.path.isdir(latest) and time.monotonic() < end:
            time.sleep(0.05)
        killed_node, other = (a, b) if victim == "a" else (b, a)
        killed_node.p.kill()
        t0 = time.monotonic()
        t_gone, _ = c.wait_for(re.escape(cell) + r": its node is gone")
        t_resumed, _ = other.wait_for(re.escape(cell) + r": resuming from its checkpoint")
        return t_gone - t0, t_resumed - t0
    finally:
        c.stop()
        for n in (a, b):
            n.stop()


def cpu_seconds(pid, children=False):
    """utime + stime of the process itself, or (children=True) of the children it has reaped."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    first = 13 if children else 11
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


def profile(tmp):
    out = os.path.join(tmp, "profile-local")
    start = time.monotonic()
    local = subprocess.Popen(DEEPRL + ["benchmark", "--out", out, "--parallel", "2"] + GRID, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = 0.0
    while local.poll() is None:  # the parent's own CPU, read until it exits
        try:
            parent = cpu_seconds(local.pid)
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.05)
    wall = time.monotonic() - start
    tree = resource.getrusage(resource.RUSAGE_CHILDREN)  # this script's only finished child so far: the local grid
    print(f"local --parallel 2: {wall:.1f} s; CPU of its process tree {tree.ru_utime + tree.ru_stime:.1f} s, of its parent ≈{parent:.1f} s", flush=True)
    a = node("a", os.path.join(tmp, "pa"))
    b = node("b", os.path.join(tmp, "pb"), a.endpoint)
    try:
        time.sleep(2)
        before = [(cpu_seconds(n.p.pid), cpu_seconds(n.p.pid, children=True)) for n in (a, b)]
        start = time.monotonic()
        c = Proc(["benchmark", "--out", os.path.join(tmp, "profile-cluster"), "--cluster", a.endpoint, "--down-after", "2"] + GRID)
        _, cpu = c.wait()
        wall = time.monotonic() - start
        after = [(cpu_seconds(n.p.pid), cpu_seconds(n.p.pid, children=True)) for n in (a, b)]
        print(f"2 new single-slot nodes: {wall:.1f} s; coordinator CPU {cpu:.1f} s", flush=True)
        for n, x, y in zip((a, b), before, after):
            t, _ = n.wait_for(r": started$")
            print(f"  node {n.name}: own CPU {y[0] - x[0]:.1f} s, its cells' CPU {y[1] - x[1]:.1f} s, first cell {t - start:.1f} s after the launch", flush=True)
    finally:
        a.stop()
        b.stop()


def context_switches(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                total += sum(int(l.split()[1]) for l in f if l.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return total


def idle(tmp, env, seconds=20):
    """Per idle node: CPU (% of one core) and context switches a second, measured after 30 s (start-up compilation done)."""
    a = node("a", os.path.join(tmp, "ia"), env=env)
    b = node("b", os.path.join(tmp, "ib"), a.endpoint, env=env)
    try:
        time.sleep(30)
        before = [(cpu_seconds(n.p.pid), context_switches(n.p.pid)) for n in (a, b)]
        time.sleep(seconds)
        after = [(cpu_seconds(n.p.pid), context_switches(n.p.pid)) for n in (a, b)]
        cpu = statistics.mean(x[0] - y[0] for x, y in zip(after, before))
        switches = statistics.mean(x[1] - y[1] for x, y in zip(after, before))
        return 100 * cpu / seconds, switches / seconds
    finally:
        a.stop()
        b.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--down-after", default="2,10")
    ap.add_argument("--idle", action="store_true")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="deeprl-cluster-bench-")
    try:
        if args.profile:
            profile(tmp)
            return
        if args.idle:
            for label, env in (("as deeprl runs it", None), (".NET's default spinning", {"DOTNET_ThreadPool_UnfairSemaphoreSpinLimit": "70"})):
                cpu, switches = idle(tmp, env)
                print(f"idle node, {label}: {cpu:.1f}% of one core, {switches:,.0f} context switches/s", flush=True)
            return
        print(f"grid: {' '.join(GRID)}  ({CELLS} cells)")
        ratios, locals_, clusters, cpus, bytes_ = [], [], [], [], []
        a = node("a", os.path.join(tmp, "a"))
        b = node("b", os.path.join(tmp, "b"), a.endpoint)
        try:
            for r in range(args.rounds):
                lw = local_grid(os.path.join(tmp, f"local{r}"))
                cw, cpu, shipped = cluster_grid((a, b), os.path.join(tmp, f"cluster{r}"))
                locals_.append(lw); clusters.append(cw); cpus.append(cpu / CELLS); bytes_.append(shipped / CELLS); ratios.append(cw / lw)
                print(f"round {r + 1}: local --parallel 2 {lw:.1f} s, 2 single-slot nodes {cw:.1f} s (ratio {cw / lw:.3f}), "
                      f"coordinator CPU {cpu:.1f} s ({cpu / CELLS:.2f} s/cell), shipped {shipped / CELLS / 1e6:.2f} MB/cell", flush=True)
        finally:
            a.stop()
            b.stop()
        print(f"median: local {statistics.median(locals_):.1f} s, cluster {statistics.median(clusters):.1f} s, "
              f"ratio {statistics.median(ratios):.3f}; coordinator CPU {statistics.median(cpus):.2f} s/cell; "
              f"{statistics.median(bytes_) / 1e6:.2f} MB shipped/cell")
        for d in [int(x) for x in args.down_after.split(",")]:
            gone, resumed = failover(tmp, d)
            print(f"--down-after {d}: SIGKILL → cells re-queued {gone:.1f} s, → training again on the other node {resumed:.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
