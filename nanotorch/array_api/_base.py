"""What every part of the namespace shares: dtype categories, the standard's
type promotion, Python-scalar handling, and wrapping raw arrays as tensors.

The standard promotes differently from torch (and from ``Tensor``'s own
operators): only within a kind (bool, integer, real floating, complex
floating, with real and complex floating mixing), and a Python scalar
always takes the array's dtype. Mixed-kind pairs such as ``int32`` and
``float32`` are left unspecified by the standard; like ``array-api-strict``
we raise ``TypeError`` for them rather than guess.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import _dtype as D
from ..tensor import Tensor

bool_ = D.bool
SIGNED = (D.int8, D.int16, D.int32, D.int64)
UNSIGNED = (D.uint8, D.uint16, D.uint32, D.uint64)
INTEGER = SIGNED + UNSIGNED
REAL_FLOATING = (D.float32, D.float64)
COMPLEX_FLOATING = (D.complex64, D.complex128)
FLOATING = REAL_FLOATING + COMPLEX_FLOATING
REAL_NUMERIC = INTEGER + REAL_FLOATING
NUMERIC = REAL_NUMERIC + COMPLEX_FLOATING
STANDARD = NUMERIC + (bool_,)

# float16 is not a standard dtype, but nanotorch tensors can hold it: it
# takes part as the narrowest real floating type.
CATEGORIES = {
    "all": STANDARD + (D.float16,),
    "numeric": NUMERIC + (D.float16,),
    "real numeric": REAL_NUMERIC + (D.float16,),
    "integer": INTEGER,
    "integer or boolean": INTEGER + (bool_,),
    "boolean": (bool_,),
    "real floating-point": REAL_FLOATING + (D.float16,),
    "complex floating-point": COMPLEX_FLOATING,
    "floating-point": FLOATING + (D.float16,),
}

_COMPLEX_OF = {D.float16: D.complex64, D.float32: D.complex64, D.float64: D.complex128}
_SIGNED_BY_SIZE = {1: D.int8, 2: D.int16, 4: D.int32, 8: D.int64}


def promote(a, b):
    """The standard's promotion of two dtypes, or TypeError where it defines none.

    >>> from nanotorch import array_api as xp
    >>> promote(xp.int8, xp.uint8), promote(xp.float32, xp.complex128)
    (nanotorch.int16, nanotorch.complex128)
    """
    if a is b:
        return a
    ka, kb = _kind(a), _kind(b)
    if ka == kb == "i":
        sa, sb = a in SIGNED, b in SIGNED
        if sa == sb:
            return a if a.itemsize >= b.itemsize else b
        s, u = (a, b) if sa else (b, a)
        if s.itemsize > u.itemsize:
            return s
        if u.itemsize == 8:
            raise TypeError(f"{a} and {b} cannot be type promoted together (no signed integer "
                            "type holds every uint64 value)")
        return _SIGNED_BY_SIZE[2 * u.itemsize]
    if ka in "fc" and kb in "fc":
        if ka == kb == "f":
            return a if a.itemsize >= b.itemsize else b
        wide = max(a.to_real().itemsize if ka == "c" else a.itemsize,
                   b.to_real().itemsize if kb == "c" else b.itemsize)
        return D.complex128 if wide == 8 else D.complex64
    raise TypeError(f"{a} and {b} cannot be type promoted together: the Array API standard "
                    "does not define promotion between different kinds")


def _kind(d):
    k = d.np.kind
    return "i" if k in "iu" else k


def check_array(x, name, argname="x"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{argname}' must be a nanotorch Tensor, "
                        f"got {type(x).__name__}")
    return x


def check_dtype(x, category, name):
    if x.dtype not in CATEGORIES[category]:
        raise TypeError(f"{name}(): only {category} dtypes are allowed, got {x.dtype}")


def scalar_tensor(value, like):
    """A Python scalar as a 0-d tensor of ``like``'s dtype (complex if ``value`` is complex),
    following the standard's rules for scalar operands."""
    d = like.dtype
    t = type(value)
    if t is bool:
        if d is not bool_:
            raise TypeError(f"a Python bool can only be combined with a bool array, not {d}")
    elif t is int:
        if d is bool_:
            raise TypeError("a Python int cannot be combined with a bool array")
        if d in INTEGER:
            info = np.iinfo(d.np)
            if not info.min <= value <= info.max:
                raise OverflowError(f"Python int {value} is out of bounds for {d}")
    elif t is float:
        if d not in CATEGORIES["floating-point"]:
            raise TypeError(f"a Python float can only be combined with a floating-point array, "
                            f"not {d}")
    elif t is complex:
        if d not in CATEGORIES["floating-point"]:
            raise TypeError(f"a Python complex can only be combined with a floating-point array, "
                            f"not {d}")
        d = _COMPLEX_OF.get(d, d)
    else:
        raise TypeError(f"expected a nanotorch Tensor or a Python scalar, got {t.__name__}")
    return Tensor._wrap(like._backend.xp.asarray(value, dtype=d.np), like._backend)


def operands(x1, x2, category, name):
    """Both operands of a binary function as tensors of their common dtype (differentiably)."""
    s1, s2 = type(x1) in _SCALARS, type(x2) in _SCALARS
    if s1 and s2:
        raise TypeError(f"{name}(): at least one argument must be an array, got two scalars")
    if s1:
        check_array(x2, name, "x2")
        check_dtype(x2, category, name)
        x1 = scalar_tensor(x1, x2)
    elif s2:
        check_array(x1, name, "x1")
        check_dtype(x1, category, name)
        x2 = scalar_tensor(x2, x1)
    else:
        check_array(x1, name, "x1")
        check_array(x2, name, "x2")
        check_dtype(x1, category, name)
        check_dtype(x2, category, name)
    target = promote(x1.dtype, x2.dtype)
    return cast(x1, target), cast(x2, target)


_SCALARS = (bool, int, float, complex)


def cast(x, dtype):
    """``x`` in ``dtype``: itself when it already is, else a differentiable conversion."""
    return x if x.dtype is dtype else x.to(dtype)


def wrap(array, backend):
    """A tensor around a raw backend array (outside the graph)."""
    if isinstance(array, np.generic):
        # numpy ufuncs give scalars for 0-d operands; a tensor must hold a writable array
        array = np.asarray(array)
    return Tensor._wrap(array, backend)


def raw_binary(x1, x2, category, name, kernel):
    """A binary function outside the graph: promote, run ``xp.<kernel>``, wrap."""
    a, b = operands(x1, x2, category, name)
    xp = a._backend.xp
    with np.errstate(all="ignore"):
        return wrap(getattr(xp, kernel)(a._data, b._data), a._backend)


def quiet(fn):
    """Run ``fn`` with numpy's floating-point warnings off: nan, inf and signed-zero
    results are the standard's specified special cases, not mistakes to warn about."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return run


def default_int():
    return D.int64


def default_float():
    return D.get_default_dtype()


def default_complex():
    return D.get_default_dtype().to_complex()


def to_dtype(dtype):
    """The nanotorch dtype for a ``dtype=`` argument (None passes through)."""
    if dtype is None:
        return None
    if isinstance(dtype, D.dtype):
        return dtype
    raise TypeError(f"dtype must be a dtype of the namespace (e.g. xp.float32), got {dtype!r}")


def normalize_axis(axis, ndim, name):
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{name}(): axis must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise IndexError(f"{name}(): axis {axis} is out of bounds for an array of dimension {ndim}")
    return int(axis) % ndim


def normalize_axes(axis, ndim, name):
    """A sorted tuple of non-negative axes from None, an int or a tuple; repeats are an error."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple(normalize_axis(a, ndim, name) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{name}(): repeated axis in {axis}")
        return tuple(sorted(axes))
    return (normalize_axis(axis, ndim, name),)


def sum_dtype(x, dtype, name):
    """The accumulator dtype of sum/prod/cumulative_*/trace: the standard's defaults."""
    if dtype is not None:
        return to_dtype(dtype)
    d = x.dtype
    if d in SIGNED:
        return D.int64
    if d in UNSIGNED:
        return D.uint64
    return d
