"""Activation layers: elementwise nonlinearities and (log-)softmax, as modules."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "Softplus", "Hardtanh",
           "ReLU6", "LogSigmoid", "Mish", "Softmax", "LogSoftmax"]


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


class _InPlaceActivation(Module):
    """An activation with only an ``inplace`` flag: ``function(input, inplace)``."""

    function = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self).function(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class SiLU(_InPlaceActivation):
    """x * sigmoid(x) (swish). Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.SiLU()(nanotorch.tensor([0.0, 2.0]))
    tensor([0.0000, 1.7616])
    """

    function = F.silu


class Mish(_InPlaceActivation):
    """x * tanh(softplus(x)). Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.Mish()(nanotorch.tensor([1.0]))
    tensor([0.8651])
    """

    function = F.mish


class ReLU6(_InPlaceActivation):
    """min(max(x, 0), 6). Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.ReLU6()(nanotorch.tensor([-1.0, 9.0]))
    tensor([0., 6.])
    """

    function = F.relu6


class ELU(Module):
    """x where x > 0, else ``alpha * (exp(x) - 1)``. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.ELU()(nanotorch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, and x where beta x > threshold. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.Softplus()(nanotorch.tensor([0.0]))
    tensor([0.6931])
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x limited to [min_val, max_val]. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.Hardtanh()(nanotorch.tensor([-3.0, 0.5]))
    tensor([-1.0000,  0.5000])
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if max_val < min_val:
            raise ValueError("max_val must be greater than or equal to min_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class LogSigmoid(Module):
    """log(sigmoid(x)), finite for any x. Shapes: any -> the same.

    >>> import nanotorch
    >>> nanotorch.nn.LogSigmoid()(nanotorch.tensor([0.0]))
    tensor([-0.6931])
    """

    def forward(self, input):
        return F.logsigmoid(input)


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
