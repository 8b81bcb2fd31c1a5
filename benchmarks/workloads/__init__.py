"""The benchmark workloads, each a small module with three implementations of one step.

Every workload module exposes ``workloads(quick) -> list[Workload]``. A
:class:`Workload` bundles a configuration with three functions:

* ``setup(cfg, seed)``: the initial weights and the data, as numpy arrays
  (shared by all implementations, so they start from identical numbers);
* ``numpy_ref(cfg, data)``: the hand-written numpy step (forward, manual
  backward, update), the baseline of every ratio;
* ``framework(fw, cfg, data, device)``: the same step written torch-style
  against the module ``fw``, which is ``torch`` or ``nanotorch``: one piece of
  code serves both, so they are measured doing exactly the same calls.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Workload:
    """One configuration of one workload (see the package docstring)."""

    name: str                      # family name, what --workloads selects, e.g. "lecture_net"
    label: str                     # row label in the table, e.g. "lecture_net H=10 N=50"
    cfg: dict
    setup: Callable
    numpy_ref: Callable
    framework: Callable
    ops: int | None = None         # ops per step, when a per-op cost makes sense (op_chain)
    rtol: float = 1e-4             # tolerance of the correctness check against the reference
    notes: str = field(default="")


def _modules():
    # imported lazily so that `import workloads` stays cheap and never imports a framework
    from . import lecture_net, mlp, op_chain, sentiment, sentiment_conv
    return [op_chain, lecture_net, mlp, sentiment, sentiment_conv]


def all_workloads(quick=False):
    """Every workload configuration, in table order."""
    return [w for m in _modules() for w in m.workloads(quick)]


def names():
    """The workload family names, in table order, without duplicates."""
    return list(dict.fromkeys(w.name for w in all_workloads(quick=True)))


def select(wanted=None, quick=False):
    """The configurations whose family name is in ``wanted`` (all when None)."""
    ws = all_workloads(quick)
    if not wanted:
        return ws
    unknown = set(wanted) - {w.name for w in ws}
    if unknown:
        raise SystemExit(f"unknown workload(s) {sorted(unknown)}; choose from {names()}")
    return [w for w in ws if w.name in wanted]
