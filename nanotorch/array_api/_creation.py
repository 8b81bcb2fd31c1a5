"""Creation functions: ``asarray``, ``arange``, ``zeros``, ``eye``, ``linspace``, ``meshgrid``, ...

Arrays are built with numpy on the host and handed to the target device's
backend, like nanotorch's own factories. Default dtypes are nanotorch's:
``int64`` for integers and the default float dtype (``float32`` unless
``nanotorch.set_default_dtype`` says otherwise) for floats.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._device import device as _device_cls
from ..backends import backend_for_device, get_default_backend
from ..ops.elementwise import Where
from ..tensor import Tensor
from . import _base as B

__all__ = ["arange", "asarray", "empty", "empty_like", "eye", "full", "full_like", "linspace",
           "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like"]


def backend_of(device):
    """The backend for a ``device=`` argument (None: the default backend)."""
    if device is None:
        return get_default_backend()
    return backend_for_device(device if isinstance(device, _device_cls) else _device_cls(device))


def from_host(array, device):
    """A tensor on ``device`` holding the numpy array ``array`` (no copy on the CPU)."""
    backend = backend_of(device)
    dev = None if device is None else _device_cls(device)
    data = array if backend.device_type == "cpu" else backend.from_numpy(array, dev)
    return Tensor._wrap(data, backend)


def _shape(shape, name):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        return (int(shape),)
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{name}(): shape must be an int or a tuple of ints, got {shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{name}(): negative dimensions are not allowed, got {shape}")
    return shape


def _infer_dtype(value):
    if isinstance(value, bool):
        return D.bool
    if isinstance(value, int):
        return B.default_int()
    if isinstance(value, float):
        return B.default_float()
    if isinstance(value, complex):
        return B.default_complex()
    raise TypeError(f"expected a Python bool, int, float or complex, got {type(value).__name__}")


def asarray(obj, /, *, dtype=None, device=None, copy=None):
    """An array from a tensor, a Python scalar or nested sequence, a buffer or a DLPack object.

    ``copy=None`` shares memory when it can, ``True`` always copies and
    ``False`` never does (ValueError if it would have to). A tensor that
    requires grad stays in the graph (a dtype change or copy is differentiable).

    >>> from nanotorch import array_api as xp
    >>> xp.asarray([[1, 2], [3, 4]]).dtype, xp.asarray(1.5, dtype=xp.float64)
    (nanotorch.int64, tensor(1.5000, dtype=nanotorch.float64))
    """
    dtype = B.to_dtype(dtype)
    if isinstance(obj, Tensor):
        out = obj
        if device is not None and out.device != _device_cls(device):
            if copy is False:
                raise ValueError("asarray(copy=False): moving to another device needs a copy")
            out = out.to_device(device)
        if dtype is not None and out.dtype is not dtype:
            if copy is False:
                raise ValueError("asarray(copy=False): converting the dtype needs a copy")
            out = out.to(dtype)
        if copy and out is obj:
            out = obj.clone()
        return out
    if hasattr(obj, "__dlpack__") and not isinstance(obj, np.ndarray):
        from ._dlpack import from_dlpack
        return asarray(from_dlpack(obj, copy=copy if copy is not None else None), dtype=dtype,
                       device=device, copy=False if copy is False else None)
    if isinstance(obj, (np.ndarray, np.generic)) or _is_buffer(obj):
        array = np.asarray(obj) if not isinstance(obj, (bytes, bytearray, memoryview)) \
            else np.frombuffer(obj, dtype=np.uint8)
        if dtype is not None:
            array = array.astype(dtype.np, copy=False)
        if copy:
            array = np.array(array, copy=True)
        elif copy is False and array is not obj and not np.shares_memory(array, obj):
            raise ValueError("asarray(copy=False): the input cannot be used without a copy")
        D.from_numpy_dtype(array.dtype)
        return _place(array, device)
    if copy is False:
        raise ValueError("asarray(copy=False): Python scalars and sequences always need a copy")
    array = _from_python(obj, dtype)
    return _place(array, device)


def _is_buffer(obj):
    try:
        memoryview(obj)
    except TypeError:
        return False
    return True


def _place(array, device):
    backend = backend_of(device)
    if backend.device_type != "cpu":
        return Tensor._wrap(backend.from_numpy(np.ascontiguousarray(array), _device_cls(device)),
                            backend)
    return Tensor._wrap(array, backend)


def _from_python(obj, dtype):
    """Nested Python data (possibly holding 0-d tensors) as a numpy array of the standard's dtype."""
    obj = _unwrap_nested(obj)
    if dtype is not None:
        with np.errstate(all="ignore"):
            return np.array(obj, dtype=dtype.np)
    kinds = set()
    _scan(obj, kinds)
    if "c" in kinds:
        target = B.default_complex()
    elif "f" in kinds:
        target = B.default_float()
    elif "i" in kinds:
        target = B.default_int()
    elif "b" in kinds or not kinds:
        target = D.bool if kinds else B.default_float()
    try:
        return np.array(obj, dtype=target.np)
    except OverflowError:
        raise OverflowError("asarray(): a Python int does not fit in the default integer dtype "
                            f"({target})") from None


def _unwrap_nested(obj):
    if isinstance(obj, Tensor):
        return obj._backend.to_numpy(obj._data)
    if isinstance(obj, (list, tuple)):
        return [_unwrap_nested(o) for o in obj]
    return obj


def _scan(obj, kinds):
    if isinstance(obj, (list, tuple)):
        for o in obj:
            _scan(o, kinds)
    elif isinstance(obj, np.ndarray):
        kinds.add("i" if obj.dtype.kind in "iu" else obj.dtype.kind)
    elif isinstance(obj, bool):
        kinds.add("b")
    elif isinstance(obj, int):
        kinds.add("i")
    elif isinstance(obj, float):
        kinds.add("f")
    elif isinstance(obj, complex):
        kinds.add("c")
    else:
        raise TypeError(f"asarray(): cannot make an array from {type(obj).__name__}")


def full(shape, fill_value, *, dtype=None, device=None):
    """An array of ``shape`` filled with ``fill_value`` (dtype inferred from it by default).

    >>> from nanotorch import array_api as xp
    >>> xp.full((2,), 3)
    tensor([3, 3])
    """
    shape = _shape(shape, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = B.to_dtype(dtype) or _infer_dtype(fill_value)
    with np.errstate(all="ignore"):
        return from_host(np.full(shape, fill_value, dtype=dtype.np), device)


def zeros(shape, *, dtype=None, device=None):
    """An array of zeros (default float dtype unless ``dtype``).

    >>> from nanotorch import array_api as xp
    >>> xp.zeros((2, 3)).shape
    nanotorch.Size([2, 3])
    """
    return full(shape, 0, dtype=B.to_dtype(dtype) or B.default_float(), device=device)


def ones(shape, *, dtype=None, device=None):
    """An array of ones (default float dtype unless ``dtype``).

    >>> from nanotorch import array_api as xp
    >>> xp.ones(2, dtype=xp.int8)
    tensor([1, 1], dtype=nanotorch.int8)
    """
    return full(shape, 1, dtype=B.to_dtype(dtype) or B.default_float(), device=device)


def empty(shape, *, dtype=None, device=None):
    """An uninitialised array (zero-filled here, one valid 'uninitialised').

    >>> from nanotorch import array_api as xp
    >>> xp.empty((1, 2)).shape
    nanotorch.Size([1, 2])
    """
    return zeros(shape, dtype=dtype, device=device)


def _like(x, dtype, device, name):
    B.check_array(x, name)
    return B.to_dtype(dtype) or x.dtype, x.device if device is None else device


def full_like(x, /, fill_value, *, dtype=None, device=None):
    """``fill_value`` everywhere, with ``x``'s shape (and dtype and device unless given).

    >>> from nanotorch import array_api as xp
    >>> xp.full_like(xp.zeros(2), 7.0)
    tensor([7., 7.])
    """
    dtype, device = _like(x, dtype, device, "full_like")
    return full(tuple(x.shape), fill_value, dtype=dtype, device=device)


def zeros_like(x, /, *, dtype=None, device=None):
    """Zeros with ``x``'s shape, dtype and device.

    >>> from nanotorch import array_api as xp
    >>> xp.zeros_like(xp.asarray([1, 2]))
    tensor([0, 0])
    """
    dtype, device = _like(x, dtype, device, "zeros_like")
    return full(tuple(x.shape), 0, dtype=dtype, device=device)


def ones_like(x, /, *, dtype=None, device=None):
    """Ones with ``x``'s shape, dtype and device.

    >>> from nanotorch import array_api as xp
    >>> xp.ones_like(xp.asarray([True, False]))
    tensor([True, True])
    """
    dtype, device = _like(x, dtype, device, "ones_like")
    return full(tuple(x.shape), 1, dtype=dtype, device=device)


def empty_like(x, /, *, dtype=None, device=None):
    """An uninitialised (zero-filled) array like ``x``.

    >>> from nanotorch import array_api as xp
    >>> xp.empty_like(xp.ones(3)).shape
    nanotorch.Size([3])
    """
    return zeros_like(x, dtype=dtype, device=device)


def arange(start, /, stop=None, step=1, *, dtype=None, device=None):
    """Values from ``start`` (inclusive) to ``stop`` (exclusive) by ``step``; ``ceil((stop - start) / step)`` of them.

    >>> from nanotorch import array_api as xp
    >>> xp.arange(4), xp.arange(0, 1, 0.25, dtype=xp.float64)
    (tensor([0, 1, 2, 3]), tensor([0.0000, 0.2500, 0.5000, 0.7500], dtype=nanotorch.float64))
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, stop, step))
        dtype = B.default_int() if ints else B.default_float()
    dtype = B.to_dtype(dtype)
    if dtype not in B.CATEGORIES["real numeric"]:
        raise TypeError(f"arange(): dtype must be a real numeric dtype, got {dtype}")
    if step == 0:
        raise ValueError("arange(): step must not be zero")
    n = max(math.ceil((stop - start) / step), 0)
    if dtype in B.INTEGER and all(isinstance(v, int) for v in (start, stop, step)):
        values = np.arange(start, start + n * step, step, dtype=np.int64 if dtype in B.SIGNED else np.uint64)[:n]
    else:
        values = start + step * np.arange(n, dtype=np.float64)
    return from_host(values.astype(dtype.np), device)


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None):
    """A 2-D array with ones on diagonal ``k`` and zeros elsewhere.

    >>> from nanotorch import array_api as xp
    >>> xp.eye(2, 3, k=1, dtype=xp.int32)
    tensor([[0, 1, 0],
            [0, 0, 1]], dtype=nanotorch.int32)
    """
    dtype = B.to_dtype(dtype) or B.default_float()
    return from_host(np.eye(n_rows, n_cols, k=k, dtype=dtype.np), device)


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True):
    """``num`` evenly spaced values from ``start`` to ``stop`` (inclusive when ``endpoint``).

    >>> from nanotorch import array_api as xp
    >>> xp.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if dtype is None:
        dtype = B.default_complex() if isinstance(start, complex) or isinstance(stop, complex) \
            else B.default_float()
    dtype = B.to_dtype(dtype)
    if dtype not in B.CATEGORIES["floating-point"]:
        raise TypeError(f"linspace(): dtype must be floating-point, got {dtype}")
    if num < 0:
        raise ValueError(f"linspace(): num must be non-negative, got {num}")
    wide = np.complex128 if dtype in B.COMPLEX_FLOATING else np.float64
    values = np.linspace(start, stop, num, endpoint=endpoint, dtype=wide)
    return from_host(values.astype(dtype.np), device)


def meshgrid(*arrays, indexing="xy"):
    """Coordinate grids from 1-D arrays: a list of broadcast views (differentiable).

    ``indexing='xy'`` (Cartesian) swaps the first two output dims; ``'ij'``
    keeps the input order.

    >>> from nanotorch import array_api as xp
    >>> X, Y = xp.meshgrid(xp.arange(3), xp.arange(2))
    >>> X.shape, Y.shape
    (nanotorch.Size([2, 3]), nanotorch.Size([2, 3]))
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid(): indexing must be 'xy' or 'ij', got {indexing!r}")
    for a in arrays:
        B.check_array(a, "meshgrid")
        if a.ndim != 1:
            raise ValueError(f"meshgrid(): every array must be 1-D, got {a.ndim}-D")
    if len({a.dtype for a in arrays}) > 1:
        raise ValueError("meshgrid(): every array must have the same dtype")
    sizes = [a.shape[0] for a in arrays]
    if indexing == "xy" and len(arrays) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, a in enumerate(arrays):
        axis = i
        if indexing == "xy" and len(arrays) > 1 and i < 2:
            axis = 1 - i
        shape = [1] * len(arrays)
        shape[axis] = a.shape[0]
        out.append(a.reshape(tuple(shape)).expand(tuple(sizes)))
    return out


def _triangle(x, k, upper, name):
    B.check_array(x, name)
    if x.ndim < 2:
        raise ValueError(f"{name}(): x must have at least 2 dimensions, got {x.ndim}")
    n, m = x.shape[-2:]
    xp = x._backend.xp
    keep = xp.asarray(np.triu(np.ones((n, m), dtype=bool), k) if upper else
                      np.tril(np.ones((n, m), dtype=bool), k))
    zero = Tensor._wrap(xp.zeros((), dtype=x._data.dtype), x._backend)
    return Where.apply(Tensor._wrap(keep, x._backend), x, zero)


def tril(x, /, *, k=0):
    """The lower triangle of (a stack of) matrices: zeros above diagonal ``k`` (differentiable).

    >>> from nanotorch import array_api as xp
    >>> xp.tril(xp.ones((2, 2)))
    tensor([[1., 0.],
            [1., 1.]])
    """
    return _triangle(x, k, False, "tril")


def triu(x, /, *, k=0):
    """The upper triangle of (a stack of) matrices: zeros below diagonal ``k`` (differentiable).

    >>> from nanotorch import array_api as xp
    >>> xp.triu(xp.ones((2, 2)))
    tensor([[1., 1.],
            [0., 1.]])
    """
    return _triangle(x, k, True, "triu")
