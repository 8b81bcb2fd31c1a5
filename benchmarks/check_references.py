"""Check that every numpy reference computes what the framework computes.

For each workload, the numpy reference and the torch-style implementation
start from the same numpy setup, take a few steps each, and must agree on
every step's loss and on the final state (updated weights, or the input's
gradient for the op chain) within float32 tolerance. Two steps by default,
so that optimizer state (momentum buffers, Adam's moments) is checked too.

    /path/to/torch-python benchmarks/check_references.py            # references vs torch
    .venv/bin/python benchmarks/check_references.py --framework nanotorch

Exits 1 if anything disagrees or raises; prints the failing call.
"""
from __future__ import annotations

import argparse
import math
import sys
import traceback

import common  # noqa: F401  (pins threads before numpy is imported)
from common import compare_states, default_device, load_framework
import workloads


def check(workload, fw, device, steps):
    """(ok, message) for one workload: losses per step and the final state."""
    data = workload.setup(workload.cfg, seed=0)
    ref = workload.numpy_ref(workload.cfg, data)
    impl = workload.framework(fw, workload.cfg, data, device)
    worst_loss = 0.0
    for _ in range(steps):
        lr, lf = ref.finish(ref.step()), impl.finish(impl.step())
        err = abs(lf - lr) / (1e-6 + workload.rtol * abs(lr))
        worst_loss = max(worst_loss, err if not math.isnan(err) else math.inf)
    worst_state, key = compare_states(ref.state(), impl.state(), rtol=workload.rtol)
    ok = worst_loss <= 1 and worst_state <= 1
    msg = f"loss err {worst_loss:.3g}, state err {worst_state:.3g} (worst: {key})"
    return ok, msg


def failing_call(exc):
    """'file:line: code' of the innermost benchmark frame plus the exception, for the report."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "benchmarks" in f.filename]
    where = f"{frames[-1].filename.split('benchmarks/')[-1]}:{frames[-1].lineno}: {frames[-1].line}" \
        if frames else "?"
    return f"{where} -> {type(exc).__name__}: {exc}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--framework", default="torch", choices=["torch", "nanotorch"])
    ap.add_argument("--workloads", default="", help="comma-separated names (default: all)")
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true", help="print full tracebacks")
    args = ap.parse_args(argv)

    try:
        fw = load_framework(args.framework)
    except Exception as exc:  # a missing framework is a one-line answer, not a traceback
        print(f"cannot import {args.framework}: {type(exc).__name__}: {exc}")
        return 2
    device = default_device(args.framework)
    wanted = [w for w in args.workloads.split(",") if w]
    failures = 0
    for w in workloads.select(wanted):
        try:
            ok, msg = check(w, fw, device, args.steps)
        except Exception as exc:
            ok, msg = False, "raised: " + failing_call(exc)
            if args.verbose:
                traceback.print_exc()
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {w.label:40s} {msg}")
    print(f"{args.framework}: {failures} workload(s) disagree with the numpy reference"
          if failures else f"{args.framework}: all references agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
