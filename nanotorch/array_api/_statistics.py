"""Statistical functions (reductions, running sums and products) and the utility ones
(``all``, ``any``, ``diff``).

The numeric reductions are the core's differentiable ops (``Sum``, ``Mean``,
``Prod``, ``Amax``/``Amin``, ``Cumsum``) plus ``CumProd`` from this package;
``var`` and ``std`` are composed from them. ``all`` and ``any`` are
boolean and computed outside the graph.
"""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from ..ops import reduce as R, shape as S
from . import _base as B
from . import _ops as O

__all__ = ["cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum",
           "var", "all", "any", "diff"]

def _extreme(x, axis, keepdims, name, op):
    B.check_array(x, name)
    B.check_dtype(x, "real numeric", name)
    dims = B.normalize_axes(axis, x.ndim, name)
    if builtins.any(x.shape[d] == 0 for d in dims):
        raise ValueError(f"{name}(): cannot reduce over a zero-size axis")
    with np.errstate(all="ignore"):
        return op.apply(x, dims, keepdims)


def max(x, /, *, axis=None, keepdims=False):
    """The largest element over ``axis`` (all axes when ``None``); nan if any element is nan.

    Differentiable (ties share the gradient). Shape: x's without the reduced axes.

    >>> from nanotorch import array_api as xp
    >>> xp.max(xp.asarray([[1, 5], [7, 2]]), axis=0)
    tensor([7, 5])
    """
    return _extreme(x, axis, keepdims, "max", R.Amax)


def min(x, /, *, axis=None, keepdims=False):
    """The smallest element over ``axis``, like :func:`max`.

    >>> from nanotorch import array_api as xp
    >>> xp.min(xp.asarray([[1, 5], [7, 2]]), axis=1, keepdims=True)
    tensor([[1],
            [2]])
    """
    return _extreme(x, axis, keepdims, "min", R.Amin)


@B.quiet
def mean(x, /, *, axis=None, keepdims=False):
    """The arithmetic mean over ``axis`` of a floating-point array (nan over zero elements).

    >>> from nanotorch import array_api as xp
    >>> xp.mean(xp.asarray([[1.0, 2.0], [3.0, 5.0]]), axis=1)
    tensor([1.5000, 4.0000])
    """
    B.check_array(x, "mean")
    B.check_dtype(x, "floating-point", "mean")
    dims = B.normalize_axes(axis, x.ndim, "mean")
    if builtins.any(x.shape[d] == 0 for d in dims):
        with warnings.catch_warnings():  # numpy warns "Mean of empty slice"; nan is the answer
            warnings.simplefilter("ignore", RuntimeWarning)
            return R.Mean.apply(x, dims, keepdims)
    return R.Mean.apply(x, dims, keepdims)


def _sum_like(x, axis, dtype, keepdims, name, op):
    B.check_array(x, name)
    B.check_dtype(x, "numeric", name)
    target = B.sum_dtype(x, dtype, name)
    with np.errstate(all="ignore"):
        return op.apply(x, B.normalize_axes(axis, x.ndim, name), keepdims, target.np)


def sum(x, /, *, axis=None, dtype=None, keepdims=False):
    """The sum over ``axis``. Integers accumulate in int64 (uint64 for unsigned) unless
    ``dtype`` says otherwise; floating arrays keep their dtype.

    >>> from nanotorch import array_api as xp
    >>> xp.sum(xp.asarray([1, 2, 3], dtype=xp.int8)).dtype
    nanotorch.int64
    """
    return _sum_like(x, axis, dtype, keepdims, "sum", R.Sum)


def prod(x, /, *, axis=None, dtype=None, keepdims=False):
    """The product over ``axis``, with the accumulator dtypes of :func:`sum`.

    >>> from nanotorch import array_api as xp
    >>> xp.prod(xp.asarray([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([3., 8.])
    """
    return _sum_like(x, axis, dtype, keepdims, "prod", R.Prod)


@B.quiet
def var(x, /, *, axis=None, correction=0.0, keepdims=False):
    """The variance over ``axis``: sum((x - mean)²) / (N - correction); real floating arrays.

    ``correction=1`` is Bessel's (the sample variance). Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.var(xp.asarray([1.0, 2.0, 3.0, 4.0]), correction=1)
    tensor(1.6667)
    """
    B.check_array(x, "var")
    B.check_dtype(x, "real floating-point", "var")
    dims = B.normalize_axes(axis, x.ndim, "var")
    n = 1
    for d in dims:
        n *= x.shape[d]
    centred = x - R.Mean.apply(x, dims, True)
    return R.Sum.apply(centred * centred, dims, keepdims) / float(builtins.max(n - correction, 0))


def std(x, /, *, axis=None, correction=0.0, keepdims=False):
    """The standard deviation over ``axis``: ``sqrt(var(...))``.

    >>> from nanotorch import array_api as xp
    >>> xp.std(xp.asarray([1.0, 3.0]))
    tensor(1.)
    """
    with np.errstate(all="ignore"):
        return var(x, axis=axis, correction=correction, keepdims=keepdims).sqrt()


def _cumulative(x, axis, dtype, include_initial, name, initial):
    B.check_array(x, name)
    B.check_dtype(x, "numeric", name)
    if x.ndim == 0:
        raise ValueError(f"{name}(): x must have at least one dimension")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"{name}(): axis is required for arrays of more than one dimension")
        axis = 0
    d = B.normalize_axis(axis, x.ndim, name)
    x = B.cast(x, B.sum_dtype(x, dtype, name))
    if include_initial:
        shape = list(x.shape)
        shape[d] = 1
        start = B.wrap(x._backend.xp.full(tuple(shape), initial, dtype=x._data.dtype), x._backend)
        x = S.Cat.apply(d, start, x)
    return x, d


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """Running sums along ``axis`` (optional for 1-D x); ``include_initial`` prepends the 0.

    >>> from nanotorch import array_api as xp
    >>> xp.cumulative_sum(xp.asarray([1, 2, 3]), include_initial=True)
    tensor([0, 1, 3, 6])
    """
    x, d = _cumulative(x, axis, dtype, include_initial, "cumulative_sum", 0)
    with np.errstate(all="ignore"):
        return R.Cumsum.apply(x, d, x._data.dtype)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Running products along ``axis`` (optional for 1-D x); ``include_initial`` prepends the 1.

    Differentiable, also through zeros.

    >>> from nanotorch import array_api as xp
    >>> xp.cumulative_prod(xp.asarray([1.0, 2.0, 3.0]))
    tensor([1., 2., 6.])
    """
    x, d = _cumulative(x, axis, dtype, include_initial, "cumulative_prod", 1)
    with np.errstate(all="ignore"):
        return O.CumProd.apply(x, d)


def _logical(x, axis, keepdims, name):
    B.check_array(x, name)
    axes = B.normalize_axes(axis, x.ndim, name)
    xp = x._backend.xp
    return B.wrap(xp.asarray(getattr(xp, name)(x._data, axis=axes, keepdims=keepdims)),
                  x._backend)


def all(x, /, *, axis=None, keepdims=False):
    """Whether every element over ``axis`` is non-zero (True over zero elements); a bool array.

    >>> from nanotorch import array_api as xp
    >>> xp.all(xp.asarray([[1, 0], [2, 3]]), axis=1)
    tensor([False,  True])
    """
    return _logical(x, axis, keepdims, "all")


def any(x, /, *, axis=None, keepdims=False):
    """Whether some element over ``axis`` is non-zero (False over zero elements); a bool array.

    >>> from nanotorch import array_api as xp
    >>> xp.any(xp.asarray([[1, 0], [0, 0]]), axis=1)
    tensor([ True, False])
    """
    return _logical(x, axis, keepdims, "any")


def diff(x, /, *, axis=-1, n=1, prepend=None, append=None):
    """The n-th forward difference ``x[i+1] - x[i]`` along ``axis``, after joining ``prepend``
    and ``append`` to x there. The axis shrinks by n. Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.diff(xp.asarray([1, 4, 9, 16]), n=2)
    tensor([2, 2])
    """
    B.check_array(x, "diff")
    B.check_dtype(x, "numeric", "diff")
    if x.ndim == 0:
        raise ValueError("diff(): x must have at least one dimension")
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"diff(): n must be a non-negative int, got {n!r}")
    d = B.normalize_axis(axis, x.ndim, "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        from ._manipulation import concat
        x = concat(parts, axis=d)
    key_hi = (slice(None),) * d + (slice(1, None),)
    key_lo = (slice(None),) * d + (slice(None, -1),)
    with np.errstate(all="ignore"):
        for _ in range(n):
            x = x[key_hi] - x[key_lo]
    return x
