"""Workload d: the lecture's sentiment classifier with pooled word embeddings.

A batch of 64 sentences padded to length 50, token ids into a frozen
20,000 x 50 embedding table (row 0 is the padding word), pooled over the
sentence, then Linear(50, 100) -> ReLU -> Linear(100, 1) -> sigmoid, BCE and
an Adam step. Two poolings:

* ``sentiment_mean``: masked mean, ``(emb * mask).sum(1) / length``;
* ``sentiment_max``: max over time after ``masked_fill(pad, -inf)``.

The table is frozen, so backward stops at the pooled vector; what is timed is
the gather, the pooling and a small MLP: a typical "many medium ops" step.
This module also owns the data that ``sentiment_conv`` reuses.
"""
from __future__ import annotations

import numpy as np

from common import Impl, load_module, module_state
from workloads import Workload
from workloads._shared import (F32, Adam, bce_with_sigmoid, copy_params, linear_bwd, linear_fwd,
                               linear_params, relu_, relu_bwd_, sigmoid)

VOCAB, DIM, HIDDEN = 20_000, 50, 100
LR = 1e-3
MIN_LEN = 5      # shortest sentence; >= 3 so that a width-3 convolution sees a full window
MLP_NAMES = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def sentence_data(rng, batch, length):
    """The frozen table, a padded batch of token ids, its masks and its labels.

    Returns ``embed.weight`` (VOCAB, DIM), ``tokens`` (B, L) int64 with 0 as
    padding, ``mask`` (B, L) float 1/0, ``pad`` (B, L) bool, ``lengths`` (B,)
    float, ``y`` (B, 1) float labels.
    """
    table = rng.standard_normal((VOCAB, DIM)).astype(F32) * F32(0.5)
    table[0] = 0
    lengths = rng.integers(MIN_LEN, length + 1, batch)
    pad = np.arange(length)[None, :] >= lengths[:, None]
    tokens = rng.integers(1, VOCAB, (batch, length)).astype(np.int64)
    tokens[pad] = 0
    return {
        "embed.weight": table,
        "tokens": tokens,
        "mask": (~pad).astype(F32),
        "pad": pad,
        "lengths": lengths.astype(F32),
        "y": rng.integers(0, 2, (batch, 1)).astype(F32),
    }


def setup(cfg, seed=0):
    rng = np.random.default_rng(seed)
    data = sentence_data(rng, cfg["batch"], cfg["length"])
    data.update(linear_params(rng, "fc1", DIM, HIDDEN))
    data.update(linear_params(rng, "fc2", HIDDEN, 1))
    return data


class NumpyRef(Impl):
    """Gather, pool, MLP forward, fused sigmoid+BCE gradient, manual backward, Adam."""

    def __init__(self, cfg, data):
        self.pool = cfg["pool"]
        self.p = copy_params(data, MLP_NAMES)
        self.table = data["embed.weight"]
        self.tokens, self.y = data["tokens"], data["y"]
        self.mask = data["mask"][:, None, :]          # (B, 1, L): mean pooling is a batched matmul
        self.inv_len = (1.0 / data["lengths"])[:, None].astype(F32)
        self.pad = data["pad"]
        self.opt = Adam(self.p, LR)

    def step(self):
        p = self.p
        emb = self.table[self.tokens]                 # (B, L, D), a fresh gather we own
        if self.pool == "mean":
            pooled = np.matmul(self.mask, emb)[:, 0, :]
            pooled *= self.inv_len
        else:
            emb[self.pad] = -np.inf
            pooled = emb.max(axis=1)
        h = relu_(linear_fwd(pooled, p["fc1.weight"], p["fc1.bias"]))
        prob = sigmoid(linear_fwd(h, p["fc2.weight"], p["fc2.bias"]))
        loss, dz = bce_with_sigmoid(prob, self.y)

        dh, dW2, db2 = linear_bwd(dz, h, p["fc2.weight"])
        _, dW1, db1 = linear_bwd(relu_bwd_(dh, h), pooled, p["fc1.weight"], need_dx=False)
        self.opt.step({"fc1.weight": dW1, "fc1.bias": db1, "fc2.weight": dW2, "fc2.bias": db2})
        return loss

    def state(self):
        return dict(self.p)


def make_pool_net(fw, table, pool):
    """Embedding (frozen, from the pretrained table) -> pooling -> MLP, as an ``fw.nn.Module``."""
    nn = fw.nn

    class PoolNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding.from_pretrained(table, freeze=True)
            self.fc1 = nn.Linear(DIM, HIDDEN)
            self.fc2 = nn.Linear(HIDDEN, 1)

        def forward(self, tokens, mask, pad, lengths):
            e = self.embed(tokens)                                          # (B, L, D)
            if pool == "mean":
                h = (e * mask.unsqueeze(-1)).sum(1) / lengths.unsqueeze(-1)
            else:
                h = e.masked_fill(pad.unsqueeze(-1), float("-inf")).max(dim=1)[0]
            h = fw.relu(self.fc1(h))
            return fw.sigmoid(self.fc2(h))

    return PoolNet()


class FrameworkPool(Impl):
    """The torch-style step; Adam gets every parameter, the frozen table included (it has no grad)."""

    def __init__(self, fw, cfg, data, device):
        self.F = fw.nn.functional
        table = fw.tensor(data["embed.weight"], device=device)
        self.model = load_module(fw, make_pool_net(fw, table, cfg["pool"]).to(device), data, device)
        self.inputs = [fw.tensor(data[k], device=device) for k in ("tokens", "mask", "pad", "lengths")]
        self.y = fw.tensor(data["y"], device=device)
        self.opt = fw.optim.Adam(self.model.parameters(), lr=LR)

    def step(self):
        self.opt.zero_grad()
        loss = self.F.binary_cross_entropy(self.model(*self.inputs), self.y)
        loss.backward()
        self.opt.step()
        return loss

    def finish(self, loss):
        return loss.item()

    def state(self):
        return module_state(self.model)


def workloads(quick=False):
    return [
        Workload(name=f"sentiment_{pool}", label=f"sentiment_{pool} B=64 L=50",
                 cfg={"pool": pool, "batch": 64, "length": 50},
                 setup=setup, numpy_ref=NumpyRef, framework=FrameworkPool)
        for pool in ("mean", "max")
    ]
