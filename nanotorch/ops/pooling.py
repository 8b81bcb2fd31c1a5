"""Pooling: the max or the mean of every window, and adaptive windows that fit an output size.

``MaxPool`` returns each window's max and where it came from; its gradient
goes back to that position only (``MaxPoolBackward``, a scatter-add whose
own gradient is a gather at the same positions). ``AvgPool`` and
``AvgPoolBackward`` are each other's adjoints: the mean of a window, and a
gradient shared evenly over a window. Adaptive average pooling gathers its
windows and takes their means with tensor ops, so it needs no op of its own.
"""
from __future__ import annotations

from ..autograd.function import Function
from .conv import ntuple
from .base import Op
from ._util import wrap


class MaxPool(Function):
    """(N, C, *S) -> values and int64 flat positions in S of every window's max, (N, C, *out).

    Two outputs, so a ``Function`` on tensors; only the values get a gradient.
    """

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_size):
        out, index = x._backend.max_pool(x._data, kernel, stride, padding, dilation, out_size)
        return _values_and_index(ctx, x, out, index)

    @staticmethod
    def backward(ctx, g, _index_grad):
        return (_scatter_back(ctx, g),) + (None,) * 5


class AdaptiveMaxPool1d(Function):
    """(N, C, L) -> max over torch's adaptive windows, and its positions, (N, C, output_size)."""

    @staticmethod
    def forward(ctx, x, output_size):
        out, index = x._backend.adaptive_max_pool1d(x._data, output_size)
        return _values_and_index(ctx, x, out, index)

    @staticmethod
    def backward(ctx, g, _index_grad):
        return _scatter_back(ctx, g), None


def _values_and_index(ctx, x, out, index):
    backend = x._backend
    ctx.x_shape = x._data.shape
    ctx.save_for_backward(wrap(index, backend))
    index = wrap(index, backend)
    ctx.mark_non_differentiable(index)
    # backward gets None, not a zero tensor, for the values when they were not used
    ctx.set_materialize_grads(False)
    return wrap(out, backend), index


def _scatter_back(ctx, g):
    if g is None:
        return None
    (index,) = ctx.saved_tensors
    return MaxPoolBackward.apply(g, index, ctx.x_shape)


class MaxPoolBackward(Op):
    """zeros(input_shape) with ``g`` added at the max positions ``index`` (max pooling's gradient)."""

    @staticmethod
    def forward(ctx, g, index, input_shape):
        ctx.save_for_backward(index)
        return g._backend.max_pool_back(g._data, index._data, input_shape)

    @staticmethod
    def backward(ctx, gg):
        (index,) = ctx.saved_tensors
        n, c = index.shape[:2]
        picked = gg.reshape(n, c, -1).gather(2, index.reshape(n, c, -1))
        return picked.reshape(index.shape), None, None


class AvgPool(Op):
    """(N, C, *S) -> the mean of every window, (N, C, *out)."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_size, count_include_pad, divisor_override):
        ctx.x_shape = x._data.shape
        ctx.args = (kernel, stride, padding, out_size, count_include_pad, divisor_override)
        return x._backend.avg_pool(x._data, *ctx.args)

    @staticmethod
    def backward(ctx, g):
        return (AvgPoolBackward.apply(g, ctx.x_shape, *ctx.args),) + (None,) * 6


class AvgPoolBackward(Op):
    """Each window's gradient, divided by its divisor, added over the window: AvgPool's adjoint."""

    @staticmethod
    def forward(ctx, g, input_shape, kernel, stride, padding, out_size, count_include_pad,
                divisor_override):
        ctx.args = (kernel, stride, padding, out_size, count_include_pad, divisor_override)
        return g._backend.avg_pool_back(g._data, input_shape, *ctx.args)

    @staticmethod
    def backward(ctx, gg):
        return (AvgPool.apply(gg, *ctx.args),) + (None,) * 7


# --- argument checks and output sizes, as torch's functional pooling does them -------------
def _batched(name, input, n, message):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(message.format(name=name, shape=list(input.shape), n1=n + 1, n2=n + 2,
                                          ndim=input.ndim))
    return input if input.ndim == n + 2 else input.unsqueeze(0)


_MAX_DIMS = "{name}: Expected {n1}D or {n2}D (batch mode) tensor with optional 0 dim batch size " \
            "for input, but got:{shape}"
_AVG_DIMS = "Expected {n1} to {n2} dimensions, but got {ndim}-dimensional tensor for argument #1 " \
            "'self' (while checking arguments for {name})"


def _output_size(size, kernel, stride, padding, dilation, ceil_mode):
    reach = dilation * (kernel - 1) + 1
    span = size + 2 * padding - reach
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    # with ceil_mode the last window must still start inside the input or the padding before it
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _geometry(name, x, n, kernel_size, stride, padding, dilation, ceil_mode, pad_limit):
    kernel = ntuple(kernel_size, n, "kernel_size", name)
    stride = kernel if stride is None or stride == [] or stride == () else \
        ntuple(stride, n, "stride", name)
    padding = ntuple(padding, n, "padding", name)
    dilation = ntuple(dilation, n, "dilation", name)
    for label, values in (("kernel_size", kernel), ("stride", stride), ("dilation", dilation)):
        if any(v <= 0 for v in values):
            raise RuntimeError(f"{name}() {label} must be greater than zero, but got "
                               f"{values[0] if n == 1 else list(values)}")
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0 or p > (d * (k - 1) + 1 if pad_limit == "effective" else k) // 2:
            raise RuntimeError(
                f"{name}() padding should be at most half of kernel size, but got padding={p} "
                f"and kernel_size={k}" if pad_limit == "kernel" else
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}")
    size = tuple(x.shape[2:])
    out_size = tuple(_output_size(*a, ceil_mode) for a in zip(size, kernel, stride, padding,
                                                              dilation))
    if any(o <= 0 for o in out_size):
        sizes = "x".join(str(s) for s in (x.shape[1], *size))
        outs = "x".join(str(s) for s in (x.shape[1], *out_size))
        raise RuntimeError(f"Given input size: ({sizes}). Calculated output size: ({outs}). "
                           "Output size is too small")
    return kernel, stride, padding, dilation, out_size


def _check_float(name, x):
    if not x.is_floating_point():
        raise RuntimeError(f'"{name}" not implemented for \'{x.dtype}\'')


def max_pool_nd(n, name, input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                return_indices=False):
    """The body of ``max_pool1d`` (n=1) and ``max_pool2d`` (n=2); ``name`` goes into errors.

    >>> import nanotorch
    >>> max_pool_nd(1, "max_pool1d", nanotorch.tensor([[1.0, 4.0, 2.0]]), 2, 1)
    tensor([[4., 4.]])
    """
    x = _batched(name, input, n, _MAX_DIMS)
    _check_float(name, x)
    geometry = _geometry(name, x, n, kernel_size, stride, padding, dilation, ceil_mode, "kernel")
    out, index = MaxPool.apply(x, *geometry)
    if input.ndim == n + 1:
        out, index = out.squeeze(0), index.squeeze(0)
    return (out, index) if return_indices else out


def avg_pool_nd(n, name, input, kernel_size, stride=None, padding=0, ceil_mode=False,
                count_include_pad=True, divisor_override=None):
    """The body of ``avg_pool1d`` (n=1) and ``avg_pool2d`` (n=2); ``name`` goes into errors.

    >>> import nanotorch
    >>> avg_pool_nd(1, "avg_pool1d", nanotorch.tensor([[1.0, 4.0, 2.0]]), 2, 1)
    tensor([[2.5000, 3.0000]])
    """
    x = _batched(name, input, n, _AVG_DIMS)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    kernel, stride, padding, _, out_size = _geometry(name, x, n, kernel_size, stride, padding, 1,
                                                     ceil_mode, "effective")
    out = AvgPool.apply(x, kernel, stride, padding, out_size, bool(count_include_pad),
                        divisor_override)
    return out if input.ndim == n + 2 else out.squeeze(0)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The max of each window along the last dim, as ``torch.nn.functional.max_pool1d``.

    Shapes: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)`` with
    ``L_out = (L + 2*padding - dilation*(kernel_size-1) - 1) // stride + 1``
    (rounded up with ``ceil_mode``). ``stride`` defaults to ``kernel_size``;
    padding is -inf. With ``return_indices`` also returns the int64 position
    of each max in ``L``.

    >>> import nanotorch
    >>> x = nanotorch.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]])
    >>> nanotorch.nn.functional.max_pool1d(x, 2, stride=1, return_indices=True)
    (tensor([[[3., 3., 5., 5.]]]), tensor([[[1, 1, 3, 3]]]))
    """
    return max_pool_nd(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The max of each 2-D window over the last two dims, as ``torch.nn.functional.max_pool2d``.

    Shapes: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)``;
    ``kernel_size``, ``stride``, ``padding``, ``dilation`` are ints or pairs.
    The indices (``return_indices``) are flat positions in ``H * W``.

    >>> import nanotorch
    >>> x = nanotorch.arange(16.0).reshape(1, 1, 4, 4)
    >>> nanotorch.nn.functional.max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return max_pool_nd(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window along the last dim, as ``torch.nn.functional.avg_pool1d``.

    Shapes: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)``. Zero padding
    counts in the mean unless ``count_include_pad=False``.

    >>> import nanotorch
    >>> x = nanotorch.tensor([[[1.0, 3.0, 2.0, 6.0]]])
    >>> nanotorch.nn.functional.avg_pool1d(x, 2)
    tensor([[[2., 4.]]])
    """
    return avg_pool_nd(1, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each 2-D window, as ``torch.nn.functional.avg_pool2d``.

    Shapes: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)``;
    ``divisor_override`` replaces the window size as the divisor.

    >>> import nanotorch
    >>> x = nanotorch.arange(16.0).reshape(1, 1, 4, 4)
    >>> nanotorch.nn.functional.avg_pool2d(x, 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    return avg_pool_nd(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def _adaptive_size(name, output_size):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int "
                               f"(got {len(output_size)})")
        output_size = output_size[0]
    if output_size < 0:
        raise RuntimeError(f"{name}(): Expected output_size to be non-negative, but got "
                           f"{output_size}")
    return int(output_size)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling whose windows fit ``output_size``, as torch's ``adaptive_avg_pool1d``.

    Window i covers ``[floor(i*L/out), ceil((i+1)*L/out))``; ``output_size=1``
    is the mean over the whole length. Shapes: ``(N, C, L)`` or ``(C, L)`` ->
    ``(N, C, output_size)``.

    >>> import nanotorch
    >>> x = nanotorch.tensor([[[1.0, 3.0, 2.0, 6.0]]])
    >>> nanotorch.nn.functional.adaptive_avg_pool1d(x, 1)
    tensor([[[3.]]])
    """
    name = "adaptive_avg_pool1d"
    size = _adaptive_size(name, output_size)
    if input.ndim not in (2, 3):
        raise RuntimeError(_AVG_DIMS.format(n1=2, n2=3, ndim=input.ndim, name=name))
    _check_float(name, input)
    backend = input._backend
    if input._data.shape[-1] == size:  # windows of one: a copy
        return input.clone()
    # every window gathered into a row of the widest window's width, the extra places zero
    # (not a product with 0/1 weights: an inf would spread to every window as inf * 0 = nan)
    columns, inside, width = backend.adaptive_avg_windows(input.shape[-1], size)
    windows = input[..., wrap(columns, backend)].masked_fill(wrap(~inside, backend), 0.0)
    return windows.sum(-1) / wrap(width.astype(input._data.dtype), backend)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling whose windows fit ``output_size``, as torch's ``adaptive_max_pool1d``.

    Windows as in :func:`adaptive_avg_pool1d`. Shapes: ``(N, C, L)`` or
    ``(C, L)`` -> ``(N, C, output_size)``, plus int64 positions in ``L`` with
    ``return_indices``.

    >>> import nanotorch
    >>> x = nanotorch.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]])
    >>> nanotorch.nn.functional.adaptive_max_pool1d(x, 3)
    tensor([[[3., 5., 5.]]])
    """
    name = "adaptive_max_pool1d"
    size = _adaptive_size(name, output_size)
    if input.ndim not in (2, 3):
        raise RuntimeError(_AVG_DIMS.format(n1=2, n2=3, ndim=input.ndim, name=name))
    _check_float(name, input)
    x = input if input.ndim == 3 else input.unsqueeze(0)
    out, index = AdaptiveMaxPool1d.apply(x, size)
    if input.ndim == 2:
        out, index = out.squeeze(0), index.squeeze(0)
    return (out, index) if return_indices else out
