"""Per-op overhead: workload a (the 200-op chain) alone, in microseconds per op.

    .venv/bin/python benchmarks/op_overhead.py                 # numpy-ref, nanotorch, torch
    .venv/bin/python benchmarks/op_overhead.py --backends numpy,numba
    .venv/bin/python benchmarks/op_overhead.py --breakdown     # one op kind at a time, in-process

The default mode runs exactly what ``run.py --workloads op_chain`` runs and
prints the cost of one op (forward + backward + tape), averaged over the chain,
then the floor: the same chain on the smallest tape that can run it
(``minimal_tape.py``), timed here next to the numpy reference.
``--breakdown`` then shows which op kind is expensive: a 200-long chain of a
single op kind per row, timed in this process for every framework that
imports here (nanotorch with the backend from ``NANOTORCH_BACKEND``; torch if
installed in this interpreter), next to the cost of one bare numpy call.
"""
from __future__ import annotations

import argparse
import os
import sys

import common  # noqa: F401  (pins threads before numpy is imported)
from common import Impl, default_device, load_framework, measure

import numpy as np

LENGTH = 200

# One chain per op kind; the constants keep a 200-long chain bounded
# (a factor near 1, a small shift), so no value overflows or vanishes.
KINDS = {
    "mul (tensor)": lambda fw, y, a, b: y * a,
    "add (tensor)": lambda fw, y, a, b: y + b,
    "sub (tensor)": lambda fw, y, a, b: y - b,
    "mul (scalar)": lambda fw, y, a, b: y * 1.001,
    "div (scalar)": lambda fw, y, a, b: y / 1.001,
    "sub (scalar)": lambda fw, y, a, b: y - 0.001,
    "tanh": lambda fw, y, a, b: fw.tanh(y),
    "sigmoid": lambda fw, y, a, b: fw.sigmoid(y),
    "relu": lambda fw, y, a, b: fw.relu(y),
    # exp alone diverges when iterated; exp(y) - 1 converges to 0 from below,
    # so this row is two ops and its per-op number is the mean of the pair
    "exp, sub (scalar)": lambda fw, y, a, b: fw.exp(y) - 1.0,
}


class KindChain(Impl):
    """A chain of one op kind applied LENGTH times (or LENGTH/2 for a pair), then sum().backward()."""

    def __init__(self, fw, kind, device):
        rng = np.random.default_rng(0)
        self.fw, self.op = fw, KINDS[kind]
        self.steps = LENGTH // 2 if "," in kind else LENGTH
        x = -rng.uniform(0.1, 1.0, (10, 10)).astype(np.float32)
        self.x = fw.tensor(x, device=device, requires_grad=True)
        self.a = fw.tensor(rng.uniform(0.99, 1.01, (10, 10)).astype(np.float32), device=device)
        self.b = fw.tensor(rng.uniform(-0.01, 0.01, (10, 10)).astype(np.float32), device=device)

    def step(self):
        self.x.grad = None
        y = self.x
        for _ in range(self.steps):
            y = self.op(self.fw, y, self.a, self.b)
        y.sum().backward()
        return self.x.grad

    def finish(self, g):
        return float(g.sum().item())


class NumpyCall(Impl):
    """LENGTH bare numpy multiplies of 10x10 arrays: the floor of any per-op cost."""

    def __init__(self):
        self.y = np.ones((10, 10), np.float32)
        self.a = np.ones((10, 10), np.float32)

    def step(self):
        y, a = self.y, self.a
        for _ in range(LENGTH):
            y = y * a
        return y

    def finish(self, y):
        return float(y[0, 0])


def floor_line(repeat):
    """The minimal tape's us per op and its ratio to the numpy reference, measured side by side."""
    from minimal_tape import MinimalTapeChain
    from workloads.op_chain import CYCLE, REPEATS, NumpyRef, setup

    ops = CYCLE * REPEATS
    data = setup(None)
    ref, floor = NumpyRef(None, data), MinimalTapeChain(data)
    if not np.allclose(floor.step(), ref.step(), rtol=1e-4, atol=1e-6):
        return "minimal tape: wrong gradient (not timed)"
    times = measure({"numpy-ref": ref, "minimal tape": floor}, repeat=repeat)
    ref_s, floor_s = times["numpy-ref"]["min"], times["minimal tape"]["min"]
    return (f"Floor, the same chain on minimal_tape.py (no checks, no broadcasting, one gradient "
            f"path): {floor_s * 1e6 / ops:.2f} us per op, {floor_s / ref_s:.2f} times the "
            f"numpy reference timed beside it ({ref_s * 1e6 / ops:.2f} us per op).")


def breakdown_times(name, repeat):
    """us/op (min over blocks) per op kind for framework ``name`` in this process, plus a bare numpy call."""
    fw = load_framework(name)
    times = {"one bare numpy call": measure({"numpy": NumpyCall()}, repeat=repeat)["numpy"]["min"]
             * 1e6 / LENGTH}
    for kind in KINDS:
        try:
            impl = KindChain(fw, kind, default_device(name))
            times[kind] = measure({name: impl}, repeat=repeat, block_s=0.1)[name]["min"] * 1e6 / LENGTH
        except Exception as exc:
            times[kind] = f"error: {type(exc).__name__}: {exc}"
    return times


def breakdown(repeat, backends, torch_python):
    """Print the per-kind table: one column per nanotorch backend, and torch's.

    Every column comes from its own subprocess (``--breakdown-json``), like the
    main table, so the backend variable is honoured and torch may live in
    another interpreter. Each column has its own bare-numpy row to compare
    machines' moods by.
    """
    import json
    import subprocess

    import run
    columns = {}
    jobs = [(f"nanotorch[{b or 'default'}]", sys.executable, "nanotorch", b) for b in backends]
    torch_py = run.find_torch_python(torch_python)
    if torch_py:
        jobs.append(("torch", torch_py, "torch", None))
    for label, python, name, backend in jobs:
        env = dict(os.environ)
        if backend:
            env["NANOTORCH_BACKEND"] = backend
        proc = subprocess.run([python, __file__, "--breakdown-json", name, "--repeat", str(repeat)],
                              capture_output=True, text=True, env=env)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(run.TAG)]
        if proc.returncode or not lines:
            err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"({label} not timed: {err})")
            continue
        columns[label] = json.loads(lines[-1][len(run.TAG):])
    if not columns:
        return
    print("| op kind | " + " | ".join(f"{c} us/op" for c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for kind in ["one bare numpy call", *KINDS]:
        cells = [v if isinstance(v, str) else f"{v:.2f}" for v in (c[kind] for c in columns.values())]
        print(f"| {kind} | " + " | ".join(cells) + " |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default=os.environ.get("NANOTORCH_BACKEND", ""),
                    help="comma-separated nanotorch backends (default: $NANOTORCH_BACKEND, else "
                         "nanotorch's own default)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--torch-python", default=None, help="interpreter that has torch")
    ap.add_argument("--breakdown", action="store_true", help="also time each op kind alone")
    ap.add_argument("--breakdown-json", default=None, help=argparse.SUPPRESS)  # internal: one column
    args = ap.parse_args(argv)
    if args.breakdown_json:
        import json
        import run
        print(run.TAG + json.dumps(breakdown_times(args.breakdown_json, args.repeat)))
        return 0

    import run  # the subprocess machinery; imported here so --help stays instant
    run_args = run.parse_args(["--workloads", "op_chain", "--repeat", str(args.repeat),
                               "--backends", args.backends]
                              + (["--torch-python", args.torch_python] if args.torch_python else []))
    if not run_args.backends:
        run_args.backends = [None]  # no NANOTORCH_BACKEND: whatever nanotorch picks itself
    torch_run, backend_runs = run.run_all(run_args)
    _, per_op, notes = run.build_table(torch_run, backend_runs, run_args.stat)
    print()
    print("\n".join(per_op) if per_op else "op_chain did not run")
    for i, note in enumerate(notes, 1):
        print(f"[{i}] {note}")
    print(floor_line(args.repeat))
    if args.breakdown:
        print()
        # only the backends that ran above: a missing one was already explained
        ran = [None if b == "default" else b for b in backend_runs]
        breakdown(args.repeat, ran, args.torch_python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
