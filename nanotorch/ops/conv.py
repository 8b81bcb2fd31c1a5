"""Convolution as im2col + matmul: unfold every window into a column, then one matmul.

``Im2Col`` copies each window of the (padded) input into a column, so a
convolution with weight ``(O, C, *k)`` is ``weight.reshape(O, C*prod(k)) @ cols``.
Its adjoint ``Col2Im`` adds columns back onto the input; the two ops are each
other's derivative. ``Conv`` fuses unfold, matmul and bias in its forward;
its backward is ``Col2Im`` of ``weight.T @ grad`` (the input's gradient) and
``grad @ cols.T`` (the weight's), so second derivatives work too.

Groups split the channels into independent convolutions: the weight becomes
``(groups, O/groups, C/groups*prod(k))`` and the columns
``(N, groups, C/groups*prod(k), L)``, and one batched matmul does them all.

A channels-last input (a view whose memory is ordered ``(N, *spatial, C)``,
such as embedded tokens ``(N, L, C)`` transposed for ``Conv1d``) is unfolded
the other way round, by ``Im2Row`` into rows ``(N*L, prod(k)*C)``: each window
is then one contiguous run of memory, the convolution is a single
``rows @ weight.T`` matmul, and the weight's gradient ``g.T @ rows`` needs no
copy of the unfolded input. ``Row2Im`` is its adjoint.
"""
from __future__ import annotations

from ..autograd.grad_mode import state as _grad_state
from .base import Op
from ._util import wrap


def ntuple(value, n, name, fn):
    """``value`` (an int or a sequence of 1 or n ints) as a tuple of n ints, like torch's.

    >>> ntuple(3, 2, "kernel_size", "conv2d"), ntuple([2], 2, "stride", "conv2d")
    ((3, 3), (2, 2))
    """
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = tuple(value) * n
        if len(value) != n:
            raise RuntimeError(
                f"{fn}: expected {name} to be a single integer value or a list of {n} values to "
                f"match the convolution dimensions, but got {name}={list(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


class _Unfold(Op):
    """(N, C, *spatial) -> every window of the input, laid out by the backend kernel ``unfold``.

    Its gradient folds the windows back (``inverse``), summing where they
    overlap; the fold's gradient unfolds again.
    """

    unfold = inverse = None

    @classmethod
    def forward(cls, ctx, x, kernel, stride, padding, dilation, out_size):
        ctx.x_shape = x._data.shape
        ctx.geometry = (kernel, stride, padding, dilation, out_size)
        return getattr(x._backend, cls.unfold)(x._data, *ctx.geometry)

    @classmethod
    def backward(cls, ctx, g):
        return (cls.inverse.apply(g, ctx.x_shape, *ctx.geometry),) + (None,) * 5


class _Fold(Op):
    """Windows -> (N, C, *spatial) ``input_shape``, summed where they overlap (kernel ``fold``)."""

    fold = inverse = None

    @classmethod
    def forward(cls, ctx, windows, input_shape, kernel, stride, padding, dilation, out_size):
        ctx.geometry = (kernel, stride, padding, dilation, out_size)
        return getattr(windows._backend, cls.fold)(windows._data, input_shape, *ctx.geometry)

    @classmethod
    def backward(cls, ctx, g):
        return (cls.inverse.apply(g, *ctx.geometry),) + (None,) * 6


class Im2Col(_Unfold):
    """(N, C, *spatial) -> (N, C*prod(kernel), prod(out_size)), the columns of every window."""

    unfold = "im2col"


class Col2Im(_Fold):
    """Columns -> (N, C, *spatial) ``input_shape``, summing where windows overlap."""

    fold = "col2im"


class Im2Row(_Unfold):
    """(N, C, *spatial) -> (N, prod(out_size), prod(kernel)*C), every window as a channels-last row."""

    unfold = "im2row"


class Row2Im(_Fold):
    """Rows -> (N, C, *spatial) ``input_shape``, summing where windows overlap."""

    fold = "row2im"


Im2Col.inverse, Col2Im.inverse = Col2Im, Im2Col
Im2Row.inverse, Row2Im.inverse = Row2Im, Im2Row


def _channels_last(x):
    """Whether the (N, C, *spatial) array ``x`` is stored as (N, *spatial, C), and not also as (N, C, *spatial)."""
    return (x.ndim > 2 and x.shape[1] > 1 and not x.flags.c_contiguous
            and x.transpose(0, *range(2, x.ndim), 1).flags.c_contiguous)


def _channels_to_end(t):
    """(A, B, *rest) -> (A, *rest, B): the channels-last order of a weight or an output."""
    return t.permute(0, *range(2, t.ndim), 1)


class Conv(Op):
    """Batched N-d convolution (cross-correlation, as torch): x (N, C, *S), weight (O, C/groups, *k).

    Output (N, O, *out_size). ``padding`` is added before each spatial dim;
    after it, whatever the last window reaches ('same' with an even kernel).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups, out_size):
        backend = x._backend
        w = weight._data
        n, out = x._data.shape[0], w.shape[0]
        geometry = (w.shape[2:], stride, padding, dilation, out_size)
        ctx.geometry, ctx.groups, ctx.x_shape = geometry, groups, x._data.shape
        ctx.rows = groups == 1 and _channels_last(x._data)
        if ctx.rows:
            rows = backend.im2row(x._data, *geometry)
            flat = rows.reshape(-1, rows.shape[-1])
            y = backend.matmul(flat, w.transpose(0, *range(2, w.ndim), 1).reshape(out, -1).T)
            if bias is not None:
                y += bias._data
            ctx.save_for_backward(x, weight, wrap(flat, backend))
            # (N*P, O) -> (N, O, *out_size), contiguous: a channels-last output would leave
            # the gradients arriving in the other layout, and numpy's zips on two layouts
            # are 9 times slower than this copy
            return backend.ascontiguousarray(y.reshape(n, *out_size, out).transpose(
                0, len(out_size) + 1, *range(1, len(out_size) + 1)))
        cols = backend.im2col(x._data, *geometry)
        rows = cols.shape[1] // groups  # C/groups * prod(kernel)
        per_group = cols.reshape(n, groups, rows, cols.shape[-1])
        y = backend.matmul(w.reshape(groups, out // groups, rows), per_group)
        y = y.reshape((n, out, *out_size))
        if bias is not None:
            y += bias._data.reshape((out,) + (1,) * len(out_size))
        ctx.save_for_backward(x, weight, wrap(per_group, backend))
        return y

    @staticmethod
    def backward(ctx, g):
        if ctx.rows:
            return Conv._backward_rows(ctx, g)
        x, weight, cols = ctx.saved_tensors
        groups, n = ctx.groups, ctx.x_shape[0]
        out = weight.shape[0]
        rows, length = cols.shape[2], cols.shape[3]
        g = g.reshape(n, groups, out // groups, length)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            gcols = weight.reshape(groups, out // groups, rows).mT @ g
            gx = Col2Im.apply(gcols.reshape(n, groups * rows, length), ctx.x_shape, *ctx.geometry)
        if ctx.needs_input_grad[1]:
            if _grad_state.enabled and x.requires_grad:
                # create_graph: the weight's gradient must be differentiable in x too
                cols = Im2Col.apply(x, *ctx.geometry).reshape(cols.shape)
            # sum over samples and positions as one matmul per group: (G, O/G, N*L) @ (G, N*L, CK)
            g_rows = g.permute(1, 2, 0, 3).reshape(groups, out // groups, n * length)
            col_rows = cols.permute(1, 0, 3, 2).reshape(groups, n * length, rows)
            gw = (g_rows @ col_rows).reshape(weight.shape)
        if ctx.needs_input_grad[2]:
            gb = g.sum((0, 3)).reshape(out)
        return gx, gw, gb, None, None, None, None, None

    @staticmethod
    def _backward_rows(ctx, g):
        """The channels-last backward: ``g`` (N, O, *out) as rows (N*P, O), one matmul per gradient."""
        x, weight, rows = ctx.saved_tensors
        out = weight.shape[0]
        g_rows = _channels_to_end(g).reshape(-1, out)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            w_rows = _channels_to_end(weight).reshape(out, -1)
            g_in = (g_rows @ w_rows).reshape(ctx.x_shape[0], -1, rows.shape[-1])
            gx = Row2Im.apply(g_in, ctx.x_shape, *ctx.geometry)
        if ctx.needs_input_grad[1]:
            if _grad_state.enabled and x.requires_grad:
                # create_graph: the weight's gradient must be differentiable in x too
                rows = Im2Row.apply(x, *ctx.geometry).reshape(rows.shape)
            kernel_first = (out, *weight.shape[2:], weight.shape[1])
            gw = (g_rows.mT @ rows).reshape(kernel_first).permute(0, weight.ndim - 1,
                                                                  *range(1, weight.ndim - 1))
        if ctx.needs_input_grad[2]:
            gb = g_rows.sum(0)
        return gx, gw, gb, None, None, None, None, None


def _conv_dtype_check(input, weight, bias):
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({input.dtype}) and weight type ({weight.dtype}) should "
                           "be the same")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({input.dtype}) and bias type ({bias.dtype}) should be "
                           "the same")


def _size_text(sizes):
    return " x ".join(str(s) for s in sizes)


def conv_nd(n, name, input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """The body of ``conv1d`` (n=1) and ``conv2d`` (n=2): torch's checks, 'same'/'valid', ``Conv``.

    >>> import nanotorch
    >>> conv_nd(1, "conv1d", nanotorch.ones(1, 1, 4), nanotorch.ones(1, 1, 3), padding="same")
    tensor([[[2., 3., 3., 2.]]])
    """
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(input.shape)}")
    if weight.ndim != n + 2:
        raise RuntimeError(f"Expected {n + 2}-dimensional weight for {n + 2}-dimensional input "
                           f"{list(input.shape)}, but got {weight.ndim}-dimensional weight of "
                           f"size {list(weight.shape)} instead")
    batched = input.ndim == n + 2
    x = input if batched else input.unsqueeze(0)
    stride = ntuple(stride, n, "stride", name)
    dilation = ntuple(dilation, n, "dilation", name)
    kernel = tuple(weight.shape[2:])
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    out_size = None  # computed below unless 'same' fixes it
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * n
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # torch puts the odd one of an even total padding after the input
            padding = tuple(d * (k - 1) // 2 for d, k in zip(dilation, kernel))
            out_size = tuple(x.shape[2:])
        else:
            raise RuntimeError(f"Invalid padding string '{padding}'")
    else:
        padding = ntuple(padding, n, "padding", name)
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    channels, out = x.shape[1], weight.shape[0]
    if weight.shape[1] * groups != channels:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {weight.shape[1] * groups} channels, "
                           f"but got {channels} channels instead")
    if out % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size {list(weight.shape)} instead")
    if bias is not None and tuple(bias.shape) != (out,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {out} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    _conv_dtype_check(x, weight, bias)
    if out_size is None:
        padded = tuple(s + 2 * p for s, p in zip(x.shape[2:], padding))
        reach = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
        if any(p < r for p, r in zip(padded, reach)):
            raise RuntimeError(f"Calculated padded input size per channel: ({_size_text(padded)})."
                               f" Kernel size: ({_size_text(reach)}). Kernel size can't be "
                               "greater than actual input size")
        out_size = tuple((p - r) // s + 1 for p, r, s in zip(padded, reach, stride))
    y = Conv.apply(x, weight, bias, stride, padding, dilation, groups, out_size)
    return y if batched else y.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over the last dim, as ``torch.nn.functional.conv1d``.

    Shapes: input ``(N, C_in, L)`` or ``(C_in, L)``, weight
    ``(C_out, C_in/groups, k)``, bias ``(C_out,)`` -> ``(N, C_out, L_out)`` with
    ``L_out = (L + 2*padding - dilation*(k-1) - 1) // stride + 1``.
    ``padding`` is an int, a 1-tuple, ``'valid'`` (0) or ``'same'`` (stride 1,
    output as long as the input).

    >>> import nanotorch
    >>> x = nanotorch.arange(5.0).reshape(1, 1, 5)
    >>> nanotorch.nn.functional.conv1d(x, nanotorch.ones(1, 1, 2))
    tensor([[[1., 3., 5., 7.]]])
    """
    return conv_nd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over the last two dims, as ``torch.nn.functional.conv2d``.

    Shapes: input ``(N, C_in, H, W)`` or ``(C_in, H, W)``, weight
    ``(C_out, C_in/groups, kH, kW)``, bias ``(C_out,)`` -> ``(N, C_out, H_out, W_out)``;
    ``stride``, ``padding``, ``dilation`` are ints or pairs; ``padding`` may
    also be ``'valid'`` or ``'same'``.

    >>> import nanotorch
    >>> x = nanotorch.ones(1, 1, 3, 3)
    >>> nanotorch.nn.functional.conv2d(x, nanotorch.ones(2, 1, 2, 2), padding=1).shape
    nanotorch.Size([1, 2, 4, 4])
    """
    return conv_nd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def mode_pad(input, pads, mode):
    """Pad the trailing dims by ``pads`` ((before, after) per dim) with 'reflect', 'replicate' or 'circular'.

    Each padded dim is an ``index_select`` of positions, so the gradient is
    the usual index gradient (padded copies add back onto their source).

    >>> import nanotorch
    >>> mode_pad(nanotorch.tensor([[1.0, 2.0, 3.0]]), ((2, 1),), "reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    n = len(pads)
    for d, (before, after) in enumerate(pads):
        dim = input.ndim - n + d
        size = input.shape[dim]
        pos = list(range(-before, size + after))
        if mode == "circular":
            idx = [p % size for p in pos]
        elif mode == "replicate":
            idx = [min(max(p, 0), size - 1) for p in pos]
        else:
            if before >= size or after >= size:
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({before}, "
                                   f"{after}) at dimension {dim} of input {list(input.shape)}")
            idx = [abs(p) if p < size else 2 * (size - 1) - p for p in pos]
        input = input.index_select(dim, wrap(input._backend.asarray(idx, dtype="int64"),
                                             input._backend))
    return input


def conv_out_padding(kernel, dilation):
    """(before, after) per dim that keep a stride-1 convolution's output as long as its input.

    >>> conv_out_padding((4, 3), (1, 2))
    ((1, 2), (2, 2))
    """
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                 for k, d in zip(kernel, dilation))

