#!/usr/bin/env python3
"""Key-press latency of the workbench while training saturates both cores (issue 5).

Runs the real `tunebench` workbench under tmux on a copy of the sample workspace, starts a training
run in the Train pane, and once steps are being counted presses keys that change the screen: F1 and
F3 (switch between the PDF and Train panes) and `?` / Escape (open and close the help overlay). For
each press it polls `tmux capture-pane` until the new screen is there and records the time from
`send-keys` to that capture. Polling adds its own cost (a capture takes ~2-4 ms here), so the numbers
are an upper bound on what a person sees. CPU use of the whole machine over the measurement is
printed beside them, to show the cores really were busy.

    bench/key_latency.py [--binary .build/release/tunebench] [--presses 60]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_times():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


class Tmux:
    def __init__(self, socket, directory, command, width=100, height=30):
        self.socket = socket
        subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y",
                        str(height), "-c", directory, command], check=True)

    def run(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True).stdout

    def send(self, *keys):
        self.run("send-keys", *keys)

    def screen(self):
        return self.run("capture-pane", "-p")

    def wait(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            last = self.screen()
            if condition(last):
                return time.monotonic(), last
        sys.exit(f"key_latency: timed out waiting for {what}; the screen was:\n{last}")

    def kill(self):
        self.run("kill-server")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/tunebench"))
    parser.add_argument("--presses", type=int, default=60, help="key presses measured (half of them pane switches)")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"key_latency: no binary at {binary}: swift build -c release --product tunebench")

    tmp = tempfile.mkdtemp(prefix="tb-keys-")
    workspace = os.path.join(tmp, "workspace")
    os.makedirs(workspace)
    shutil.copy(os.path.join(ROOT, "samples/pride-and-prejudice-a5.pdf"), tmp)
    with open(os.path.join(ROOT, "samples/workspace/tunebench.toml")) as f:
        toml = f.read()
    with open(os.path.join(workspace, "tunebench.toml"), "w") as f:
        f.write(toml)
    # The dataset is made with the command line, so the workbench starts straight on training.
    subprocess.run([binary, "extract", os.path.join(tmp, "pride-and-prejudice-a5.pdf"), "--auto",
                    "--out", os.path.join(workspace, "pages.jsonl")], check=True, capture_output=True)
    subprocess.run([binary, "prepare", os.path.join(workspace, "pages.jsonl"), "--ctx", "256", "--test-size", "0.1",
                    "--out", os.path.join(workspace, "dataset")], check=True, capture_output=True)

    tui = Tmux(os.path.join(tmp, "tmux.sock"), workspace, f"env TERM=xterm-256color '{binary}'")
    try:
        tui.wait(lambda s: "F1 PDF" in s and "adapter none" in s, 30, "the workbench")
        tui.send("F3")
        tui.wait(lambda s: "smoothed" in s, 10, "the Train pane")
        tui.send("s")
        tui.wait(lambda s: "step 1/" in s, 300, "the first training step")

        latencies = {"F1/F3 pane switch": [], "? / Esc help overlay": []}
        total0, idle0 = cpu_times()
        cycle = [("F1/F3 pane switch", "F1", lambda s: "crop box" in s),
                 ("F1/F3 pane switch", "F3", lambda s: "smoothed" in s),
                 ("? / Esc help overlay", "?", lambda s: "Keys: " in s),
                 ("? / Esc help overlay", "Escape", lambda s: "Keys: " not in s)]
        for i in range(args.presses):
            kind, key, condition = cycle[i % len(cycle)]
            t0 = time.monotonic()
            tui.send(key)
            t1, _ = tui.wait(condition, 5, f"the screen after {key}")
            latencies[kind].append((t1 - t0) * 1000)
            time.sleep(0.15)
        total1, idle1 = cpu_times()
        busy = 100.0 * (1 - (idle1 - idle0) / max(1, total1 - total0))
        screen = tui.screen()

        print(f"key latency under tmux while training ({os.cpu_count()} cores {busy:.0f}% busy over the measurement)")
        every = []
        for kind, values in latencies.items():
            every += values
            values = sorted(values)
            print(f"  {kind:22s} n={len(values):3d}  p50 {statistics.median(values):6.1f} ms  "
                  f"p95 {values[int(0.95 * (len(values) - 1))]:6.1f} ms  max {values[-1]:6.1f} ms")
        every.sort()
        print(f"  {'all':22s} n={len(every):3d}  p50 {statistics.median(every):6.1f} ms  "
              f"p95 {every[int(0.95 * (len(every) - 1))]:6.1f} ms  max {every[-1]:6.1f} ms  (target: < 100 ms)")
        status = [line for line in screen.splitlines() if "step" in line][:1]
        if status:
            print("  training meanwhile: " + status[0].strip())
        tui.send("q")
        time.sleep(0.3)
        tui.send("y")
        time.sleep(2)
    finally:
        tui.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
