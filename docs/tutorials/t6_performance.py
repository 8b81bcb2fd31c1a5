"""
6. Performance
==============

How fast is nanotorch? The honest answer is a ratio: the time of a training
step divided by the time of the same step written by hand in numpy, measured
in the same process. This page explains the benchmark suite's table, then
takes a small measurement of its own while the docs are built, to show where
the time goes.
"""

import re
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import nanotorch as torch

# %%
# The benchmark table
# -------------------
# ``benchmarks/run.py`` times five workloads three ways: a hand-written numpy
# step (forward, manual backward, in-place update: the baseline), the same
# torch-style step run by PyTorch on the CPU, and that *same function* run by
# nanotorch. Everything runs on one thread. The CPU table of the latest run,
# read from ``benchmarks/README.md`` (which also says on which machine, and
# has a GPU table):

readme = Path(torch.__file__).resolve().parent.parent / "benchmarks" / "README.md"
text = readme.read_text() if readme.is_file() else ""
section = text.split("## Latest results", 1)[-1] if "## Latest results" in text else ""


def first_table(markdown):
    """The rows of the first markdown table in ``markdown``, as lists of cells."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):  # skip the |---| rule
                rows.append(cells)
        elif rows:
            break
    return rows


table = first_table(section)
for row in table:
    print(" | ".join(f"{cell:>12}" if i else f"{cell:<34}" for i, cell in enumerate(row)))

# %%
# The same ratios as a picture: each framework's time over the numpy
# reference's, per workload (1.0 is the dashed line). A ``/ref`` column
# belongs to the framework named in the column before it.

if table:
    header, rows = table[0], table[1:]
    series = {}
    for i, name in enumerate(header):
        if name.endswith("/ref"):
            label = name[:-len("/ref")].strip() or header[i - 1].replace(" ms", "")
            series[label] = [float(r[i]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(series)
    for k, (label, ratios) in enumerate(series.items()):
        ax.bar(np.arange(len(rows)) + k * width, ratios, width, label=label)
    ax.axhline(1.0, color="k", ls="--", lw=0.8)
    ax.set_xticks(np.arange(len(rows)) + 0.4 - width / 2, [r[0] for r in rows],
                  rotation=25, ha="right", fontsize=8)
    ax.set_ylabel("time / numpy reference")
    ax.legend()
    fig.tight_layout()

# %%
# How to read it:
#
# * **/ref** is framework time over numpy-reference time, both measured in
#   the same process. 1.0 means as fast as careful hand-written numpy; the
#   excess is what autograd, modules and the optimizer cost.
# * **/torch** divides nanotorch's /ref by torch's /ref. Below 1, nanotorch
#   is faster than PyTorch on that workload; above 1, slower.
# * Small workloads (the op chain, the lecture's network with 10 hidden
#   units) measure the fixed cost of each op in Python. Large ones (the MLP
#   with 1024-unit layers, the convolutional sentiment model) measure BLAS and
#   memory traffic, where every implementation should be near 1.
# * The milliseconds depend on the machine; compare ratios, not times.
#
# A measurement of our own
# ------------------------
# The lecture's network with 10 hidden units on 50 points, one SGD step,
# written twice. First by hand in numpy, the way the reference is written:
# every derivative worked out on paper.

rng = np.random.default_rng(0)
N, H = 50, 10
X = rng.random((N, 2), dtype=np.float32)
y = (X[:, 0] < 0.5).astype(np.float32)
init = [rng.normal(0, 0.5, s).astype(np.float32) for s in [(2, H), (H,), (H, H), (H,), (H, 1), (1,)]]


def numpy_step(W1, b1, W2, b2, W3, b3, lr=0.5):
    a1 = X @ W1 + b1
    h1 = np.maximum(a1, 0)
    a2 = h1 @ W2 + b2
    h2 = np.maximum(a2, 0)
    z = (h2 @ W3 + b3)[:, 0]
    p = 1 / (1 + np.exp(-z))
    dz = ((p - y) / N)[:, None]            # d(mean BCE)/dz, sigmoid folded in
    dh2 = dz @ W3.T * (a2 > 0)
    dh1 = dh2 @ W2.T * (a1 > 0)
    for param, grad in ((W3, h2.T @ dz), (b3, dz.sum(0)), (W2, h1.T @ dh2),
                        (b2, dh2.sum(0)), (W1, X.T @ dh1), (b1, dh1.sum(0))):
        param -= lr * grad


# %%
# Then with nanotorch, torch-style: no derivative written by hand.

params = [torch.tensor(p, requires_grad=True) for p in init]
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
optimizer = torch.optim.SGD(params, lr=0.5)
loss_fn = torch.nn.BCEWithLogitsLoss()


def nanotorch_step():
    W1, b1, W2, b2, W3, b3 = params
    h = (Xt @ W1 + b1).relu()
    h = (h @ W2 + b2).relu()
    loss = loss_fn((h @ W3 + b3)[:, 0], yt)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def best_time(step, repeat=5, number=100):
    """Seconds per call: the fastest of ``repeat`` blocks of ``number`` calls."""
    step()  # warm-up: compiled kernels, caches
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            step()
        best = min(best, (time.perf_counter() - start) / number)
    return best


ref_params = [p.copy() for p in init]
t_ref = best_time(lambda: numpy_step(*ref_params))
t_nt = best_time(nanotorch_step)
print(f"numpy by hand: {t_ref * 1e6:7.0f} us per step")
print(f"nanotorch:     {t_nt * 1e6:7.0f} us per step   (/ref = {t_nt / t_ref:.1f})")

# %%
# Where does the time go? Not into arithmetic: a step is under a hundred
# thousand FLOPs (tutorial 3), microseconds of work for a CPU. It goes into
# the fixed cost of each op: creating a tensor, recording a node on the tape,
# running the node's backward, each a few Python calls. The same idea
# measured directly: a chain of ``k`` multiplications on a 10 x 10 tensor,
# then ``sum().backward()``, against ``k`` bare numpy multiplications.

a_np = rng.uniform(0.99, 1.01, (10, 10)).astype(np.float32)
a_t = torch.from_numpy(a_np)


def chain_numpy(k):
    v = a_np
    for _ in range(k):
        v = v * a_np
    return v


def chain_nanotorch(k):
    x = torch.ones(10, 10, requires_grad=True)
    v = x
    for _ in range(k):
        v = v * a_t
    v.sum().backward()


lengths = [10, 50, 100, 200]
per_op_np = [best_time(lambda: chain_numpy(k), number=20) / k * 1e6 for k in lengths]
per_op_nt = [best_time(lambda: chain_nanotorch(k), number=20) / k * 1e6 for k in lengths]
for k, a, b in zip(lengths, per_op_np, per_op_nt):
    print(f"chain of {k:3d}: numpy {a:5.2f} us/op, nanotorch {b:5.2f} us/op (forward + backward)")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(lengths, per_op_nt, "o-", label="nanotorch (forward + backward + tape)")
ax.plot(lengths, per_op_np, "s-", label="numpy (forward only)")
ax.set_xlabel("ops in the chain")
ax.set_ylabel("microseconds per op")
ax.set_ylim(bottom=0)
ax.legend()
ax.set_title("Per-op cost on a 10 x 10 tensor")
fig.tight_layout()

# %%
# Past the first few ops (whose share of the fixed cost of ``backward``
# is larger), the per-op cost levels off: the backward engine walks the tape
# without recursion, and each op pays the same few microseconds. Where they
# go: creating the output tensor and its tape entry, and in backward the
# engine's bookkeeping (kept small: a node that one op used runs the moment
# its gradient arrives, and only nodes used several times wait for a count
# of their consumers); the gradients themselves flow as raw arrays, never
# wrapped in tensors, unless ``create_graph=True`` asks for a differentiable
# backward (see :doc:`t2_autodiff_on_tensors`). On
# small tensors that cost is the whole bill, so the ratio to numpy is large;
# on large tensors it vanishes next to the arithmetic, and nanotorch runs at
# numpy's (BLAS's) speed. ``python benchmarks/op_overhead.py --breakdown``
# splits the per-op cost by op kind, and :doc:`t5_backends_and_devices`
# shows how a compiled kernel removes numpy's extra passes over memory.
