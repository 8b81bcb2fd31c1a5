"""``Linear`` and ``Identity``: the lecture's fully connected layer and a no-op."""
from __future__ import annotations

import math

from ..._creation import empty
from .. import functional as F, init
from ..parameter import Parameter
from .module import Module

__all__ = ["Linear", "Identity"]


class Linear(Module):
    """y = x @ weight.T + bias.

    Shapes: input ``(*, in_features)`` -> ``(*, out_features)``; ``weight``
    is ``(out_features, in_features)``, ``bias`` ``(out_features,)``. Both
    start as torch's do: U(-1/sqrt(in_features), 1/sqrt(in_features)).

    >>> import nanotorch
    >>> layer = nanotorch.nn.Linear(2, 3)
    >>> layer
    Linear(in_features=2, out_features=3, bias=True)
    >>> layer(nanotorch.zeros(5, 2)).shape
    nanotorch.Size([5, 3])
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias with torch's default initialisation."""
        # kaiming_uniform_ with a=sqrt(5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged (arguments to the constructor are ignored).

    >>> import nanotorch
    >>> x = nanotorch.ones(2)
    >>> nanotorch.nn.Identity(54, unused="x")(x) is x
    True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
