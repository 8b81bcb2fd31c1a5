"""Indexing ops: ``t[key]``, ``t[key] = v``, gather/scatter along a dim.

The gradient of reading ``t[key]`` writes the gradient back into a zero
tensor at the same positions, adding where an index repeats; the gradient
of that write is reading again. The two ops are each other's derivative.
"""
from __future__ import annotations

import warnings

import numpy as np

from .base import Op
from ._util import tensor_type


def is_basic(key):
    """Whether a normalized key is numpy's basic indexing (ints, slices, None, ...): a view."""
    return isinstance(key, tuple) and all(
        k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


class SelectThenIndex:
    """A key whose integers torch applies first, as selects, and then the rest.

    numpy counts an integer beside an index array as one more advanced index,
    which can move where the indexed dims land: ``x[0, :, [0, 3]]`` of a
    (2, 3, 4) tensor is (2, 3) in numpy and (3, 2) in torch. ``select`` keeps
    the integers and a full slice for every other dim (a basic index: a view),
    ``rest`` is the key without the integers.
    """

    __slots__ = ("select", "rest")

    def __init__(self, select, rest):
        self.select, self.rest = select, rest


def take(array, key):
    """``array[key]`` for a normalized key."""
    if type(key) is SelectThenIndex:
        return array[key.select][key.rest]
    return array[key]


def put(array, key, value):
    """``array[key] = value`` for a normalized key (the selects are a view: they write through)."""
    if type(key) is SelectThenIndex:
        array[key.select][key.rest] = value
    else:
        array[key] = value


def add_at(xp, array, key, value):
    """``array[key] += value``, adding where an index repeats, for a normalized key."""
    if type(key) is SelectThenIndex:
        xp.add.at(array[key.select], key.rest, value)
    else:
        xp.add.at(array, key, value)


def _as_tuple(key, T):
    """torch's reading of a key: a list holding sequences, tensors, slices, None or Ellipsis
    stands for a tuple of indices (``x[[[0, 1], [1, 0]]]`` is ``x[[0, 1], [1, 0]]``)."""
    if isinstance(key, tuple):
        return key
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (list, tuple, slice, np.ndarray, T)) or k is None or k is Ellipsis
            for k in key):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; "
                      "use x[tuple(seq)] instead of x[seq] (torch 2.9 and later read it as a "
                      "tensor index)", UserWarning, stacklevel=4)
        return tuple(key)
    return (key,)


def _staged(out):
    """``out`` as a SelectThenIndex when it mixes integers with index arrays, else as it is."""
    arrays = [k for k in out if getattr(k, "ndim", 0)]
    if not arrays or not any(type(k) is int for k in out):
        return out
    select = []
    for k in out:
        if type(k) is int or k is Ellipsis:
            select.append(k)
        elif isinstance(k, slice) or getattr(k, "ndim", 0) and k.dtype.kind != "b":
            select.append(slice(None))
        elif getattr(k, "ndim", 0):  # a mask covers as many dims as it has
            select.extend([slice(None)] * k.ndim)
    return SelectThenIndex(tuple(select), tuple(k for k in out if type(k) is not int))


def normalize_key(key, shape, backend):
    """Turn a torch-style index into a backend index; IndexError like torch for bad ones."""
    T = tensor_type()
    key = _as_tuple(key, T)
    out = []
    dim = 0
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis and not (
        isinstance(k, T) and k._data.dtype == np.bool_) and not (
        isinstance(k, np.ndarray) and k.dtype == np.bool_))
    consumed += sum(k._data.ndim if isinstance(k, T) else k.ndim for k in key
                    if (isinstance(k, T) and k._data.dtype == np.bool_)
                    or (isinstance(k, np.ndarray) and k.dtype == np.bool_))
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for k in key:
        if isinstance(k, T):
            if k._backend is not backend and k.device != backend.device_of(None):
                raise RuntimeError("indices should be either on cpu or on the same device as the "
                                   f"indexed tensor ({k.device})")
            k = k._data
            if k.dtype.kind == "b" and k.ndim == 0:
                out.append(backend.xp.asarray(bool(k)))
                continue
        elif isinstance(k, (list, tuple)):
            k = np.asarray(k)
            if k.dtype == object:
                raise IndexError("only integers, slices, ellipsis, None and integer or boolean "
                                 "lists/tensors are valid indices")
        elif isinstance(k, bool):
            out.append(k)
            continue
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got float {k})")
        elif isinstance(k, np.integer):
            k = int(k)
        if k is None or k is Ellipsis:
            out.append(k)
            if k is Ellipsis:
                dim = len(shape) - (consumed - dim)
            continue
        if isinstance(k, int):
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(
                    f"index {k} is out of bounds for dimension {dim} with size {size}")
            out.append(k)
            dim += 1
            continue
        if isinstance(k, slice):
            for part, name in ((k.start, "start"), (k.stop, "stop"), (k.step, "step")):
                if part is not None and not isinstance(part, (int, np.integer)):
                    part = part.item() if isinstance(part, T) else part
                    if not isinstance(part, (int, np.integer)):
                        raise TypeError(f"slice indices must be integers or None, got {name}={part!r}")
            if k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(k)
            dim += 1
            continue
        arr = k
        if arr.dtype.kind == "b":
            if arr.shape != tuple(shape[dim:dim + arr.ndim]):
                raise IndexError(
                    f"The shape of the mask {list(arr.shape)} at index {dim} does not match the "
                    f"shape of the indexed tensor {list(shape[dim:dim + arr.ndim])}")
            out.append(arr)
            dim += arr.ndim
            continue
        if arr.dtype.kind not in "iu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        size = shape[dim]
        if arr.size and (int(arr.max()) >= size or int(arr.min()) < -size):
            bad = int(arr.max()) if int(arr.max()) >= size else int(arr.min())
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        out.append(arr)
        dim += 1
    return _staged(tuple(out))


class GetItem(Op):
    @staticmethod
    def forward(ctx, a, key):
        ctx.key, ctx.shape = key, a._data.shape
        ctx.basic = is_basic(key)
        if ctx.basic and Ellipsis not in key:
            key += (Ellipsis,)  # numpy then gives a 0-d result as a view, not a scalar copy
        out = take(a._data, key)
        if not ctx.basic or not isinstance(out, a._backend.xp.ndarray):
            return a._backend.xp.asarray(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, ctx.key, ctx.shape, ctx.basic), None


GetItem.is_view = True


class IndexAdd(Op):
    """zeros(shape)[key] += g, accumulating repeated indices (the gradient of ``t[key]``)."""

    @staticmethod
    def forward(ctx, g, key, shape, basic):
        ctx.key = key
        xp = g._backend.xp
        out = xp.zeros(shape, dtype=g._data.dtype)
        if basic:
            out[key] = g._data
        else:
            add_at(xp, out, key, g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return GetItem.apply(gg, ctx.key), None, None, None


class IndexPut(Op):
    """out = a with out[key] = v (the differentiable form of ``a[key] = v``)."""

    @staticmethod
    def forward(ctx, a, key, v, accumulate=False):
        ctx.key = key
        T = tensor_type()
        ctx.v_shape = v._data.shape if isinstance(v, T) else None
        out = a._backend.xp.array(a._data, copy=True)
        value = v._data if isinstance(v, T) else v
        if accumulate:
            add_at(a._backend.xp, out, key, value)
        else:
            try:
                put(out, key, value)
            except ValueError as err:
                raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(value))} "
                                   f"cannot be broadcast to indexing result of shape "
                                   f"{list(take(a._data, key).shape)}") from err
        ctx.accumulate = accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        ga = g if ctx.accumulate else IndexPut.apply(g, ctx.key, 0.0)
        gv = None
        if ctx.v_shape is not None:
            gv = GetItem.apply(g, ctx.key)
            if gv.shape != ctx.v_shape:
                gv = gv.sum_to_size(ctx.v_shape)
        return ga, None, gv, None


def _gather_view(backend, x, dim, index_shape):
    """torch.gather allows an index smaller than the input in the other dims: slice to fit."""
    key = tuple(slice(0, n) if d != dim else slice(None) for d, n in enumerate(index_shape))
    return x[key]


def check_gather(name, a, dim, index):
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if index._data.ndim != a._data.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                           f"({name}: input {list(a.shape)}, index {list(index.shape)})")
    size = a._data.shape[dim]
    idx = index._data
    if idx.size:  # torch takes no negative index here (take_along_dim wraps its own first)
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= size:
            raise RuntimeError(f"index {high if high >= size else low} is out of bounds for "
                               f"dimension {dim} with size {size}")


def check_index_range(index, size):
    """index_select's and index_add's range rule: 0 <= index < size, torch's IndexError."""
    idx = index._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        raise IndexError("index out of range in self")


def check_index_add(a, dim, index, source):
    """index_add's arguments, checked with torch's messages before numpy sees them."""
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype}")
    if index._data.ndim > 1:
        raise IndexError("index_add_(): Index is supposed to be a vector")
    count = index._data.size
    expected = list(a.shape)
    if source._data.ndim:
        expected[dim] = source._data.shape[dim] if dim < source._data.ndim else 1
    if source._data.ndim and list(source.shape) != expected:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(a.shape)} source.shape = "
                           f"{list(source.shape)}")
    if source._data.ndim and source._data.shape[dim] != count:
        raise RuntimeError(f"index_add_(): Number of indices ({count}) should be equal to "
                           f"source.size(dim): ({source._data.shape[dim]}), for dim: {dim}")
    check_index_range(index, a._data.shape[dim])


class Gather(Op):
    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim, ctx.shape = dim, a._data.shape
        ctx.save_for_backward(index)
        x = _gather_view(a._backend, a._data, dim, index._data.shape)
        return a._backend.take_along_axis(x, index._data, axis=dim)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return PutAlongDim.apply(g, index, ctx.dim, ctx.shape), None, None

    @staticmethod
    def raw_backward(ctx, g):
        (index,) = ctx.saved_arrays
        return put_along_dim(ctx.backend, g, index, ctx.dim, ctx.shape), None, None


class PutAlongDim(Op):
    """zeros(shape) with g added at ``index`` along ``dim`` (gather's gradient)."""

    @staticmethod
    def forward(ctx, g, index, dim, shape):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return put_along_dim(g._backend, g._data, index._data, dim, shape)

    @staticmethod
    def backward(ctx, gg):
        (index,) = ctx.saved_tensors
        return Gather.apply(gg, ctx.dim, index), None, None, None


def put_along_dim(backend, g, index, dim, shape):
    """``PutAlongDim`` on raw arrays: zeros(shape) with g added at ``index`` along ``dim``."""
    out = backend.xp.zeros(shape, dtype=g.dtype)
    target = _gather_view(backend, out, dim, index.shape)
    _scatter_add_into(backend.xp, target, dim, index, g)
    return out


def _open_grid(xp, shape):
    """``xp.indices(shape, sparse=True)`` as a list; CuPy's ``indices`` has no ``sparse``."""
    n = len(shape)
    return [xp.arange(size).reshape((1,) * d + (size,) + (1,) * (n - d - 1))
            for d, size in enumerate(shape)]


def _scatter_add_into(xp, target, dim, index, src):
    """target[..., index[i], ...] += src[i] along ``dim``, repeats accumulating."""
    grids = _open_grid(xp, index.shape)
    grids[dim] = index
    src = src[tuple(slice(0, n) for n in index.shape)]
    xp.add.at(target, tuple(grids), src)


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim = dim
        ctx.save_for_backward(index)
        xp = a._backend.xp
        out = xp.array(a._data, copy=True)
        _scatter_add_into(xp, out, dim, index._data, src._data.astype(out.dtype, copy=False))
        ctx.src_shape = src._data.shape
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = _pad_to(Gather.apply(g, ctx.dim, index), ctx.src_shape)
        return g, None, None, gsrc


class Scatter(Op):
    """out = a with out[index] = src along dim (the last write wins for repeats)."""

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim = dim
        ctx.save_for_backward(index)
        ctx.src_shape = getattr(src, "shape", None)
        xp = a._backend.xp
        out = xp.array(a._data, copy=True)
        grids = _open_grid(xp, index._data.shape)
        grids[dim] = index._data
        T = tensor_type()
        value = src._data[tuple(slice(0, n) for n in index._data.shape)] if isinstance(src, T) else src
        out[tuple(grids)] = value
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        ga = Scatter.apply(g, ctx.dim, index, 0.0)
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = _pad_to(Gather.apply(g, ctx.dim, index), ctx.src_shape)
        return ga, None, None, gsrc


def _pad_to(g, shape):
    """A gradient for a ``src`` larger than its index: zeros where src was not read."""
    if tuple(g.shape) == tuple(shape):
        return g
    return IndexAdd.apply(g, tuple(slice(0, n) for n in g.shape), tuple(shape), True)


class MaskedFill(Op):
    """A copy of ``a`` with a number where ``mask`` is True; the filled places get no gradient."""

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return a._backend.masked_fill(a._data, mask._data, value)

    @staticmethod
    def backward(ctx, g):
        return MaskedFill.apply(g, ctx.mask, 0), None, None

    @staticmethod
    def raw_backward(ctx, g):
        return ctx.backend.masked_fill(g, ctx.mask._data, 0), None, None
