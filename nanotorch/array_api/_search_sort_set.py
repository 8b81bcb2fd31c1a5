"""Searching (``argmax``, ``nonzero``, ``searchsorted``, ``where``, ...), sorting and set functions.

Indices, counts and set members are data-dependent and piecewise constant:
they are computed on the backend's ``xp`` outside the graph. ``sort`` and
``where`` return values, so they are differentiable (a gather by the
sorting permutation, a select).
"""
from __future__ import annotations

import collections


from ..ops import elementwise as E, index as I
from . import _base as B

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where",
           "argsort", "sort", "unique_all", "unique_counts", "unique_inverse", "unique_values"]


def _arg_extreme(x, axis, keepdims, name):
    B.check_array(x, name)
    B.check_dtype(x, "real numeric", name)
    xp = x._backend.xp
    if axis is None:
        if x._data.size == 0:
            raise ValueError(f"{name}(): the array is empty")
        out = getattr(xp, name)(x._data.reshape(-1))
        if keepdims:
            out = xp.reshape(out, (1,) * x.ndim)
    else:
        d = B.normalize_axis(axis, x.ndim, name)
        if x.shape[d] == 0:
            raise ValueError(f"{name}(): axis {axis} is empty")
        out = getattr(xp, name)(x._data, axis=d, keepdims=keepdims)
    return B.wrap(xp.asarray(out, dtype=B.default_int().np), x._backend)


def argmax(x, /, *, axis=None, keepdims=False):
    """Index of the largest element (the first one on ties and for nan) over the flattened
    array or along ``axis``. Shape: x's without ``axis`` (size 1 with ``keepdims``).

    >>> from nanotorch import array_api as xp
    >>> xp.argmax(xp.asarray([[1, 5], [7, 2]]), axis=1)
    tensor([1, 0])
    """
    return _arg_extreme(x, axis, keepdims, "argmax")


def argmin(x, /, *, axis=None, keepdims=False):
    """Index of the smallest element (the first one on ties), like :func:`argmax`.

    >>> from nanotorch import array_api as xp
    >>> xp.argmin(xp.asarray([3, 1, 1]))
    tensor(1)
    """
    return _arg_extreme(x, axis, keepdims, "argmin")


def count_nonzero(x, /, *, axis=None, keepdims=False):
    """The number of non-zero elements over ``axis`` (all when ``None``), in the default integer dtype.

    >>> from nanotorch import array_api as xp
    >>> xp.count_nonzero(xp.asarray([[0, 1], [2, 3]]), axis=0)
    tensor([1, 2])
    """
    B.check_array(x, "count_nonzero")
    axes = B.normalize_axes(axis, x.ndim, "count_nonzero")
    xp = x._backend.xp
    out = xp.sum(x._data != 0, axis=axes, keepdims=keepdims, dtype=B.default_int().np)
    return B.wrap(xp.asarray(out), x._backend)


def nonzero(x, /):
    """The indices of the non-zero elements: a tuple of one 1-D index array per dimension.

    >>> from nanotorch import array_api as xp
    >>> xp.nonzero(xp.asarray([[0, 1], [2, 0]]))
    (tensor([0, 1]), tensor([1, 0]))
    """
    B.check_array(x, "nonzero")
    if x.ndim == 0:
        raise ValueError("nonzero(): zero-dimensional arrays are not allowed")
    xp = x._backend.xp
    return tuple(B.wrap(i.astype(B.default_int().np), x._backend) for i in xp.nonzero(x._data))


def searchsorted(x1, x2, /, *, side="left", sorter=None):
    """Where to insert each element of ``x2`` into the sorted 1-D ``x1`` to keep it sorted.

    ``side='left'`` gives the first such position, ``'right'`` the last;
    ``sorter`` is an index array that sorts an unsorted ``x1``. ``x2`` may be a
    Python scalar.

    >>> from nanotorch import array_api as xp
    >>> xp.searchsorted(xp.asarray([1.0, 2.0, 3.0]), xp.asarray([2.0, 0.5]), side="right")
    tensor([2, 0])
    """
    B.check_array(x1, "searchsorted", "x1")
    if x1.ndim != 1:
        raise ValueError("searchsorted(): x1 must be one-dimensional")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted(): side must be 'left' or 'right', got {side!r}")
    a, b = B.operands(x1, x2, "real numeric", "searchsorted")
    xp = a._backend.xp
    order = None
    if sorter is not None:
        B.check_array(sorter, "searchsorted", "sorter")
        order = sorter._data
    out = xp.searchsorted(a._data, b._data, side=side, sorter=order)
    return B.wrap(xp.asarray(out, dtype=B.default_int().np), a._backend)


def where(condition, x1, x2, /):
    """Elements of ``x1`` where ``condition`` is True, else of ``x2``; all three broadcast,
    and one of x1, x2 may be a Python scalar. Differentiable in x1 and x2.

    >>> from nanotorch import array_api as xp
    >>> x = xp.asarray([-1.0, 2.0])
    >>> xp.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    B.check_array(condition, "where", "condition")
    if condition.dtype is not B.bool_:
        raise TypeError(f"where(): condition must be a bool array, got {condition.dtype}")
    a, b = B.operands(x1, x2, "all", "where")
    return E.Where.apply(condition, a, b)


def _sort_order(x, axis, descending, stable, name):
    B.check_array(x, name)
    B.check_dtype(x, "real numeric", name)
    if x.ndim == 0:
        if axis not in (0, -1):
            raise IndexError(f"{name}(): axis {axis} is out of bounds for a 0-d array")
        return None, 0
    d = B.normalize_axis(axis, x.ndim, name)
    xp = x._backend.xp
    data = x._data
    kind = "stable" if stable else None
    if not descending:
        return xp.argsort(data, axis=d, kind=kind), d
    # Descending and still stable: sort the reversed array ascending (stably), reverse the
    # result, and map positions back, so equal elements keep their original order.
    n = data.shape[d]
    order = xp.flip(xp.argsort(xp.flip(data, axis=d), axis=d, kind=kind), axis=d)
    return (n - 1) - order, d


def argsort(x, /, *, axis=-1, descending=False, stable=True):
    """The indices that sort x along ``axis`` (ascending unless ``descending``; equal elements
    keep their order when ``stable``). Same shape as x, default integer dtype.

    >>> from nanotorch import array_api as xp
    >>> xp.argsort(xp.asarray([3, 1, 2]), descending=True)
    tensor([0, 2, 1])
    """
    order, _ = _sort_order(x, axis, descending, stable, "argsort")
    xp = x._backend.xp
    if order is None:
        return B.wrap(xp.zeros((), dtype=B.default_int().np), x._backend)
    return B.wrap(order.astype(B.default_int().np, copy=False), x._backend)


def sort(x, /, *, axis=-1, descending=False, stable=True):
    """x sorted along ``axis`` (nan last when ascending). Differentiable: the gradient goes
    back through the sorting permutation.

    >>> from nanotorch import array_api as xp
    >>> xp.sort(xp.asarray([3.0, 1.0, 2.0]))
    tensor([1., 2., 3.])
    """
    order, d = _sort_order(x, axis, descending, stable, "sort")
    if order is None:
        return x.clone()
    return I.Gather.apply(x, d, B.wrap(order, x._backend))


UniqueAllResult = collections.namedtuple("UniqueAllResult",
                                         "values indices inverse_indices counts")
UniqueCountsResult = collections.namedtuple("UniqueCountsResult", "values counts")
UniqueInverseResult = collections.namedtuple("UniqueInverseResult", "values inverse_indices")


def _unique(x, name):
    """Sorted unique values of the flattened x with first indices, inverse and counts.

    Every nan counts as distinct (nan != nan), as the standard says; +0.0 and
    -0.0 are one value.
    """
    B.check_array(x, name)
    xp = x._backend.xp
    flat = x._data.reshape(-1)
    index_dtype = B.default_int().np
    if flat.size == 0:
        empty = xp.zeros((0,), dtype=index_dtype)
        return flat, empty, xp.zeros(x._data.shape, dtype=index_dtype), empty
    order = xp.argsort(flat, kind="stable")
    ordered = flat[order]
    new_run = xp.ones(flat.shape, dtype=bool)
    new_run[1:] = ordered[1:] != ordered[:-1]  # nan != nan, so each nan starts its own run
    run_id = xp.cumsum(new_run) - 1
    starts = xp.nonzero(new_run)[0]
    values = ordered[starts]
    first = order[starts]
    counts = xp.diff(xp.concatenate([starts, xp.asarray([flat.size])]))
    inverse = xp.empty(flat.shape, dtype=index_dtype)
    inverse[order] = run_id
    return (values, first.astype(index_dtype), inverse.reshape(x._data.shape),
            counts.astype(index_dtype))


def unique_all(x, /):
    """Unique values of x (sorted, flattened) with the index of each one's first occurrence,
    the inverse indices (x's shape) that rebuild x, and the counts.

    >>> from nanotorch import array_api as xp
    >>> xp.unique_all(xp.asarray([3, 1, 3]))
    UniqueAllResult(values=tensor([1, 3]), indices=tensor([1, 0]), inverse_indices=tensor([1, 0, 1]), counts=tensor([1, 2]))
    """
    v, i, inv, c = _unique(x, "unique_all")
    w = x._backend
    return UniqueAllResult(B.wrap(v, w), B.wrap(i, w), B.wrap(inv, w), B.wrap(c, w))


def unique_counts(x, /):
    """Unique values of x and how often each occurs.

    >>> from nanotorch import array_api as xp
    >>> xp.unique_counts(xp.asarray([2, 2, 5]))
    UniqueCountsResult(values=tensor([2, 5]), counts=tensor([2, 1]))
    """
    v, _, _, c = _unique(x, "unique_counts")
    return UniqueCountsResult(B.wrap(v, x._backend), B.wrap(c, x._backend))


def unique_inverse(x, /):
    """Unique values of x and the indices (x's shape) that rebuild x from them.

    >>> from nanotorch import array_api as xp
    >>> xp.unique_inverse(xp.asarray([2, 5, 2]))
    UniqueInverseResult(values=tensor([2, 5]), inverse_indices=tensor([0, 1, 0]))
    """
    v, _, inv, _ = _unique(x, "unique_inverse")
    return UniqueInverseResult(B.wrap(v, x._backend), B.wrap(inv, x._backend))


def unique_values(x, /):
    """The unique values of x, sorted, as a 1-D array (each nan is its own value).

    >>> from nanotorch import array_api as xp
    >>> xp.unique_values(xp.asarray([[3, 1], [3, 2]]))
    tensor([1, 2, 3])
    """
    return B.wrap(_unique(x, "unique_values")[0], x._backend)
