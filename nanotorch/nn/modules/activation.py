"""Activation layers: elementwise nonlinearities and (log-)softmax, as modules."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """max(x, 0) elementwise. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.ReLU()(nanotorch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else ``negative_slope * x``. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.LeakyReLU(0.1)(nanotorch.tensor([-1.0, 2.0]))
    tensor([-0.1000,  2.0000])
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.Sigmoid()(nanotorch.tensor([0.0]))
    tensor([0.5000])
    """

    def forward(self, input):
        return input.sigmoid()


class Tanh(Module):
    """tanh(x) elementwise. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.Tanh()(nanotorch.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, input):
        return input.tanh()


class GELU(Module):
    """x * Phi(x), or its tanh approximation with ``approximate='tanh'``. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.GELU()(nanotorch.tensor([1.0]))
    tensor([0.8413])
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.Softmax(dim=1)(nanotorch.zeros(1, 2))
    tensor([[0.5000, 0.5000]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x - logsumexp(x) along ``dim``. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.LogSoftmax(dim=1)(nanotorch.zeros(1, 2))
    tensor([[-0.6931, -0.6931]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
