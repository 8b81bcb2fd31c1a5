"""The smallest tape that runs the op chain: what any Python autograd pays per op, at least.

``fw`` below is a stand-in framework module for ``workloads.op_chain.chain``,
so the floor runs *the same function* as torch and nanotorch. A variable is
two slots (its array and the node that made it), a node is three (its one
parent, its derivative, the array the derivative reads), and backward is one
loop down the chain. Everything a real framework adds is missing on purpose:
no dtype, device or shape checks, no broadcasting, no second input that needs
a gradient, no dependency counting, grad mode, version counters, hooks or
profiler. The gap between this and nanotorch is the price of those features;
the gap between this and the numpy reference is the price of a Python object
per op and a Python call per derivative.

    >>> import numpy as np
    >>> x = Variable(np.array([0.5, -1.0]))
    >>> backward(fw.relu(x * 2.0) - 1.0)
    array([2., 0.])
"""
from __future__ import annotations

import types

import numpy as np

from common import Impl
from workloads.op_chain import chain

_new = object.__new__


class _Node:
    __slots__ = ("parent", "derivative", "saved")


class Variable:
    """An array and the node that made it (None for the leaf)."""

    __slots__ = ("data", "node")

    def __init__(self, data):
        self.data, self.node = data, None

    # The chain's second operands are constants: a float or a Variable that needs no gradient.
    def __mul__(self, other):
        c = other.data if type(other) is Variable else other
        return _record(self, self.data * c, _scaled, c)

    def __truediv__(self, other):
        return self * (1.0 / other)

    def __add__(self, other):
        return _record(self, self.data + _raw(other), _passed, None)

    def __sub__(self, other):
        return _record(self, self.data - _raw(other), _passed, None)


def _raw(value):
    return value.data if type(value) is Variable else value


def _record(x, data, derivative, saved):
    node = _new(_Node)
    node.parent, node.derivative, node.saved = x.node, derivative, saved
    out = _new(Variable)
    out.data, out.node = data, node
    return out


def _map(x, data, derivative):
    """A one-input op whose derivative reads its output."""
    return _record(x, data, derivative, data)


def _passed(g, _):
    return g


def _scaled(g, c):
    return g * c


def _tanh_back(g, t):
    return g * (1 - t * t)


def _sigmoid_back(g, s):
    return g * (s * (1 - s))


def _relu_back(g, r):
    return g * (r > 0)


fw = types.SimpleNamespace(
    tanh=lambda x: _map(x, np.tanh(x.data), _tanh_back),
    sigmoid=lambda x: _map(x, 1 / (1 + np.exp(-x.data)), _sigmoid_back),
    relu=lambda x: _map(x, np.maximum(x.data, 0), _relu_back),
    exp=lambda x: _map(x, np.exp(x.data), _scaled),
)


def backward(y):
    """d sum(y) / d leaf: one derivative call per node, down the single chain."""
    g = np.ones_like(y.data)
    node = y.node
    while node is not None:
        g = node.derivative(g, node.saved)
        node = node.parent
    return g


class MinimalTapeChain(Impl):
    """Workload a's step run by the minimal tape: ``chain`` forward, then ``backward``."""

    def __init__(self, data):
        self.x, self.a, self.b = (Variable(data[k]) for k in ("x", "a", "b"))

    def step(self):
        return backward(chain(fw, self.x, self.a, self.b))

    def finish(self, g):
        return float(g.sum())
