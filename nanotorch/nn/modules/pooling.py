"""Pooling layers: the max or the mean over windows, or over windows fitted to an output size.

Each layer stores its arguments and calls the function of the same name in
:mod:`nanotorch.nn.functional` (``nanotorch/ops/pooling.py``).
"""
from __future__ import annotations

from ...ops import pooling as P
from ...ops.conv import ntuple
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveMaxPool1d"]


class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The max of each window of ``kernel_size`` along the last dim, as ``torch.nn.MaxPool1d``.

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the
    kernel) is -inf; ``return_indices`` also returns the argmax positions.
    Shapes: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)``,
    ``L_out = (L + 2*padding - dilation*(kernel_size-1) - 1) // stride + 1``.

    >>> import nanotorch
    >>> nanotorch.nn.MaxPool1d(2)(nanotorch.tensor([[[1.0, 3.0, 2.0, 5.0]]]))
    tensor([[[3., 5.]]])
    """

    _fn = staticmethod(P.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """The max of each 2-D window, as ``torch.nn.MaxPool2d``; arguments are ints or pairs.

    Shapes: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)``.

    >>> import nanotorch
    >>> pool = nanotorch.nn.MaxPool2d(2)
    >>> pool
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> pool(nanotorch.zeros(1, 3, 8, 8)).shape
    nanotorch.Size([1, 3, 4, 4])
    """

    _fn = staticmethod(P.max_pool2d)


class AvgPool1d(Module):
    """The mean of each window along the last dim, as ``torch.nn.AvgPool1d``.

    Zero padding counts in the mean unless ``count_include_pad=False``.
    Shapes: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)``.

    >>> import nanotorch
    >>> pool = nanotorch.nn.AvgPool1d(2)
    >>> pool
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    >>> pool(nanotorch.tensor([[[1.0, 3.0, 2.0, 6.0]]]))
    tensor([[[2., 4.]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = ntuple(kernel_size, 1, "kernel_size", "avg_pool1d")
        self.stride = ntuple(stride if stride is not None else kernel_size, 1, "stride",
                             "avg_pool1d")
        self.padding = ntuple(padding, 1, "padding", "avg_pool1d")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return P.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """The mean of each 2-D window, as ``torch.nn.AvgPool2d``; arguments are ints or pairs.

    ``divisor_override`` replaces the window size as the divisor.
    Shapes: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)``.

    >>> import nanotorch
    >>> pool = nanotorch.nn.AvgPool2d(2)
    >>> pool
    AvgPool2d(kernel_size=2, stride=2, padding=0)
    >>> pool(nanotorch.ones(1, 1, 4, 4)).shape
    nanotorch.Size([1, 1, 2, 2])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return P.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average pooling to a fixed ``output_size``, whatever the input length.

    ``AdaptiveAvgPool1d(1)`` is the mean over the whole sequence.
    Shapes: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, output_size)``.

    >>> import nanotorch
    >>> nanotorch.nn.AdaptiveAvgPool1d(1)(nanotorch.tensor([[[1.0, 3.0, 2.0, 6.0]]]))
    tensor([[[3.]]])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return P.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """Max pooling to a fixed ``output_size``; ``AdaptiveMaxPool1d(1)`` is max over time.

    Shapes: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, output_size)`` (and the
    argmax positions with ``return_indices``).

    >>> import nanotorch
    >>> nanotorch.nn.AdaptiveMaxPool1d(1)(nanotorch.tensor([[[1.0, 3.0, 2.0, 6.0]]]))
    tensor([[[6.]]])
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return P.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
