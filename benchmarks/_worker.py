"""Time workloads in this process; the engine behind run.py and op_overhead.py.

A worker times the numpy reference and one framework (``--framework torch``
or ``nanotorch``; nanotorch's backend comes from ``NANOTORCH_BACKEND``, which
is read at import, hence one process per backend). Both are timed in the same
process, interleaved, so their ratio survives a noisy machine. Before timing,
each workload is checked once against the reference from the same weights, so
that a fast wrong answer is reported as wrong, not as fast.

Output: one JSON object per line on stdout, each prefixed with ``@@bench``
(anything else a library prints is ignored by the reader); progress on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
import traceback

import common  # noqa: F401  (pins threads before numpy is imported)
from common import default_device, framework_version, load_framework, measure, versions
import workloads
from check_references import check, failing_call

TAG = "@@bench "


def emit(obj):
    print(TAG + json.dumps(obj), flush=True)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_workload(w, fw, fw_name, device, args):
    """Check, then time, one workload: the numpy reference always, the framework if it works."""
    row = {"name": w.name, "label": w.label, "ops": w.ops, "framework": fw_name, "results": {}}
    data = w.setup(w.cfg, seed=0)
    impls = {"numpy": w.numpy_ref(w.cfg, data)}
    if fw is not None:
        try:
            ok, msg = check(w, fw, device, steps=2)
            row["check"] = {"ok": ok, "message": msg}
            impls[fw_name] = w.framework(fw, w.cfg, data, device)
        except Exception as exc:  # report the failing call; still time the reference
            row["error"] = failing_call(exc)
            log(traceback.format_exc())
    try:
        timings = measure(impls, repeat=args.repeat, block_s=args.block_s, warmup_s=args.warmup_s)
    except Exception as exc:  # e.g. the framework raised only after many steps
        row["error"] = failing_call(exc)
        log(traceback.format_exc())
        impls.pop(fw_name, None)
        timings = measure(impls, repeat=args.repeat, block_s=args.block_s, warmup_s=args.warmup_s)
    # samples[i] of every implementation come from the same round i (adjacent in time)
    row["results"] = {k: {"median": v["median"], "min": v["min"], "n": v["n"], "samples": v["samples"]}
                      for k, v in timings.items()}
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description="time workloads in this process (used by run.py)")
    ap.add_argument("--framework", choices=["torch", "nanotorch", "none"], default="none")
    ap.add_argument("--workloads", default="")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--block-s", type=float, default=0.25)
    ap.add_argument("--warmup-s", type=float, default=0.1)
    args = ap.parse_args(argv)

    fw = None
    if args.framework != "none":
        try:
            fw = load_framework(args.framework)
        except Exception as exc:
            # one line, not a traceback: run.py prints it as "skipping ... because"
            last = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
            emit({"import_error": f"{type(exc).__name__}: {last}"})
            return 3
    device = default_device(args.framework)
    if fw is not None:
        try:
            # nanotorch imports even when the chosen backend cannot run here (it says so
            # on first use): make one tensor so such a backend is skipped, not failed
            fw.tensor([1.0], device=device)
        except Exception as exc:
            emit({"import_error": f"{type(exc).__name__}: {exc}"})
            return 3
    info = versions()
    if fw is not None:
        info[args.framework] = framework_version(fw)
    emit({"versions": info, "device": device})

    for w in workloads.select([x for x in args.workloads.split(",") if x], quick=args.quick):
        log(f"  [{args.framework}] {w.label} ...")
        emit(run_workload(w, fw, args.framework, device, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
