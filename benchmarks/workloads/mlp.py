"""Workload c: an MNIST-sized MLP, 784-1024-1024-10, batch 512, cross-entropy, SGD momentum 0.9.

Here the matmuls dominate (about 5.6 GFLOP per step), so every
implementation should sit close to the BLAS floor; a ratio far above 1 means
extra copies, a slow reduction or a non-BLAS matmul path.
"""
from __future__ import annotations

import numpy as np

from common import Impl, load_module, module_state
from workloads import Workload
from workloads._shared import (F32, SGD, copy_params, cross_entropy, linear_bwd, linear_fwd,
                               linear_params, relu_, relu_bwd_)

LR, MOMENTUM = 0.01, 0.9
NAMES = [f"fc{i}.{p}" for i in (1, 2, 3) for p in ("weight", "bias")]


def setup(cfg, seed=0):
    """Weights drawn like torch's Linear; random pixels in [0, 1) and random class labels."""
    rng = np.random.default_rng(seed)
    b, h = cfg["batch"], cfg["hidden"]
    data = {}
    data.update(linear_params(rng, "fc1", 784, h))
    data.update(linear_params(rng, "fc2", h, h))
    data.update(linear_params(rng, "fc3", h, 10))
    data["X"] = rng.uniform(0, 1, (b, 784)).astype(F32)
    data["target"] = rng.integers(0, 10, b).astype(np.int64)
    return data


class NumpyRef(Impl):
    """Forward, softmax-CE gradient, manual backward, SGD with a momentum buffer."""

    def __init__(self, cfg, data):
        self.p = copy_params(data, NAMES)
        self.X, self.target = data["X"], data["target"]
        self.opt = SGD(self.p, LR, momentum=MOMENTUM)

    def step(self):
        p, X = self.p, self.X
        h1 = relu_(linear_fwd(X, p["fc1.weight"], p["fc1.bias"]))
        h2 = relu_(linear_fwd(h1, p["fc2.weight"], p["fc2.bias"]))
        z = linear_fwd(h2, p["fc3.weight"], p["fc3.bias"])
        loss, dz = cross_entropy(z, self.target)

        dh2, dW3, db3 = linear_bwd(dz, h2, p["fc3.weight"])
        dh1, dW2, db2 = linear_bwd(relu_bwd_(dh2, h2), h1, p["fc2.weight"])
        _, dW1, db1 = linear_bwd(relu_bwd_(dh1, h1), X, p["fc1.weight"], need_dx=False)
        self.opt.step({"fc1.weight": dW1, "fc1.bias": db1, "fc2.weight": dW2,
                       "fc2.bias": db2, "fc3.weight": dW3, "fc3.bias": db3})
        return loss

    def state(self):
        return dict(self.p)


def make_mlp(fw, hidden):
    """784-hidden-hidden-10 with ReLU, as an ``fw.nn.Module`` subclass."""
    nn = fw.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.fc3 = nn.Linear(hidden, 10)

        def forward(self, x):
            x = fw.relu(self.fc1(x))
            x = fw.relu(self.fc2(x))
            return self.fc3(x)

    return MLP()


class FrameworkMLP(Impl):
    """zero_grad, forward, F.cross_entropy, backward, SGD(momentum=0.9).step."""

    def __init__(self, fw, cfg, data, device):
        self.F = fw.nn.functional
        self.model = load_module(fw, make_mlp(fw, cfg["hidden"]).to(device), data, device)
        self.X = fw.tensor(data["X"], device=device)
        self.target = fw.tensor(data["target"], device=device)
        self.opt = fw.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def step(self):
        self.opt.zero_grad()
        loss = self.F.cross_entropy(self.model(self.X), self.target)
        loss.backward()
        self.opt.step()
        return loss

    def finish(self, loss):
        return loss.item()

    def state(self):
        return module_state(self.model)


def workloads(quick=False):
    # --quick keeps the shapes (they are what the workload is about); it only times fewer blocks
    return [Workload(name="mlp", label="mlp 784-1024-1024-10 B=512", cfg={"batch": 512, "hidden": 1024},
                     setup=setup, numpy_ref=NumpyRef, framework=FrameworkMLP)]
