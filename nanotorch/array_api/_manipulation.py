"""Manipulation functions (shapes and joins) and indexing (``take``, ``take_along_axis``).

All are differentiable: they are views (``reshape``, ``permute_dims``,
``broadcast_to``, ...), joins (``concat``, ``stack``) or gathers by
integer indices (``repeat``, ``roll``, ``take``), whose gradient the core
scatters back.
"""
from __future__ import annotations

import numpy as np

from ..ops import index as I, shape as S
from ..ops._util import broadcast_shapes
from . import _base as B

__all__ = ["broadcast_arrays", "broadcast_to", "concat", "expand_dims", "flip", "moveaxis",
           "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack",
           "take", "take_along_axis"]


def broadcast_arrays(*arrays):
    """Views of the arrays broadcast to one shape, as a list.

    >>> from nanotorch import array_api as xp
    >>> [tuple(a.shape) for a in xp.broadcast_arrays(xp.zeros((2, 1)), xp.zeros(3))]
    [(2, 3), (2, 3)]
    """
    for a in arrays:
        B.check_array(a, "broadcast_arrays")
    shape = _broadcast_shape([tuple(a.shape) for a in arrays], "broadcast_arrays")
    return [a if tuple(a.shape) == shape else a.expand(shape) for a in arrays]


def _broadcast_shape(shapes, name):
    try:
        return broadcast_shapes(*shapes)
    except RuntimeError as err:
        raise ValueError(f"{name}(): shapes {shapes} do not broadcast: {err}") from None


def broadcast_to(x, /, shape):
    """A view of x broadcast to ``shape`` (ValueError if it does not broadcast).

    >>> from nanotorch import array_api as xp
    >>> xp.broadcast_to(xp.asarray([1, 2]), (2, 2))
    tensor([[1, 2],
            [1, 2]])
    """
    B.check_array(x, "broadcast_to")
    shape = tuple(int(s) for s in shape)
    if len(shape) < x.ndim or _broadcast_shape([tuple(x.shape), shape], "broadcast_to") != shape:
        raise ValueError(f"broadcast_to(): cannot broadcast shape {tuple(x.shape)} to {shape}")
    return x if tuple(x.shape) == shape else x.expand(shape)


def _promote_all(arrays, name):
    arrays = list(arrays)
    if not arrays:
        raise ValueError(f"{name}(): need at least one array")
    for a in arrays:
        B.check_array(a, name)
    target = arrays[0].dtype
    for a in arrays[1:]:
        target = B.promote(target, a.dtype)
    return [B.cast(a, target) for a in arrays]


def concat(arrays, /, *, axis=0):
    """Join arrays along an existing ``axis`` (``None``: flatten them first), promoting dtypes.

    >>> from nanotorch import array_api as xp
    >>> xp.concat([xp.zeros((1, 2)), xp.ones((2, 2))]).shape
    nanotorch.Size([3, 2])
    """
    arrays = _promote_all(arrays, "concat")
    if axis is None:
        arrays = [a.reshape(-1) for a in arrays]
        axis = 0
    first = arrays[0]
    if first.ndim == 0:
        raise ValueError("concat(): zero-dimensional arrays cannot be concatenated")
    d = B.normalize_axis(axis, first.ndim, "concat")
    for a in arrays:
        if a.ndim != first.ndim or any(s != t for k, (s, t) in enumerate(zip(a.shape, first.shape))
                                       if k != d):
            raise ValueError(f"concat(): shapes {tuple(first.shape)} and {tuple(a.shape)} differ "
                             f"outside axis {d}")
    return S.Cat.apply(d, *arrays)


def stack(arrays, /, *, axis=0):
    """Join same-shaped arrays along a new ``axis``, promoting dtypes.

    >>> from nanotorch import array_api as xp
    >>> xp.stack([xp.zeros(2), xp.ones(2)], axis=1).shape
    nanotorch.Size([2, 2])
    """
    arrays = _promote_all(arrays, "stack")
    shape = tuple(arrays[0].shape)
    if any(tuple(a.shape) != shape for a in arrays):
        raise ValueError(f"stack(): every array must have shape {shape}")
    d = B.normalize_axis(axis, len(shape) + 1, "stack")
    return S.Cat.apply(d, *[a.unsqueeze(d) for a in arrays])


def expand_dims(x, /, axis=0):
    """x with a new size-1 dim at ``axis`` (in [-ndim - 1, ndim]).

    >>> from nanotorch import array_api as xp
    >>> xp.expand_dims(xp.zeros((2, 3)), axis=-1).shape
    nanotorch.Size([2, 3, 1])
    """
    B.check_array(x, "expand_dims")
    d = B.normalize_axis(axis, x.ndim + 1, "expand_dims")
    shape = list(x.shape)
    shape.insert(d, 1)
    return S.Reshape.apply(x, tuple(shape))


def flip(x, /, *, axis=None):
    """x with the order of elements reversed along ``axis`` (all axes by default).

    >>> from nanotorch import array_api as xp
    >>> xp.flip(xp.asarray([[1, 2], [3, 4]]), axis=1)
    tensor([[2, 1],
            [4, 3]])
    """
    B.check_array(x, "flip")
    axes = B.normalize_axes(axis, x.ndim, "flip")
    return S.Flip.apply(x, axes) if axes else x.clone()


def moveaxis(x, source, destination, /):
    """x with the axes ``source`` moved to positions ``destination`` (ints or tuples).

    >>> from nanotorch import array_api as xp
    >>> xp.moveaxis(xp.zeros((2, 3, 4)), 0, -1).shape
    nanotorch.Size([3, 4, 2])
    """
    B.check_array(x, "moveaxis")
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise ValueError("moveaxis(): source and destination must have the same number of axes")
    src = [B.normalize_axis(a, x.ndim, "moveaxis") for a in src]
    dst = [B.normalize_axis(a, x.ndim, "moveaxis") for a in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError("moveaxis(): repeated axis")
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return S.Permute.apply(x, tuple(order))


def permute_dims(x, /, axes):
    """x with its axes reordered: output axis i is input axis ``axes[i]``.

    >>> from nanotorch import array_api as xp
    >>> xp.permute_dims(xp.zeros((2, 3, 4)), (2, 0, 1)).shape
    nanotorch.Size([4, 2, 3])
    """
    B.check_array(x, "permute_dims")
    axes = tuple(B.normalize_axis(a, x.ndim, "permute_dims") for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"permute_dims(): {axes} is not a permutation of the {x.ndim} axes")
    return S.Permute.apply(x, axes)


def repeat(x, repeats, /, *, axis=None):
    """Each element repeated ``repeats`` times (an int or a 1-D integer array) along ``axis``
    (the flattened array when ``None``).

    >>> from nanotorch import array_api as xp
    >>> xp.repeat(xp.asarray([1, 2]), 2)
    tensor([1, 1, 2, 2])
    """
    B.check_array(x, "repeat")
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    d = B.normalize_axis(axis, x.ndim, "repeat")
    xp = x._backend.xp
    counts = repeats._data if hasattr(repeats, "_data") else repeats
    if hasattr(counts, "dtype") and counts.dtype.kind not in "iu":
        raise TypeError("repeat(): repeats must have an integer dtype")
    counts = np.asarray(x._backend.to_numpy(counts) if hasattr(counts, "dtype") else counts)
    if np.any(counts < 0):
        raise ValueError("repeat(): repeats must be non-negative")
    index = np.repeat(np.arange(x.shape[d]), counts)
    key = (slice(None),) * d + (xp.asarray(index),)
    return I.GetItem.apply(x, key)


def reshape(x, /, shape, *, copy=None):
    """x with a new ``shape`` (one entry may be -1). ``copy=False`` insists on a view
    (ValueError if impossible), ``copy=True`` always copies.

    >>> from nanotorch import array_api as xp
    >>> xp.reshape(xp.arange(6), (2, -1))
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    B.check_array(x, "reshape")
    shape = tuple(int(s) for s in shape)
    if copy:
        x = x.clone()
    try:
        return S.Reshape.apply(x, shape, copy is False)
    except RuntimeError as err:
        raise ValueError(f"reshape(): {err}") from None


def roll(x, /, shift, *, axis=None):
    """Elements shifted by ``shift`` along ``axis``, wrapping around (flattened when ``None``).

    >>> from nanotorch import array_api as xp
    >>> xp.roll(xp.asarray([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3])
    """
    B.check_array(x, "roll")
    if axis is None:
        return roll(x.reshape(-1), shift, axis=0).reshape(tuple(x.shape))
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(shifts) != len(axes):
        raise ValueError("roll(): shift and axis must have the same length")
    xp = x._backend.xp
    out = x
    for s, a in zip(shifts, axes):
        d = B.normalize_axis(a, x.ndim, "roll")
        n = x.shape[d]
        if n == 0 or s % n == 0:
            continue
        index = xp.asarray((np.arange(n) - s) % n)
        out = I.GetItem.apply(out, (slice(None),) * d + (index,))
    return out if out is not x else x.clone()


def squeeze(x, /, axis):
    """x without the size-1 axes ``axis`` (ValueError if one is not size 1).

    >>> from nanotorch import array_api as xp
    >>> xp.squeeze(xp.zeros((1, 3, 1)), axis=(0, 2)).shape
    nanotorch.Size([3])
    """
    B.check_array(x, "squeeze")
    axes = B.normalize_axes(axis, x.ndim, "squeeze")
    if any(x.shape[a] != 1 for a in axes):
        raise ValueError(f"squeeze(): cannot squeeze axes {axis} of shape {tuple(x.shape)}: "
                         "not all have size 1")
    return S.Reshape.apply(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


def tile(x, repetitions, /):
    """x repeated ``repetitions[i]`` times along each axis (missing leading entries count as 1).

    >>> from nanotorch import array_api as xp
    >>> xp.tile(xp.asarray([1, 2]), (2,))
    tensor([1, 2, 1, 2])
    """
    B.check_array(x, "tile")
    reps = tuple(int(r) for r in repetitions)
    reps = (1,) * (x.ndim - len(reps)) + reps
    return S.Repeat.apply(x, reps)


def unstack(x, /, *, axis=0):
    """The slices of x along ``axis``, as a tuple of arrays with that axis removed.

    >>> from nanotorch import array_api as xp
    >>> xp.unstack(xp.asarray([[1, 2], [3, 4]]), axis=1)
    (tensor([1, 3]), tensor([2, 4]))
    """
    B.check_array(x, "unstack")
    if x.ndim == 0:
        raise ValueError("unstack(): x must have at least one dimension")
    d = B.normalize_axis(axis, x.ndim, "unstack")
    return tuple(I.GetItem.apply(x, (slice(None),) * d + (i,)) for i in range(x.shape[d]))


def _index_array(indices, name):
    B.check_array(indices, name, "indices")
    if indices.dtype not in B.INTEGER:
        raise TypeError(f"{name}(): indices must have an integer dtype, got {indices.dtype}")
    return indices


def take(x, indices, /, *, axis=None):
    """Elements of x at the integer ``indices`` (1-D) along ``axis`` (optional for 1-D x).

    >>> from nanotorch import array_api as xp
    >>> xp.take(xp.asarray([[1, 2], [3, 4]]), xp.asarray([1, 1, 0]), axis=1)
    tensor([[2, 2, 1],
            [4, 4, 3]])
    """
    B.check_array(x, "take")
    _index_array(indices, "take")
    if indices.ndim != 1:
        raise ValueError("take(): indices must be one-dimensional")
    if axis is None:
        if x.ndim != 1:
            raise ValueError("take(): axis is required when x has more than one dimension")
        axis = 0
    d = B.normalize_axis(axis, x.ndim, "take")
    return I.GetItem.apply(x, (slice(None),) * d + (indices._data,))


def take_along_axis(x, indices, /, *, axis=-1):
    """Elements of x at ``indices`` along ``axis``, matched position by position in the others
    (x and indices have the same number of dims and broadcast outside ``axis``).

    >>> from nanotorch import array_api as xp
    >>> x = xp.asarray([[10, 30, 20]])
    >>> xp.take_along_axis(x, xp.argsort(x, axis=1), axis=1)
    tensor([[10, 20, 30]])
    """
    B.check_array(x, "take_along_axis")
    _index_array(indices, "take_along_axis")
    if x.ndim != indices.ndim:
        raise ValueError("take_along_axis(): x and indices must have the same number of dims")
    d = B.normalize_axis(axis, x.ndim, "take_along_axis")
    xs, ids = list(x.shape), list(indices.shape)
    xs[d] = ids[d] = 1
    common = _broadcast_shape([tuple(xs), tuple(ids)], "take_along_axis")
    xt = tuple(s if i != d else x.shape[d] for i, s in enumerate(common))
    it = tuple(s if i != d else indices.shape[d] for i, s in enumerate(common))
    x = x if tuple(x.shape) == xt else x.expand(xt)
    idx = indices._data
    n = x.shape[d]
    idx = x._backend.xp.broadcast_to(idx, it).astype("int64")
    idx = x._backend.xp.where(idx < 0, idx + n, idx)
    from ..ops._util import wrap
    return I.Gather.apply(x, d, wrap(idx, x._backend))
