"""``Conv1d`` and ``Conv2d``: learned filters slid over a sequence or an image.

Both run :func:`nanotorch.nn.functional.conv1d` / ``conv2d`` (im2col +
matmul, see ``nanotorch/ops/conv.py``). Padding modes other than zeros pad
first with index selections, then convolve without padding.
"""
from __future__ import annotations

import math

from ..._creation import empty
from ...ops.conv import conv_nd, conv_out_padding, mode_pad, ntuple
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d"]

_PADDING_STRINGS = {"same", "valid"}
_PADDING_MODES = ["zeros", "reflect", "replicate", "circular"]


class _ConvNd(Module):
    _dims = 0
    _name = ""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        n = self._dims
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.stride = ntuple(stride, n, "stride", self._name)
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = ntuple(padding, n, "padding", self._name)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", self._name)
        self.padding = padding
        self.dilation = ntuple(dilation, n, "dilation", self._name)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(empty((out_channels, in_channels // groups, *self.kernel_size),
                                      device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw the weight and bias as torch does: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        # kaiming_uniform_ with a=sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C/groups * prod(k)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels // self.groups * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return conv_nd(self._dims, self._name, input, self.weight, self.bias, self.stride,
                           self.padding, self.dilation, self.groups)
        if self.padding == "valid":
            pads = ((0, 0),) * self._dims
        elif self.padding == "same":
            pads = conv_out_padding(self.kernel_size, self.dilation)
        else:
            pads = tuple((p, p) for p in self.padding)
        return conv_nd(self._dims, self._name, mode_pad(input, pads, self.padding_mode),
                       self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self):
        n = self._dims
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)``: slide ``out_channels`` filters of ``kernel_size`` along L.

    For text: embed tokens to ``(N, L, D)``, ``transpose(1, 2)`` to
    ``(N, D, L)``, and ``Conv1d(D, C, 3)`` scores every 3-word window.
    Arguments as torch's: ``stride``, ``padding`` (int, tuple, ``'valid'``,
    ``'same'``), ``dilation``, ``groups``, ``bias``, ``padding_mode``
    (``'zeros'``, ``'reflect'``, ``'replicate'``, ``'circular'``).

    Shapes: ``(N, C_in, L)`` or ``(C_in, L)`` -> ``(N, C_out, L_out)``,
    ``L_out = (L + 2*padding - dilation*(kernel_size-1) - 1) // stride + 1``;
    ``weight`` is ``(C_out, C_in/groups, kernel_size)``, ``bias`` ``(C_out,)``.

    >>> import nanotorch
    >>> conv = nanotorch.nn.Conv1d(50, 100, 3)
    >>> conv
    Conv1d(50, 100, kernel_size=(3,), stride=(1,))
    >>> conv(nanotorch.zeros(8, 50, 20)).shape
    nanotorch.Size([8, 100, 18])
    """

    _dims = 1
    _name = "conv1d"


class Conv2d(_ConvNd):
    """2-D convolution over ``(N, C_in, H, W)``, as ``torch.nn.Conv2d``.

    Arguments as :class:`Conv1d`, each an int or a pair (height, width).
    Shapes: ``(N, C_in, H, W)`` or ``(C_in, H, W)`` -> ``(N, C_out, H_out, W_out)``;
    ``weight`` is ``(C_out, C_in/groups, kH, kW)``.

    >>> import nanotorch
    >>> conv = nanotorch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
    >>> conv
    Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
    >>> conv(nanotorch.zeros(2, 3, 32, 32)).shape
    nanotorch.Size([2, 8, 16, 16])
    """

    _dims = 2
    _name = "conv2d"
