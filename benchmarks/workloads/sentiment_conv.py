"""Workload e: the sentiment classifier with a 1-D convolution instead of pooling.

The embedded batch is put channels-first, (B, 50, L), as ``nn.Conv1d``
expects; Conv1d(50, 100, kernel 3) -> ReLU -> max over time (positions whose
window reaches into the padding are masked with -inf) -> Linear(100, 1) ->
sigmoid -> BCE -> Adam. The convolution's weights train, so backward runs
through the max (a scatter to the argmax) and the convolution (a matmul with
the unfolded input): the framework's conv path is what this row measures.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from common import Impl, load_module, module_state
from workloads import Workload
from workloads._shared import (F32, Adam, bce_with_sigmoid, copy_params, linear_bwd, linear_fwd,
                               linear_params, sigmoid)
from workloads.sentiment import DIM, LR, sentence_data

CHANNELS, KERNEL = 100, 3
NAMES = ["conv.weight", "conv.bias", "fc.weight", "fc.bias"]


def setup(cfg, seed=0):
    """The sentence batch of `sentiment`, conv weights drawn like torch's Conv1d, and the output mask."""
    rng = np.random.default_rng(seed)
    data = sentence_data(rng, cfg["batch"], cfg["length"])
    conv = linear_params(rng, "conv", DIM * KERNEL, CHANNELS)   # Conv1d's fan_in is in_ch * kernel
    data["conv.weight"] = conv["conv.weight"].reshape(CHANNELS, DIM, KERNEL)
    data["conv.bias"] = conv["conv.bias"]
    data.update(linear_params(rng, "fc", CHANNELS, 1))
    # output position t sees tokens t..t+2: it is padding-free while t + KERNEL <= length
    t = np.arange(cfg["length"] - KERNEL + 1)
    data["pad_out"] = t[None, :] + KERNEL > data["lengths"][:, None].astype(np.int64)
    return data


class NumpyRef(Impl):
    """im2col convolution as one matmul, masked max with argmax, manual backward, Adam."""

    def __init__(self, cfg, data):
        self.p = copy_params(data, NAMES)
        self.table, self.tokens, self.y = data["embed.weight"], data["tokens"], data["y"]
        self.pad_out = data["pad_out"]
        self.opt = Adam(self.p, LR)

    def step(self):
        p = self.p
        emb = self.table[self.tokens]                         # (B, L, D)
        B, L, D = emb.shape
        T = L - KERNEL + 1
        # cols[b, t, d, k] = emb[b, t + k, d]: the (d, k) order of Conv1d's weight (out, in, k)
        cols = sliding_window_view(emb, KERNEL, axis=1).reshape(B * T, D * KERNEL)
        W = p["conv.weight"].reshape(CHANNELS, D * KERNEL)
        act = linear_fwd(cols, W, p["conv.bias"]).reshape(B, T, CHANNELS)
        np.maximum(act, 0, out=act)
        act[self.pad_out] = -np.inf
        idx = act.argmax(axis=1)                              # (B, C): where each channel's max is
        pooled = np.take_along_axis(act, idx[:, None, :], axis=1)[:, 0, :]
        prob = sigmoid(linear_fwd(pooled, p["fc.weight"], p["fc.bias"]))
        loss, dz = bce_with_sigmoid(prob, self.y)

        dpooled, dWf, dbf = linear_bwd(dz, pooled, p["fc.weight"])
        dpooled *= pooled > 0                                 # relu, evaluated at the max
        dact = np.zeros((B, T, CHANNELS), F32)
        np.put_along_axis(dact, idx[:, None, :], dpooled[:, None, :], axis=1)
        dWc = (dact.reshape(B * T, CHANNELS).T @ cols).reshape(CHANNELS, D, KERNEL)
        dbc = dpooled.sum(axis=0)
        self.opt.step({"conv.weight": dWc, "conv.bias": dbc, "fc.weight": dWf, "fc.bias": dbf})
        return loss

    def state(self):
        return dict(self.p)


def make_conv_net(fw, table):
    """Embedding (frozen) -> Conv1d -> ReLU -> masked max over time -> Linear -> sigmoid."""
    nn = fw.nn

    class ConvNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding.from_pretrained(table, freeze=True)
            self.conv = nn.Conv1d(DIM, CHANNELS, KERNEL)
            self.fc = nn.Linear(CHANNELS, 1)

        def forward(self, tokens, pad_out):
            x = self.embed(tokens).transpose(1, 2)                       # (B, D, L)
            h = fw.relu(self.conv(x))                                    # (B, C, L - 2)
            h = h.masked_fill(pad_out.unsqueeze(1), float("-inf")).max(dim=2)[0]
            return fw.sigmoid(self.fc(h))

    return ConvNet()


class FrameworkConv(Impl):
    def __init__(self, fw, cfg, data, device):
        self.F = fw.nn.functional
        table = fw.tensor(data["embed.weight"], device=device)
        self.model = load_module(fw, make_conv_net(fw, table).to(device), data, device)
        self.tokens = fw.tensor(data["tokens"], device=device)
        self.pad_out = fw.tensor(data["pad_out"], device=device)
        self.y = fw.tensor(data["y"], device=device)
        self.opt = fw.optim.Adam(self.model.parameters(), lr=LR)

    def step(self):
        self.opt.zero_grad()
        loss = self.F.binary_cross_entropy(self.model(self.tokens, self.pad_out), self.y)
        loss.backward()
        self.opt.step()
        return loss

    def finish(self, loss):
        return loss.item()

    def state(self):
        return module_state(self.model)


def workloads(quick=False):
    return [Workload(name="sentiment_conv", label="sentiment_conv B=64 L=50 C=100 k=3",
                     cfg={"batch": 64, "length": 50},
                     setup=setup, numpy_ref=NumpyRef, framework=FrameworkConv)]

