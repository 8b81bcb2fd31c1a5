"""Workload b: the lecture's network, trained full batch on a 2-D toy set.

Linear(2, H) -> ReLU -> Linear(H, H) -> ReLU -> Linear(H, 1) -> sigmoid,
binary cross-entropy, plain SGD with lr 0.5. Two sizes: H=10 on 50 points
(every tensor is tiny: pure per-op overhead) and H=100 on 150 points.
"""
from __future__ import annotations

import numpy as np

from common import Impl, load_module, module_state
from workloads import Workload
from workloads._shared import (F32, SGD, bce_with_sigmoid, copy_params, linear_bwd, linear_fwd,
                               linear_params, relu_, relu_bwd_, sigmoid)

LR = 0.5
NAMES = [f"layer{i}.{p}" for i in (1, 2, 3) for p in ("weight", "bias")]


def setup(cfg, seed=0):
    """Weights drawn like torch's Linear, and points in the unit square labelled by a diagonal split."""
    rng = np.random.default_rng(seed)
    h, n = cfg["hidden"], cfg["n"]
    data = {}
    data.update(linear_params(rng, "layer1", 2, h))
    data.update(linear_params(rng, "layer2", h, h))
    data.update(linear_params(rng, "layer3", h, 1))
    X = rng.uniform(0, 1, (n, 2)).astype(F32)
    data["X"] = X
    data["y"] = (X[:, :1] + X[:, 1:] > 1.0).astype(F32)   # (N, 1), like the model's output
    return data


class NumpyRef(Impl):
    """Forward, fused sigmoid+BCE gradient, manual backward, in-place SGD."""

    def __init__(self, cfg, data):
        self.p = copy_params(data, NAMES)
        self.X, self.y = data["X"], data["y"]
        self.opt = SGD(self.p, LR)

    def step(self):
        p, X = self.p, self.X
        h1 = relu_(linear_fwd(X, p["layer1.weight"], p["layer1.bias"]))
        h2 = relu_(linear_fwd(h1, p["layer2.weight"], p["layer2.bias"]))
        prob = sigmoid(linear_fwd(h2, p["layer3.weight"], p["layer3.bias"]))
        loss, dz = bce_with_sigmoid(prob, self.y)

        dh2, dW3, db3 = linear_bwd(dz, h2, p["layer3.weight"])
        dh1, dW2, db2 = linear_bwd(relu_bwd_(dh2, h2), h1, p["layer2.weight"])
        _, dW1, db1 = linear_bwd(relu_bwd_(dh1, h1), X, p["layer1.weight"], need_dx=False)
        self.opt.step({"layer1.weight": dW1, "layer1.bias": db1, "layer2.weight": dW2,
                       "layer2.bias": db2, "layer3.weight": dW3, "layer3.bias": db3})
        return loss

    def state(self):
        return dict(self.p)


def make_network(fw, hidden):
    """The lecture's ``Network`` as an ``fw.nn.Module`` subclass."""
    nn = fw.nn

    class Network(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = nn.Linear(2, hidden)
            self.layer2 = nn.Linear(hidden, hidden)
            self.layer3 = nn.Linear(hidden, 1)

        def forward(self, x):
            h = self.layer1(x).relu()
            h = self.layer2(h).relu()
            return self.layer3(h).sigmoid()

    return Network()


class FrameworkNet(Impl):
    """The usual torch training step: zero_grad, forward, loss, backward, step."""

    def __init__(self, fw, cfg, data, device):
        self.F = fw.nn.functional
        self.model = load_module(fw, make_network(fw, cfg["hidden"]).to(device), data, device)
        self.X = fw.tensor(data["X"], device=device)
        self.y = fw.tensor(data["y"], device=device)
        self.opt = fw.optim.SGD(self.model.parameters(), lr=LR)

    def step(self):
        self.opt.zero_grad()
        loss = self.F.binary_cross_entropy(self.model(self.X), self.y)
        loss.backward()
        self.opt.step()
        return loss

    def finish(self, loss):
        return loss.item()

    def state(self):
        return module_state(self.model)


def workloads(quick=False):
    return [
        Workload(name="lecture_net", label=f"lecture_net H={h} N={n}", cfg={"hidden": h, "n": n},
                 setup=setup, numpy_ref=NumpyRef, framework=FrameworkNet)
        for h, n in ((10, 50), (100, 150))
    ]
