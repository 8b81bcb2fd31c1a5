"""Helpers shared by the op families: operand promotion, dim checks, tensor wrapping."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from ..autograd import function as _fn

_PY_SCALARS = (int, float, bool, complex)


def tensor_type():
    """nanotorch.Tensor (bound when the tensor module loads; ops sit below it)."""
    return _fn._Tensor


def wrap(array, backend):
    """A new tensor around a raw backend array, outside the graph."""
    if isinstance(array, np.generic):
        # numpy ufuncs give scalars for 0-d operands; a tensor must hold a writable array
        array = np.asarray(array)
    return _fn._Tensor._wrap(array, backend)


def as_scalar(value, argname="other"):
    """A Python number from a Python or numpy scalar; numpy scalars count as weak like torch's."""
    if type(value) in _PY_SCALARS:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, numbers.Number):
        return complex(value) if isinstance(value, numbers.Complex) and not isinstance(
            value, numbers.Real) else float(value)
    raise TypeError(
        f"{argname} must be a Tensor or a number, not {type(value).__name__}")


def check_same_device(a, b):
    if a._backend is not b._backend and a.device != b.device:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{a.device} and {b.device}!")


def binary_operands(a, b):
    """Raw operands of a two-input op and the backend to run it on, promoted as torch does."""
    T = _fn._Tensor
    if isinstance(a, T):
        x, backend = a._data, a._backend
        if isinstance(b, T):
            y = b._data
            if b._backend is not backend:
                check_same_device(a, b)
            if x.dtype is not y.dtype and x.dtype != y.dtype:
                target = _dtype.result_type(a, b).np
                x = x.astype(target, copy=False)
                y = y.astype(target, copy=False)
            return x, y, backend
        if type(b) is not float or x.dtype.kind not in "fc":
            b = as_scalar(b)
            x = _promote_with_scalar(x, b)
        return x, b, backend
    if isinstance(b, T):
        x = as_scalar(a, "input")
        return x, _promote_with_scalar(b._data, x), b._backend
    raise TypeError("at least one operand must be a Tensor")


def _promote_with_scalar(array, scalar):
    kind = array.dtype.kind
    if kind in "biu":
        t = type(scalar)
        if t is float:
            return array.astype(_dtype.get_default_dtype().np)
        if t is complex:
            return array.astype(_dtype.get_default_dtype().to_complex().np)
    elif kind == "f" and type(scalar) is complex:
        return array.astype(np.complex128 if array.dtype == np.float64 else np.complex64)
    return array


_SCALAR_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                      "bfloat16": "BFloat16", "int8": "Char", "uint8": "Byte", "int16": "Short",
                      "int32": "Int", "int64": "Long", "bool": "Bool", "complex64": "ComplexFloat",
                      "complex128": "ComplexDouble"}


def scalar_type_name(dtype):
    """The name torch's error messages give a dtype: ``Float``, ``Long``, ``Bool``..."""
    return _SCALAR_TYPE_NAMES.get(dtype.name, dtype.name.capitalize())


def to_float(array):
    """Integer and bool arrays become the default float dtype, as torch's float-only ops do."""
    if array.dtype.kind in "biu":
        return array.astype(_dtype.get_default_dtype().np)
    return array


def normalize_dim(dim, ndim, argname="dim"):
    """A non-negative dim, or IndexError naming the valid range like torch's."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{argname} must be an int, got {type(dim).__name__}")
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if dim < lo or dim > hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return int(dim) % ndim if ndim else 0


def normalize_dims(dim, ndim):
    """A sorted tuple of non-negative dims from None, an int, or a tuple/list of ints.

    A 0-d tensor accepts dim 0 or -1, as torch does, and has nothing to reduce.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        dims = tuple(normalize_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {list(dim)} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim else ()
    d = normalize_dim(dim, ndim)
    return (d,) if ndim else ()


def shape_arg(shape, argname="size"):
    """A shape tuple from varargs ``(2, 3)`` or a single sequence ``((2, 3),)``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    elif len(shape) == 1 and hasattr(shape[0], "tolist") and not isinstance(shape[0], int):
        shape = tuple(shape[0].tolist())
    out = []
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{argname} must be a tuple of ints, but got an element of type "
                            f"{type(s).__name__}: {s!r}")
        out.append(int(s))
    return tuple(out)


def broadcast_shapes(*shapes):
    """The shape several shapes broadcast to, or RuntimeError naming the clash like torch's."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        # right to left, so a clash names the rightmost dimension, as torch does
        for i, size in reversed(list(enumerate(shape, ndim - len(shape)))):
            if size == result[i] or size == 1:
                continue
            if result[i] == 1:
                result[i] = size
                continue
            raise RuntimeError(
                f"The size of tensor a ({result[i]}) must match the size of tensor b ({size}) at "
                f"non-singleton dimension {i}")
    return tuple(result)
