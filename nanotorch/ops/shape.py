"""Shape ops: views (reshape, permute, expand, ...) and joins (cat, stack, repeat).

Views share memory and the version counter with their input, as torch's
do; the gradient of a view is the inverse view of the gradient.
"""
from __future__ import annotations

import math

from .base import Op


class _View(Op):
    """Ops whose output may share memory with the input (see Function.apply)."""

    is_view = True


def _resolve_shape(shape, numel):
    if -1 not in shape and min(shape, default=0) >= 0 and math.prod(shape) == numel:
        return tuple(shape)  # every size given and right: the usual case, in one pass
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(_View):
    @staticmethod
    def forward(ctx, a, shape, view_only=False):
        x = a._data
        ctx.shape = x.shape
        shape = _resolve_shape(shape, x.size)
        if view_only:
            try:
                return x.reshape(shape, copy=False)
            except TypeError:  # array libraries whose reshape has no copy keyword
                return a._backend.reshape(x, shape)
            except ValueError:
                raise RuntimeError(
                    "view size is not compatible with input tensor's size and stride (at least one "
                    "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                ) from None
        return x.reshape(shape)  # the method: numpy's function form costs 0.5 us more

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None, None

    @staticmethod
    def raw_backward(ctx, g):
        return g.reshape(ctx.shape), None, None


class Permute(_View):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a._backend.transpose(a._data, dims)

    @staticmethod
    def backward(ctx, g):
        return g.permute(_inverse(ctx.dims)), None

    @staticmethod
    def raw_backward(ctx, g):
        return ctx.backend.transpose(g, _inverse(ctx.dims)), None


def _inverse(dims):
    """The permutation that undoes ``dims``."""
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return inverse


class Expand(_View):
    @staticmethod
    def forward(ctx, a, shape):
        x = a._data
        ctx.shape = x.shape
        return a._backend.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.shape), None

    @staticmethod
    def raw_backward(ctx, g):
        return ctx.backend.sum_to_shape(g, ctx.shape), None


class Flip(Op):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a._backend.xp.flip(a._data, axis=dims).copy()

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.dims), None


class Repeat(Op):
    @staticmethod
    def forward(ctx, a, repeats):
        x = a._data
        if len(repeats) < x.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions "
                "of tensor")
        lead = len(repeats) - x.ndim
        ctx.shape = (1,) * lead + x.shape
        for r in repeats:
            if r < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension "
                    f"{min(s * r for s, r in zip(ctx.shape, repeats))}: "
                    f"{[s * r for s, r in zip(ctx.shape, repeats)]}")
        ctx.repeats = repeats
        return a._backend.tile(x.reshape(ctx.shape), repeats)

    @staticmethod
    def backward(ctx, g):
        # view the gradient as (r0, s0, r1, s1, ...) and sum the r axes
        split = []
        for r, s in zip(ctx.repeats, ctx.shape):
            split += [r, s]
        summed = g.reshape(split).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.shape[len(ctx.shape) - len(ctx.shape):]), None


class Cat(Op):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t._data.shape[dim] if t._data.ndim else 0 for t in tensors]
        return tensors[0]._backend.concatenate([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        grads, start = [None], 0
        for size in ctx.sizes:
            grads.append(g.narrow(ctx.dim, start, size))
            start += size
        return tuple(grads)


class Contiguous(Op):
    @staticmethod
    def forward(ctx, a):
        return a._backend.ascontiguousarray(a._data)

    @staticmethod
    def backward(ctx, g):
        return g


class Clone(Op):
    @staticmethod
    def forward(ctx, a):
        return a._backend.xp.array(a._data, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g


class ToDtype(Op):
    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.src = a.dtype
        return a._data.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        if not ctx.src.is_floating_point and not ctx.src.is_complex:
            return None, None
        if ctx.src.is_floating_point and g.is_complex():
            g = g.real
        return g.to(ctx.src), None


class Real(_View):
    @staticmethod
    def forward(ctx, a):
        return a._backend.xp.real(a._data)

    @staticmethod
    def backward(ctx, g):
        return g.to(g.dtype.to_complex())


class Imag(_View):
    @staticmethod
    def forward(ctx, a):
        return a._backend.xp.imag(a._data)

    @staticmethod
    def backward(ctx, g):
        return g.to(g.dtype.to_complex()) * 1j
