#!/usr/bin/env python3
"""Key-press latency of the workbench while training saturates both cores (issues 5 and 12).

Runs the real `tunebench` workbench under tmux on a copy of the sample workspace, starts a training
run in the Train pane (an eval every 2 steps over half the windows, so evals are long), and once
steps are being counted presses keys that change the screen: F1 and F3 (switch between the PDF and
Train panes), `?` / Escape (open and close the help overlay), characters typed into the chat's
input line and into a Dataset settings field (its text is cancelled with Escape afterwards). Each
press is filed under "training" or "eval" by what the status bar said just before it
("training step N, eval 3/12 …" during an eval). For each press it polls `tmux capture-pane`
until the new screen is there and records the time from `send-keys` to that capture. Polling adds its own cost (a capture takes ~2-4 ms here), so the numbers
are an upper bound on what a person sees. CPU use of the whole machine over the measurement is
printed beside them, to show the cores really were busy.

    bench/key_latency.py [--binary .build/release/tunebench] [--presses 60] [--eval-wait 400]
"""
import argparse
import os
import re
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
    parser.add_argument("--presses", type=int, default=60, help="key presses measured in each phase (training, eval), at least")
    parser.add_argument("--eval-wait", type=float, default=400, help="seconds to keep waiting for evals to measure in")
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
    # A long run with frequent, long evals: both phases get measured.
    toml = toml.replace("max_steps = 0", "max_steps = 400").replace("eval_every = 50", "eval_every = 2")
    with open(os.path.join(workspace, "tunebench.toml"), "w") as f:
        f.write(toml)
    # The dataset is made with the command line, so the workbench starts straight on training.
    subprocess.run([binary, "extract", os.path.join(tmp, "pride-and-prejudice-a5.pdf"), "--auto",
                    "--out", os.path.join(workspace, "pages.jsonl")], check=True, capture_output=True)
    subprocess.run([binary, "prepare", os.path.join(workspace, "pages.jsonl"), "--ctx", "256", "--test-size", "0.5",
                    "--out", os.path.join(workspace, "dataset")], check=True, capture_output=True)

    tui = Tmux(os.path.join(tmp, "tmux.sock"), workspace, f"env TERM=xterm-256color '{binary}'")
    try:
        tui.wait(lambda s: "F1 PDF" in s and "adapter none" in s, 30, "the workbench")
        tui.send("F3")
        tui.wait(lambda s: "smoothed" in s, 10, "the Train pane")
        tui.send("s")
        tui.wait(lambda s: "step 1/" in s, 300, "the first training step")

        latencies = {}  # (phase, kind) -> [ms]
        total0, idle0 = cpu_times()
        eval_re = re.compile(r"eval \d+/\d+")

        def press(kind, key, condition, literal=False):
            phase = "eval" if eval_re.search(tui.screen()) else "training"
            t0 = time.monotonic()
            if literal:
                tui.run("send-keys", "-l", key)
            else:
                tui.send(key)
            t1, _ = tui.wait(condition, 5, f"the screen after {key}")
            latencies.setdefault((phase, kind), []).append((t1 - t0) * 1000)

        cycle = [("F1/F3 pane switch", "F1", lambda s: "crop box" in s),
                 ("F1/F3 pane switch", "F3", lambda s: "smoothed" in s),
                 ("? / Esc help overlay", "?", lambda s: "Keys: " in s),
                 ("? / Esc help overlay", "Escape", lambda s: "Keys: " not in s)]
        def one_round():
            for kind, key, condition in cycle:
                press(kind, key, condition)
                time.sleep(0.1)
            # Typing in the chat's input line: "@@" first (unmeasured), then each letter shows after it.
            tui.send("F4")
            tui.wait(lambda s: "Enter sends" in s, 10, "the Chat pane")
            tui.run("send-keys", "-l", "@@")
            typed = "@@"
            for c in "qwerty":
                typed += c
                press("typing in the chat", c, lambda s, t=typed: t in s, literal=True)
                time.sleep(0.05)
            for _ in typed:
                tui.send("BSpace")
            # Typing in a form field: the Dataset pane's first setting (input), edited and cancelled.
            tui.send("F2")
            tui.wait(lambda s: "records (" in s, 10, "the Dataset pane")
            tui.send("s")
            time.sleep(0.1)
            tui.send("Enter")
            tui.run("send-keys", "-l", "@@")
            typed = "@@"
            tui.wait(lambda s: typed in s, 5, "the field being edited")
            for c in "asdfgh":
                typed += c
                press("typing in a form field", c, lambda s, t=typed: t in s, literal=True)
                time.sleep(0.05)
            tui.send("Escape")  # cancel the edit
            time.sleep(0.1)
            tui.send("Escape")  # back to the records
            tui.send("F3")
            tui.wait(lambda s: "smoothed" in s, 10, "the Train pane")

        def measured(phase):
            return sum(len(v) for (p, _), v in latencies.items() if p == phase)

        # While training steps run, then while evals run (a round started in an eval may end after it:
        # each press is filed by the status bar just before it).
        while measured("training") < args.presses:
            one_round()
        deadline = time.monotonic() + args.eval_wait
        while measured("eval") < args.presses and time.monotonic() < deadline:
            tui.wait(lambda s: eval_re.search(s), max(1, deadline - time.monotonic()), "an eval")
            one_round()
        total1, idle1 = cpu_times()
        busy = 100.0 * (1 - (idle1 - idle0) / max(1, total1 - total0))
        screen = tui.screen()

        print(f"key latency under tmux while training ({os.cpu_count()} cores {busy:.0f}% busy over the measurement)")

        def report(label, values):
            values = sorted(values)
            print(f"  {label:40s} n={len(values):3d}  p50 {statistics.median(values):6.1f} ms  "
                  f"p95 {values[int(0.95 * (len(values) - 1))]:6.1f} ms  max {values[-1]:6.1f} ms")

        for phase in ("training", "eval"):
            for (p, kind), values in sorted(latencies.items()):
                if p == phase:
                    report(f"{phase}: {kind}", values)
            every = [v for (p, _), values in latencies.items() if p == phase for v in values]
            if every:
                report(f"{phase}: all  (target p95 < 100 ms)", every)
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
