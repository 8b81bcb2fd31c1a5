"""Where a training step reads a value back from the device, checked on the CPU.

On a GPU, ``float(x)``, ``int(x)``, ``bool(x)``, ``x.item()`` or ``x.tolist()``
of a device array makes the host wait until every queued kernel has run: the
CPU stops launching work while the GPU drains. GPUs are seldom lent to this
project, so this suite runs the steps on a backend whose arrays are numpy
arrays that note every such read, and pins the places where a step may read:
the range checks of embedding indices, class targets and BCE probabilities,
which raise torch's errors. A new read anywhere else fails here, naming its line.
What it cannot see is a wait inside cupy itself (a boolean-mask assignment
counts the mask on the host, for instance): only a GPU run shows those.
"""
from __future__ import annotations

import collections
import os
import sys

import numpy as np
import pytest

import nanotorch
from nanotorch import backends, nn
from nanotorch.backends.numpy_backend import NumpyBackend

_TENSOR_FILE = os.path.join("nanotorch", "tensor.py")
_reads = None  # Counter of (function, line) while a step is watched, else None


def _note():
    if _reads is None:
        return
    frame = sys._getframe(2)
    while frame.f_code.co_filename.endswith(_TENSOR_FILE):
        frame = frame.f_back  # the line that asked, past Tensor.item() and Tensor.__int__
    _reads[(frame.f_code.co_name, frame.f_lineno)] += 1


class DeviceArray(np.ndarray):
    """A numpy array that notes each read of its values by the host."""


def _noting(name):
    method = getattr(np.ndarray, name)

    def read(self, *args):
        _note()
        return method(self, *args)
    return read


for _name in ("__bool__", "__float__", "__int__", "__index__", "item", "tolist"):
    setattr(DeviceArray, _name, _noting(_name))


def _as_device(value):
    return value.view(DeviceArray) if type(value) is np.ndarray else value


class _DeviceNumpy:
    """numpy, with every function's array result made a DeviceArray (ufuncs keep the subclass
    of their inputs by themselves, and types and modules pass through)."""

    def __getattr__(self, name):
        obj = getattr(np, name)
        if not callable(obj) or isinstance(obj, (type, np.ufunc)):
            return obj

        def call(*args, **kwargs):
            return _as_device(obj(*args, **kwargs))
        return call


class DeviceLikeBackend(NumpyBackend):
    """The numpy backend on DeviceArrays: it runs every kernel as numpy does. Copying an array
    to the host is a read too (cupy's ``asnumpy``)."""

    name = "device-like"

    def __init__(self):
        super().__init__(_DeviceNumpy())

    def asarray(self, data, dtype=None, copy=None):
        return _as_device(NumpyBackend.asarray(self, data, dtype, copy))

    def to_numpy(self, array):
        if type(array) is DeviceArray:
            _note()
        return np.asarray(array)

    def is_array(self, value):
        return isinstance(value, np.ndarray)


def _on_device(*items):
    """Move the data of tensors and of modules' parameters onto the device-like backend (CPU
    factories make plain numpy arrays; everything computed from these is a DeviceArray)."""
    backend = backends.get_backend("device-like")
    for item in items:
        tensors = list(item.parameters()) if isinstance(item, nn.Module) else [item]
        for t in tensors:
            t._data, t._backend = t._data.view(DeviceArray), backend


@pytest.fixture
def device_like(monkeypatch):
    monkeypatch.setitem(backends._FACTORIES, "device-like", DeviceLikeBackend)
    yield
    backends._INSTANCES.pop("device-like", None)


def _reads_per_step(model, loss_fn, opt, steps=2):
    """The host reads of one training step, as {"function:line": count}, over ``steps`` steps
    run after a first one (optimizer state made, kernels warm)."""
    global _reads

    def step():
        opt.zero_grad()
        loss_fn(model).backward()
        opt.step()

    step()
    _reads = collections.Counter()
    try:
        for _ in range(steps):
            step()
        seen = _reads
    finally:
        _reads = None
    return {f"{function}:{line}": n // steps for (function, line), n in seen.items()}


def _functions(reads):
    return {site.split(":")[0] for site in reads}


def test_the_backend_notes_reads_and_the_tensors_use_it(device_like):
    x = nanotorch.ones(3)
    _on_device(x)
    assert type(x._data) is DeviceArray and type((x * 2).sum()._data) is DeviceArray
    global _reads
    _reads = collections.Counter()
    try:
        (x * 2).sum().item()
        noted = sum(_reads.values())
    finally:
        _reads = None
    assert noted == 1


def test_mlp_step_reads_only_the_targets_range(device_like):
    """Cross-entropy checks its targets (torch's IndexError); nothing else is read."""
    nanotorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    x, y = nanotorch.randn(32, 8), nanotorch.randint(0, 4, (32,))
    _on_device(model, x, y)
    opt = nanotorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    reads = _reads_per_step(model, lambda m: nn.functional.cross_entropy(m(x), y), opt)
    assert _functions(reads) == {"nll_loss"}, reads
    assert sum(reads.values()) <= 3, reads  # ignore_index present? min, max


def test_lecture_step_reads_only_the_probabilities_range(device_like):
    nanotorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.Sigmoid())
    x, y = nanotorch.rand(50, 2), (nanotorch.rand(50, 1) > 0.5).float()
    _on_device(model, x, y)
    opt = nanotorch.optim.SGD(model.parameters(), lr=0.5)
    reads = _reads_per_step(model, lambda m: nn.functional.binary_cross_entropy(m(x), y), opt)
    assert _functions(reads) == {"binary_cross_entropy"}, reads


class _Pooled(nn.Module):
    """The sentiment models' shape: embedding, masked pooling over time, a linear head."""

    def __init__(self, conv):
        super().__init__()
        self.embed = nn.Embedding(30, 6, padding_idx=0)
        self.conv = nn.Conv1d(6, 5, 3, padding=1) if conv else None
        self.head = nn.Linear(5 if conv else 6, 1)

    def forward(self, tokens):
        h = self.embed(tokens)                                # (B, L, 6)
        if self.conv is not None:
            h = self.conv(h.transpose(1, 2)).relu().transpose(1, 2)
        pad = (tokens == 0).unsqueeze(-1)
        if self.conv is not None:
            pooled = h.masked_fill(pad, float("-inf")).amax(1)
        else:
            pooled = h.masked_fill(pad, 0.0).sum(1) / (~pad).sum(1).clamp(min=1)
        return self.head(pooled).sigmoid()


@pytest.mark.parametrize("conv", [False, True], ids=["mean_pooling", "conv_max_pooling"])
def test_sentiment_step_reads_only_the_index_and_probability_ranges(device_like, conv):
    nanotorch.manual_seed(0)
    model = _Pooled(conv)
    tokens = nanotorch.randint(1, 30, (4, 7))
    tokens[:, 5:] = 0
    y = nanotorch.tensor([[1.0], [0.0], [1.0], [0.0]])
    _on_device(model, tokens, y)
    opt = nanotorch.optim.Adam(model.parameters(), lr=1e-2)
    reads = _reads_per_step(model, lambda m: nn.functional.binary_cross_entropy(m(tokens), y), opt)
    assert _functions(reads) == {"embedding", "binary_cross_entropy"}, reads
