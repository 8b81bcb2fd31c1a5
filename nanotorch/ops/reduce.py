"""Reductions: the lecture's reduce shape, and the ops built on it.

The gradient of a reduction is the incoming gradient spread back over the
reduced dims (``expand``), times the local derivative: 1 for sum, 1/n for
mean, the product of the other elements for prod, and an indicator of
the winning elements for max and min.
"""
from __future__ import annotations

import math

from ..autograd.grad_mode import state as _grad_state
from .base import Op
from .index import PutAlongDim, put_along_dim
from ._util import normalize_dim, scalar_type_name, to_float, wrap


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _spread(g, shape, dims, keepdim):
    """A gradient of a reduction over ``dims`` broadcast back to the input ``shape``."""
    return Spread.apply(g, shape, dims, keepdim)


def _spread_array(backend, g, shape, dims, keepdim):
    """``_spread`` on a raw array: a broadcast view, or a copy where that is cheaper."""
    if not keepdim and dims:
        g = g.reshape(_kept_shape(shape, dims))
    return backend.spread(g, shape)


class Spread(Op):
    """Broadcast a reduction's result back over the reduced dims (``backend.spread``)."""

    is_view = True

    @staticmethod
    def forward(ctx, g, shape, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        return _spread_array(g._backend, g._data, shape, dims, keepdim)

    @staticmethod
    def backward(ctx, gg):
        return gg.sum(ctx.dims, keepdim=ctx.keepdim), None, None, None


def _check_not_empty(a, dims, name):
    for d in dims:
        if a._data.shape[d] == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim {d} to have non-zero size.")


class Sum(Op):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, a._data.shape
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = "int64"
        return a._backend.sum(x, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return _spread(g, ctx.shape, ctx.dims, ctx.keepdim), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _spread_array(ctx.backend, g, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class SumToSize(Op):
    """Sum a broadcast gradient back down to ``shape`` (the lecture's reduce gradient)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a._data.shape
        return a._backend.sum_to_shape(a._data, shape)

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.shape), None


class Mean(Op):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype=None):
        x = a._data
        if x.dtype.kind not in "fc" and dtype is None:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {scalar_type_name(a.dtype)}")
        ctx.dims, ctx.keepdim, ctx.shape = dims, keepdim, x.shape
        count = 1
        for d in dims:
            count *= x.shape[d]
        ctx.count = count
        return a._backend.mean(x, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return _spread(g / max(ctx.count, 1), ctx.shape, ctx.dims, ctx.keepdim), None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        g = g / max(ctx.count, 1)
        return _spread_array(ctx.backend, g, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class Prod(Op):
    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(a)
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = "int64"
        return a._backend.prod(x, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        dims = ctx.dims
        g = _spread(g, a.shape, dims, ctx.keepdim)
        backend = a._backend
        if not bool(backend.xp.any(a._data == 0)):
            return g * (a.prod(dims, keepdim=True) / a), None, None, None
        if _grad_state.enabled:  # create_graph: the same products, as differentiable ops
            return g * _prod_of_others(a, dims), None, None, None
        # With zeros, divide-by-x fails: take the product of the others directly.
        xp = backend.xp
        moved = xp.moveaxis(a._data, dims, tuple(range(-len(dims), 0)))
        flat = moved.reshape(moved.shape[:moved.ndim - len(dims)] + (-1,))
        ones = xp.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
        left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = xp.cumprod(xp.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (left * right).reshape(moved.shape)
        others = xp.moveaxis(others, tuple(range(-len(dims), 0)), dims)
        return g * wrap(others, backend), None, None, None


def _prod_of_others(a, dims):
    """For each element, the product of the others in its slice over ``dims``, differentiably.

    Each flattened slice of length n is repeated n times with one element set to 1: O(n²),
    which is why this runs only when the backward itself is being recorded.
    """
    from .._creation import eye
    rest = [d for d in range(a.ndim) if d not in dims]
    order = rest + list(dims)
    moved = a.permute(order)
    flat = moved.reshape(tuple(moved.shape[:len(rest)]) + (-1,))
    n = flat.shape[-1]
    others = flat.unsqueeze(-2).masked_fill(eye(n, dtype="bool", device=a.device), 1).prod(-1)
    inverse = [order.index(d) for d in range(a.ndim)]
    return others.reshape(moved.shape).permute(inverse)


class Amax(Op):
    """Max over dims; ties share the gradient evenly (torch's amax/amin and max()).

    With ``nan_wins`` (``max()`` and ``min()`` of a whole tensor, as in torch) a NaN result
    sends its gradient to the NaNs, shared evenly; amax's is NaN.
    """

    kernel = "amax"
    saves_output = True

    @classmethod
    def forward(cls, ctx, a, dims, keepdim, nan_wins=False):
        _check_not_empty(a, dims, cls.kernel)
        ctx.dims, ctx.keepdim, ctx.nan_wins = dims, keepdim, nan_wins
        ctx.save_for_backward(a)
        return getattr(a._backend, cls.kernel)(a._data, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        out = _spread(out, a.shape, dims, keepdim)
        winners = a == out
        if ctx.nan_wins:
            winners = winners | (a.isnan() & out.isnan())
        winners = winners.to(g.dtype)
        count = winners.sum(dims, keepdim=True)
        return _spread(g, a.shape, dims, keepdim) * winners / count, None, None, None


class Amin(Amax):
    kernel = "amin"


class MaxDim(Op):
    """Values of max/min along one dim; the gradient goes to the index that won."""

    @staticmethod
    def forward(ctx, a, dim, keepdim, values, indices):
        """``values``, ``indices``: the backend's ``extreme_along`` result, without dim ``dim``."""
        ctx.dim, ctx.keepdim, ctx.shape = dim, keepdim, a._data.shape
        ctx.indices = indices
        return a._backend.expand_dims(values, dim) if keepdim else values

    @staticmethod
    def backward(ctx, g):
        backend = g._backend
        idx = backend.expand_dims(ctx.indices, ctx.dim)
        gk = g if ctx.keepdim else g.unsqueeze(ctx.dim)
        return PutAlongDim.apply(gk, wrap(idx, backend), ctx.dim, ctx.shape), None, None, None, None

    @staticmethod
    def raw_backward(ctx, g):
        backend = ctx.backend
        idx = backend.expand_dims(ctx.indices, ctx.dim)
        gk = g if ctx.keepdim else backend.expand_dims(g, ctx.dim)
        return put_along_dim(backend, gk, idx, ctx.dim, ctx.shape), None, None, None, None


class LogSumExp(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(a)
        return a._backend.logsumexp(to_float(a._data), dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        return _spread(g, a.shape, dims, keepdim) * (a - _spread(out, a.shape, dims, keepdim)).exp(), \
            None, None


class _FusedSoftmaxBack(Op):
    """The backward of softmax or log-softmax as one fused, differentiable kernel of
    the forward's output and the gradient, along ``dim``."""

    kernel = None

    @classmethod
    def forward(cls, ctx, out, g, dim):
        ctx.dim = dim
        ctx.save_for_backward(out, g)
        return getattr(out._backend, cls.kernel)(out._data, g._data, dim)


class SoftmaxBack(_FusedSoftmaxBack):
    """out * (g - sum(g * out))."""

    kernel = "softmax_back"

    @staticmethod
    def backward(ctx, gg):
        out, g = ctx.saved_tensors
        dim = ctx.dim
        inner = (g * out).sum(dim, keepdim=True)
        gg_dot = (gg * out).sum(dim, keepdim=True)
        g_out = gg * (g - inner) - g * gg_dot
        g_g = out * (gg - gg_dot)
        return g_out, g_g, None


class LogSoftmaxBack(_FusedSoftmaxBack):
    """g - softmax * sum(g)."""

    kernel = "log_softmax_back"

    @staticmethod
    def backward(ctx, gg):
        out, g = ctx.saved_tensors
        dim = ctx.dim
        p = out.exp()
        g_sum = g.sum(dim, keepdim=True)
        g_out = -gg * p * g_sum
        g_g = gg - (gg * p).sum(dim, keepdim=True)
        return g_out, g_g, None


class _SoftmaxFamily(Op):
    """softmax or log-softmax along ``dim``: one kernel forward, one fused kernel backward (``back``)."""

    saves_output = True
    kernel = None
    back = None

    @classmethod
    def forward(cls, ctx, a, dim):
        ctx.dim = dim
        return getattr(a._backend, cls.kernel)(to_float(a._data), dim)

    @classmethod
    def backward(cls, ctx, g):
        (out,) = ctx.saved_tensors
        return cls.back.apply(out, g, ctx.dim), None

    @classmethod
    def raw_backward(cls, ctx, g):
        (out,) = ctx.saved_arrays
        return getattr(ctx.backend, cls.back.kernel)(out, g, ctx.dim), None


class Softmax(_SoftmaxFamily):
    kernel = "softmax"
    back = SoftmaxBack


class LogSoftmax(_SoftmaxFamily):
    kernel = "log_softmax"
    back = LogSoftmaxBack


class Cumsum(Op):
    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        ctx.dim = dim
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = "int64"
        if not x.ndim:  # a 0-d tensor is its own running sum
            return x.astype(dtype or x.dtype)
        return a._backend.cumsum(x, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        d = ctx.dim
        return g.flip(d).cumsum(d).flip(d), None, None


class Norm(Op):
    """The p-norm over dims: (sum |x|^p)^(1/p) for p in (0, inf), max |x| for inf and min |x|
    for -inf; gradient 0 at the zero vector, shared by ties of the inf norms."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        ctx.save_for_backward(a)
        xp = a._backend.xp
        x = xp.abs(to_float(a._data))
        if math.isinf(p):
            empty = [d for d in dims if not x.shape[d]]
            if empty:  # max and min have no identity to give for nothing
                where = (f"on the dimension {empty[0]}because this dimension is empty and"
                         if len(dims) < x.ndim else "on an empty tensor because")
                raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm {where} "
                                   "the operation does not have an identity")
            extreme = xp.max if p > 0 else xp.min
            return extreme(x, axis=dims, keepdims=keepdim)
        if p == 2:
            return xp.sqrt(xp.sum(x * x, axis=dims, keepdims=keepdim))
        if p == 1:
            return xp.sum(x, axis=dims, keepdims=keepdim)
        return xp.sum(x ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        p, dims, keepdim = ctx.p, ctx.dims, ctx.keepdim
        g = _spread(g, a.shape, dims, keepdim)
        out = _spread(out, a.shape, dims, keepdim)
        if math.isinf(p):
            winners = (a.abs() == out).to(g.dtype)
            return g * a.sign() * winners / winners.sum(dims, keepdim=True), None, None, None
        if p == 1:
            return g * a.sign(), None, None, None
        safe = out.masked_fill(out == 0, 1)
        grad = a * a.abs() ** (p - 2) / safe ** (p - 1) if p != 2 else a / safe
        return (g * grad).masked_fill(out == 0, 0), None, None, None


def argextreme(a, dim, keepdim, kernel):
    """argmax/argmin as torch: over the flattened tensor when dim is None; first index on ties."""
    backend = a._backend
    x = a._data
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{kernel}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = getattr(backend, kernel)(x.reshape(-1))
        if keepdim:
            out = backend.xp.reshape(out, (1,) * x.ndim)
        return wrap(backend.xp.asarray(out, dtype="int64"), backend)
    d = normalize_dim(dim, x.ndim)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{kernel}(): Expected reduction dim {d} to have non-zero size.")
    out = getattr(backend, kernel)(x, axis=d, keepdims=keepdim) if x.ndim else \
        backend.xp.zeros((), dtype="int64")
    return wrap(backend.xp.asarray(out, dtype="int64"), backend)


class StdFromVar(Op):
    """sqrt of a variance whose gradient is 0 where the variance is 0 (torch's std rule)."""

    saves_output = True

    @staticmethod
    def forward(ctx, var):
        return var._backend.sqrt(var._data)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return (g / (2 * out)).masked_fill(out == 0, 0)
