"""Workload a: a chain of 200 small elementwise ops, then ``.sum().backward()``.

On 10x10 tensors the arithmetic is nothing; what is measured is the fixed
cost a framework pays per op: creating the output tensor, recording the node
on the tape, and running the node's backward. The table reports it per op
(forward + backward), next to what plain numpy calls cost for the same work.

The chain repeats a 10-op cycle 20 times. The cycle mixes two-tensor ops,
scalar ops and the lecture's maps, and keeps values bounded (tanh/sigmoid
squash, relu then /2 keeps exp's input small) so nothing overflows.
"""
from __future__ import annotations

import numpy as np

from common import Impl, to_numpy
from workloads import Workload
from workloads._shared import F32, sigmoid

CYCLE = 10       # ops in one cycle of `chain`
REPEATS = 20     # cycles: 200 ops in all
SHAPE = (10, 10)


def chain(fw, x, a, b):
    """The op chain, torch-style: ``fw`` is torch or nanotorch; 10 ops per cycle."""
    y = x
    for _ in range(REPEATS):
        y = y * a
        y = y + b
        y = fw.tanh(y)
        y = y * 1.5
        y = fw.sigmoid(y)
        y = y - b
        y = fw.relu(y)
        y = y / 2.0
        y = fw.exp(y)
        y = y - 1.0
    return y


def setup(cfg, seed=0):
    """x (the leaf whose gradient is computed) and the two constant tensors a, b."""
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal(SHAPE).astype(F32),
        "a": rng.uniform(0.5, 1.5, SHAPE).astype(F32),
        "b": rng.uniform(-0.5, 0.5, SHAPE).astype(F32),
    }


class NumpyRef(Impl):
    """`chain` forward with the values each backward needs saved, then the hand-written backward."""

    def __init__(self, cfg, data):
        self.x, self.a, self.b = (data[k].copy() for k in ("x", "a", "b"))
        self.grad = None

    def step(self):
        a, b = self.a, self.b
        saved = []
        y = self.x
        for _ in range(REPEATS):
            y = y * a          # fresh array: everything below may work in place on it
            y += b
            t = np.tanh(y)     # saved: d tanh = 1 - t^2
            y = t * 1.5
            s = sigmoid(y)     # saved: d sigmoid = s (1 - s)
            y = s - b
            r = np.maximum(y, 0, out=y)  # saved: d relu = (r > 0)
            y = r * 0.5
            e = np.exp(y, out=y)         # saved: d exp = e
            y = e - 1.0
            saved.append((t, s, r, e))

        g = np.ones_like(y)    # d sum / d y
        for t, s, r, e in reversed(saved):
            g *= e             # exp           (the "- 1.0" passes the gradient through)
            g *= 0.5           # / 2.0
            g *= r > 0         # relu          (the "- b" passes it through)
            tmp = 1 - s
            tmp *= s
            g *= tmp           # sigmoid
            g *= 1.5           # * 1.5
            tmp = t * t
            np.subtract(1, tmp, out=tmp)
            g *= tmp           # tanh          (the "+ b" passes it through)
            g *= a             # * a
        self.grad = g
        return g

    def finish(self, g):
        return float(g.sum())

    def state(self):
        return {"x.grad": self.grad}


class FrameworkChain(Impl):
    """`chain` run by a framework's autograd, on a leaf x that requires grad."""

    def __init__(self, fw, cfg, data, device):
        self.fw = fw
        self.x = fw.tensor(data["x"], device=device, requires_grad=True)
        self.a = fw.tensor(data["a"], device=device)
        self.b = fw.tensor(data["b"], device=device)

    def step(self):
        self.x.grad = None     # the usual way to restart accumulation on a leaf
        chain(self.fw, self.x, self.a, self.b).sum().backward()
        return self.x.grad

    def finish(self, g):
        return float(g.sum().item())

    def state(self):
        return {"x.grad": to_numpy(self.x.grad)}


def workloads(quick=False):
    ops = CYCLE * REPEATS
    return [Workload(
        name="op_chain", label=f"op_chain ({ops} ops, 10x10)", cfg={},
        setup=setup, numpy_ref=NumpyRef, framework=FrameworkChain, ops=ops,
    )]
