"""``nanotorch.nn.init``: fill weights in place with torch's initialisation schemes.

Each function takes a tensor, fills it without recording a graph and
returns it. ``fan_in`` of a weight of shape ``(out, in, *kernel)`` is
``in * prod(kernel)`` and ``fan_out`` is ``out * prod(kernel)``.

>>> import nanotorch
>>> w = nanotorch.empty(3, 5)
>>> _ = nanotorch.nn.init.kaiming_uniform_(w, nonlinearity="relu")
>>> bool((w.abs() <= (6 / 5) ** 0.5).all())
True
"""
from __future__ import annotations

import math
import numbers
import warnings

from ..autograd.grad_mode import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def calculate_gain(nonlinearity, param=None):
    """The recommended gain (std multiplier) for a nonlinearity.

    linear, conv and sigmoid: 1; tanh: 5/3; relu: sqrt(2); selu: 3/4;
    leaky_relu: sqrt(2 / (1 + slope²)) with ``param`` the slope (0.01 by default).

    >>> round(calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, numbers.Number):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight of at least 2 dims: ``(out, in, *kernel)``."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b).

    >>> import nanotorch
    >>> bool((uniform_(nanotorch.empty(4), -1, 1).abs() <= 1).all())
    True
    """
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std²).

    >>> import nanotorch
    >>> normal_(nanotorch.empty(2, 3)).shape
    nanotorch.Size([2, 3])
    """
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor, val):
    """Fill with the number ``val``.

    >>> import nanotorch
    >>> constant_(nanotorch.empty(2), 0.5)
    tensor([0.5000, 0.5000])
    """
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill with ones.

    >>> import nanotorch
    >>> ones_(nanotorch.empty(2))
    tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def zeros_(tensor):
    """Fill with zeros.

    >>> import nanotorch
    >>> zeros_(nanotorch.empty(2))
    tensor([0., 0.])
    """
    return constant_(tensor, 0.0)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    >>> import nanotorch
    >>> bool((xavier_uniform_(nanotorch.empty(3, 5)).abs() <= (6 / 8) ** 0.5).all())
    True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)).

    >>> import nanotorch
    >>> xavier_normal_(nanotorch.empty(3, 5)).shape
    nanotorch.Size([3, 5])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _zero_element(tensor):
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-b, b) with b = sqrt(3) * gain / sqrt(fan), gain from ``nonlinearity`` and ``a``.

    ``mode`` picks ``fan_in`` (default) or ``fan_out``.

    >>> import nanotorch
    >>> kaiming_uniform_(nanotorch.empty(3, 5), a=5 ** 0.5).shape
    nanotorch.Size([3, 5])
    """
    if _zero_element(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std²) with std = gain / sqrt(fan).

    >>> import nanotorch
    >>> kaiming_normal_(nanotorch.empty(3, 5), mode="fan_out").shape
    nanotorch.Size([3, 5])
    """
    if _zero_element(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)
