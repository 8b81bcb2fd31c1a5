"""Run every workload on every nanotorch backend and print one markdown table.

    .venv/bin/python benchmarks/run.py                       # everything
    .venv/bin/python benchmarks/run.py --quick --workloads op_chain,lecture_net
    .venv/bin/python benchmarks/run.py --backends numpy,numba --repeat 7
    TORCH_PYTHON=/path/to/venv-with-torch/bin/python .venv/bin/python benchmarks/run.py

Each measurement runs in its own subprocess (see ``_worker.py``): one for the
numpy reference against PyTorch CPU, and one per nanotorch backend, because
``NANOTORCH_BACKEND`` is read when nanotorch is imported. Every process times
the numpy reference next to its framework, so each framework gets a ratio
against the same baseline measured in the same process:

* ``/ref``   = nanotorch time / numpy-reference time: the median over rounds
  of the two blocks timed back to back in the same process;
* ``/torch`` = (nanotorch / its ref) / (torch / its ref): the two same-process
  ratios divided, so machine noise between the processes cancels out.

PyTorch is optional and never a dependency of nanotorch: it is used from this
interpreter if it imports here, else from ``--torch-python`` or ``$TORCH_PYTHON``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

from common import BENCH_DIR, WORKLOAD_LETTERS

WORKER = BENCH_DIR / "_worker.py"
TAG = "@@bench "
ALL_BACKENDS = ["numpy", "numba", "cupy"]


# --------------------------------------------------------------------------- running

def run_worker(python, framework, args, backend=None, torch_device="cpu"):
    """Run one worker process; returns dict(versions, rows, import_error, crash)."""
    env = dict(os.environ)
    if backend is not None:
        env["NANOTORCH_BACKEND"] = backend
    env["NANOTORCH_BENCH_TORCH_DEVICE"] = torch_device
    cmd = [python, str(WORKER), "--framework", framework, "--repeat", str(args.repeat),
           "--block-s", str(args.block_s), "--warmup-s", str(args.warmup_s)]
    if args.workloads:
        cmd += ["--workloads", ",".join(args.workloads)]
    if args.quick:
        cmd.append("--quick")
    # stderr is inherited: the worker's progress lines show while it runs
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=BENCH_DIR.parent)
    out = {"versions": {}, "rows": [], "import_error": None, "crash": None, "device": "cpu"}
    for line in proc.stdout.splitlines():
        if not line.startswith(TAG):
            continue
        obj = json.loads(line[len(TAG):])
        if "import_error" in obj:
            out["import_error"] = obj["import_error"]
        elif "versions" in obj:
            out["versions"], out["device"] = obj["versions"], obj["device"]
        else:
            out["rows"].append(obj)
    if proc.returncode not in (0, 3) and out["import_error"] is None:
        tail = "\n".join(proc.stdout.splitlines()[-5:])
        out["crash"] = f"worker exited with {proc.returncode}: {tail}"
    return out


def has_torch(python):
    """Whether ``python`` can import torch (checked in a subprocess: cheap, and no import here)."""
    try:
        return subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    except OSError:
        return False


def find_torch_python(explicit):
    """The interpreter to time torch with, or None: --torch-python, this one, or $TORCH_PYTHON."""
    for cand in (explicit, sys.executable, os.environ.get("TORCH_PYTHON")):
        if cand and has_torch(cand):
            return cand
    return None


def run_all(args):
    """Run the torch process and one process per backend; returns (torch_run, {backend: run})."""
    torch_run = None
    if not args.no_torch:
        torch_py = find_torch_python(args.torch_python)
        if torch_py is None:
            print("skipping torch: not importable here; pass --torch-python or set TORCH_PYTHON",
                  file=sys.stderr)
        else:
            print(f"torch ({torch_py}):", file=sys.stderr)
            torch_run = run_worker(torch_py, "torch", args, torch_device=args.torch_device)
            if torch_run["import_error"] or torch_run["crash"]:
                print(f"skipping torch: {torch_run['import_error'] or torch_run['crash']}",
                      file=sys.stderr)
                torch_run = None

    backend_runs = {}
    for backend in args.backends:
        label = backend or "default"
        print(f"nanotorch[{label}]:", file=sys.stderr)
        run = run_worker(args.python, "nanotorch", args, backend=backend)
        if run["import_error"] or run["crash"]:
            print(f"skipping backend {label}: {run['import_error'] or run['crash']}", file=sys.stderr)
            continue
        backend_runs[label] = run
    return torch_run, backend_runs


# --------------------------------------------------------------------------- reporting

def paired_ratio(results, name):
    """Median over rounds of (``name``'s block / the reference's block of the same round).

    The two blocks of one round ran back to back, so a burst of load from
    other processes usually hits both; the median of these paired ratios is
    much steadier on a busy machine than a ratio of two separate summaries.
    """
    pairs = [t / r for t, r in zip(results[name]["samples"], results["numpy"]["samples"])]
    return statistics.median(pairs)


def fmt_ms(seconds):
    """Milliseconds with about three significant digits."""
    ms = seconds * 1e3
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def build_table(torch_run, backend_runs, stat="min"):
    """The markdown table, the per-op lines of the op chain, and footnotes.

    ``stat`` picks which summary of the timed blocks is shown: ``min`` (the
    least disturbed block, the default: on a shared machine other processes only
    ever add time) or ``median``.
    """
    runs = ([torch_run] if torch_run else []) + list(backend_runs.values())
    labels = list(dict.fromkeys(r["label"] for run in runs for r in run["rows"]))
    by_label = lambda run: {r["label"]: r for r in run["rows"]}  # noqa: E731
    torch_rows = by_label(torch_run) if torch_run else {}
    backend_rows = {b: by_label(run) for b, run in backend_runs.items()}

    tdev = torch_run["device"] if torch_run else "cpu"
    tname = "torch" if tdev == "cpu" else f"torch[{tdev}]"
    head = ["workload", "numpy-ref ms", f"{tname} ms", f"{tname} /ref"]
    for b in backend_runs:
        head += [f"nanotorch[{b}] ms", "/ref", "/torch"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes, per_op = [], []

    for label in labels:
        refs = [rows[label]["results"]["numpy"][stat]
                for rows in [torch_rows, *backend_rows.values()] if label in rows]
        ref_ms = statistics.median(refs)
        cells = [label, fmt_ms(ref_ms)]
        t_row = torch_rows.get(label)
        t_ratio = None
        if t_row and "torch" in t_row["results"]:
            t = t_row["results"]["torch"][stat]
            t_ratio = paired_ratio(t_row["results"], "torch")
            cells += [fmt_ms(t), f"{t_ratio:.2f}"]
        else:
            cells += ["-", "-"]
        ops = next((rows[label]["ops"] for rows in [torch_rows, *backend_rows.values()]
                    if label in rows), None)
        op_parts = [f"numpy-ref {ref_ms * 1e6 / ops:.2f}"] if ops else []
        if ops and t_ratio is not None:
            op_parts.append(f"torch {t * 1e6 / ops:.2f}")

        for b, rows in backend_rows.items():
            row = rows.get(label)
            if row is None or "nanotorch" not in row["results"]:
                err = row.get("error", "not run") if row else "not run"
                notes.append(f"nanotorch[{b}] {label}: {err}")
                cells += [f"error [{len(notes)}]", "-", "-"]
                continue
            nt = row["results"]["nanotorch"][stat]
            nt_ratio = paired_ratio(row["results"], "nanotorch")
            mark = ""
            if not row.get("check", {}).get("ok", False):
                notes.append(f"nanotorch[{b}] {label}: WRONG RESULT: {row.get('check', {}).get('message')}")
                mark = f" wrong [{len(notes)}]"
            cells += [fmt_ms(nt) + mark, f"{nt_ratio:.2f}",
                      f"{nt_ratio / t_ratio:.2f}" if t_ratio else "-"]
            if ops:
                op_parts.append(f"nanotorch[{b}] {nt * 1e6 / ops:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
        if ops:
            per_op.append(f"{label}: us per op (forward + backward): " + ", ".join(op_parts))
    return lines, per_op, notes


def machine_line(torch_run, backend_runs):
    """CPU model, OS, and the versions the workers reported."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    vers = {}
    for run in ([torch_run] if torch_run else []) + list(backend_runs.values()):
        vers.update(run["versions"])
    devices = {b: run["device"] for b, run in backend_runs.items() if run["device"] != "cpu"}
    if torch_run and torch_run["device"] != "cpu":
        devices["torch"] = torch_run["device"]
    ver = ", ".join(f"{k} {v}" for k, v in vers.items() if k != "nanotorch")
    extra = f"; devices: {devices}" if devices else ""
    return f"{cpu}, {platform.system()} {platform.release()}, 1 thread; {ver}{extra}"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer, shorter timing blocks")
    ap.add_argument("--workloads", default="",
                    help="comma-separated names or letters a-e (default: all)")
    ap.add_argument("--backends", default=",".join(ALL_BACKENDS),
                    help="comma-separated nanotorch backends (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=None, help="timed blocks per implementation")
    ap.add_argument("--block-s", type=float, default=None, help="seconds per timed block")
    ap.add_argument("--python", default=sys.executable, help="interpreter for nanotorch")
    ap.add_argument("--torch-python", default=None, help="interpreter that has torch")
    ap.add_argument("--no-torch", action="store_true", help="do not time PyTorch")
    ap.add_argument("--torch-device", default="cpu",
                    help="device for PyTorch (default: %(default)s; 'cuda' to compare with the cupy backend)")
    ap.add_argument("--stat", default="min", choices=["min", "median"],
                    help="summary of the timed blocks shown (default: %(default)s)")
    ap.add_argument("--json", default=None, help="also write the raw results here")
    args = ap.parse_args(argv)
    wanted = []
    for w in filter(None, args.workloads.split(",")):
        wanted += WORKLOAD_LETTERS.get(w, [w])
    args.workloads = wanted
    args.backends = [b for b in args.backends.split(",") if b]
    if args.repeat is None:
        args.repeat = 3 if args.quick else 7
    if args.block_s is None:
        args.block_s = 0.1 if args.quick else 0.2
    args.warmup_s = 0.05 if args.quick else 0.2
    return args


def main(argv=None):
    args = parse_args(argv)
    torch_run, backend_runs = run_all(args)
    lines, per_op, notes = build_table(torch_run, backend_runs, args.stat)
    print()
    print("Machine: " + machine_line(torch_run, backend_runs))
    print(f"Times: {args.stat} over {args.repeat} blocks of ~{args.block_s} s; ms per step.")
    print()
    print("\n".join(lines))
    if per_op:
        print()
        print("\n".join(per_op))
    if notes:
        print()
        print("\n".join(f"[{i}] {n}" for i, n in enumerate(notes, 1)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch_run, "nanotorch": backend_runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
