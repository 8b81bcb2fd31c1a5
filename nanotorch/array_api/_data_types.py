"""Data type functions: ``astype``, ``can_cast``, ``finfo``, ``iinfo``, ``isdtype``, ``result_type``.

The dtype objects are nanotorch's own (``xp.float32 is nanotorch.float32``),
so ``x.dtype == xp.float32`` holds for any tensor.
"""
from __future__ import annotations

import collections

import numpy as np

from .. import _dtype as D
from ..tensor import Tensor
from . import _base as B

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]

finfo_object = collections.namedtuple("finfo_object", "bits eps max min smallest_normal dtype")
iinfo_object = collections.namedtuple("iinfo_object", "bits max min dtype")


def astype(x, dtype, /, *, copy=True, device=None):
    """``x`` converted to ``dtype`` (and moved to ``device``); differentiable between floating types.

    With ``copy=False`` the input itself comes back when nothing changes.
    Complex to real is refused (it would drop the imaginary part silently).

    >>> from nanotorch import array_api as xp
    >>> xp.astype(xp.asarray([1.7, -2.5]), xp.int32)
    tensor([ 1, -2], dtype=nanotorch.int32)
    """
    B.check_array(x, "astype")
    dtype = B.to_dtype(dtype)
    if x.dtype in B.COMPLEX_FLOATING and dtype not in B.COMPLEX_FLOATING:
        raise TypeError(f"astype(): casting {x.dtype} to {dtype} would discard the imaginary "
                        "part; take xp.real(x) first")
    out = x if device is None else x.to_device(device)
    if out.dtype is not dtype:
        return out.to(dtype)
    return out.clone() if copy and out is x else out


def _dtype_of(value):
    return value.dtype if isinstance(value, Tensor) else B.to_dtype(value)


def can_cast(from_, to, /):
    """Whether the standard's promotion rules allow ``from_`` (a dtype or an array) to become ``to``.

    >>> from nanotorch import array_api as xp
    >>> xp.can_cast(xp.int8, xp.int32), xp.can_cast(xp.int32, xp.float64)
    (True, False)
    """
    src, dst = _dtype_of(from_), B.to_dtype(to)
    try:
        return B.promote(src, dst) is dst
    except TypeError:
        return False


def finfo(type, /):
    """Machine limits of a floating dtype: ``bits``, ``eps``, ``max``, ``min``, ``smallest_normal``, ``dtype``.

    For a complex dtype they describe its real and imaginary parts (``dtype`` is the real one).

    >>> from nanotorch import array_api as xp
    >>> xp.finfo(xp.float32).bits, xp.finfo(xp.complex128).dtype
    (32, nanotorch.float64)
    """
    d = _dtype_of(type)
    if d not in B.CATEGORIES["floating-point"]:
        raise ValueError(f"finfo(): {d} is not a floating-point dtype")
    real = d.to_real()
    info = np.finfo(real.np)
    return finfo_object(int(info.bits), float(info.eps), float(info.max), float(info.min),
                        float(info.smallest_normal), real)


def iinfo(type, /):
    """Machine limits of an integer dtype: ``bits``, ``max``, ``min``, ``dtype``.

    >>> from nanotorch import array_api as xp
    >>> xp.iinfo(xp.uint8)
    iinfo_object(bits=8, max=255, min=0, dtype=nanotorch.uint8)
    """
    d = _dtype_of(type)
    if d not in B.INTEGER:
        raise ValueError(f"iinfo(): {d} is not an integer dtype")
    info = np.iinfo(d.np)
    return iinfo_object(int(info.bits), int(info.max), int(info.min), d)


_KINDS = {
    "bool": (D.bool,),
    "signed integer": B.SIGNED,
    "unsigned integer": B.UNSIGNED,
    "integral": B.INTEGER,
    "real floating": B.CATEGORIES["real floating-point"],
    "complex floating": B.COMPLEX_FLOATING,
    "numeric": B.CATEGORIES["numeric"],
}


def isdtype(dtype, kind):
    """Whether ``dtype`` is of ``kind``: a dtype, a kind name (``'integral'``, ``'real floating'``,
    ``'numeric'``, ...) or a tuple of them.

    >>> from nanotorch import array_api as xp
    >>> xp.isdtype(xp.float32, "real floating"), xp.isdtype(xp.int8, ("bool", xp.float64))
    (True, False)
    """
    if not isinstance(dtype, D.dtype):
        raise TypeError(f"isdtype(): expected a dtype, got {dtype!r}")
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, D.dtype):
        return dtype is kind
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"isdtype(): unknown kind {kind!r}; expected one of {sorted(_KINDS)}")
        return dtype in _KINDS[kind]
    raise TypeError(f"isdtype(): kind must be a dtype, a str or a tuple, got {kind!r}")


def result_type(*arrays_and_dtypes):
    """The dtype the standard's promotion gives for arrays, dtypes and Python scalars.

    Scalars only take part through their kind: an int fits any numeric dtype,
    a float needs a floating one, a complex makes a real floating dtype complex.

    >>> from nanotorch import array_api as xp
    >>> xp.result_type(xp.int8, xp.int16), xp.result_type(xp.float32, 1j)
    (nanotorch.int16, nanotorch.complex64)
    """
    dtypes, scalars = [], []
    for a in arrays_and_dtypes:
        if type(a) in B._SCALARS:
            scalars.append(a)
        else:
            dtypes.append(_dtype_of(a))
    if not dtypes:
        raise ValueError("result_type(): at least one array or dtype is required")
    out = dtypes[0]
    for d in dtypes[1:]:
        out = B.promote(out, d)
    for s in scalars:
        probe = Tensor._wrap(np.zeros((), dtype=out.np), _cpu_backend())
        out = B.scalar_tensor(s, probe).dtype
    return out


def _cpu_backend():
    from ..backends import backend_for_device
    return backend_for_device("cpu")
