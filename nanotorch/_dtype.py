"""Data types and torch's type-promotion rules.

A :class:`dtype` is a thin, hashable label around a numpy dtype. Backends
store arrays in the matching numpy/cupy dtype; ``Tensor.dtype`` maps back.

Promotion follows PyTorch, which differs from numpy in two ways:

* categories (bool < integer < floating < complex) decide first; a Python
  float meeting an integer tensor gives the *default* float dtype
  (float32), not float64;
* zero-dimensional tensors and Python scalars only take part through their
  category: ``float16 tensor * float64 0-d tensor`` stays float16.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
    "uint8", "bool", "complex64", "complex128", "half", "float", "double", "short", "int",
    "long", "cfloat", "cdouble", "get_default_dtype", "set_default_dtype", "promote_types",
    "result_type", "can_cast",
]

_builtin_bool = bool


class dtype:
    """A tensor element type, e.g. ``nanotorch.float32``.

    Attributes: ``is_floating_point``, ``is_complex``, ``is_signed``, ``itemsize``.

    >>> import nanotorch
    >>> nanotorch.float32.is_floating_point, nanotorch.int64.itemsize
    (True, 8)
    """

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_kind")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        # promotion category: 0 bool, 1 integer, 2 floating, 3 complex
        self._kind = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[self.np.kind]

    def __repr__(self):
        return f"nanotorch.{self.name}"

    def __reduce__(self):
        return (_lookup_name, (self.name,))

    def to_real(self):
        """The real counterpart of a complex dtype (itself otherwise).

        >>> import nanotorch
        >>> nanotorch.complex64.to_real(), nanotorch.float64.to_real()
        (nanotorch.float32, nanotorch.float64)
        """
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        """The complex counterpart of a floating dtype (itself for complex and integer dtypes).

        >>> import nanotorch
        >>> nanotorch.float32.to_complex(), nanotorch.float64.to_complex()
        (nanotorch.complex64, nanotorch.complex128)
        """
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)


bool = dtype("bool", np.bool_)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
complex64 = dtype("complex64", np.complex64)
complex128 = dtype("complex128", np.complex128)
# Wider unsigned types: storage-only in torch; the Array API namespace computes with them.
uint16 = dtype("uint16", np.uint16)
uint32 = dtype("uint32", np.uint32)
uint64 = dtype("uint64", np.uint64)
# numpy has no bfloat16: it is stored as float32 so scripts that ask for it still run.
bfloat16 = float32

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128,
       uint16, uint32, uint64)
_BY_NUMPY = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

_default_float = float32


def _lookup_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The nanotorch dtype of a numpy dtype (raises TypeError for unsupported ones)."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        found = _BY_NUMPY.get(np.dtype(np_dtype))
        if found is None:
            raise TypeError(
                f"can't convert numpy array of type {np.dtype(np_dtype)}: the supported types are "
                + ", ".join(d.name for d in ALL)
            ) from None
        return found


def to_dtype(value) -> dtype:
    """Accept a nanotorch dtype, a numpy dtype, a Python type or a name."""
    if isinstance(value, dtype):
        return value
    if value is _builtin_bool:
        return bool
    if value is _py_int:
        return int64
    if value is _py_float:
        return _default_float
    if value is _py_complex:
        return complex64 if _default_float is float32 else complex128
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        return from_numpy_dtype(np.dtype(value))
    except TypeError:
        raise TypeError(f"dtype must be a nanotorch.dtype, got {value!r}") from None


_py_int, _py_float, _py_complex = type(1), type(1.0), type(1j)


def get_default_dtype() -> dtype:
    """The dtype of floating tensors created from Python floats (float32 unless changed).

    >>> import nanotorch
    >>> nanotorch.get_default_dtype()
    nanotorch.float32
    """
    return _default_float


def set_default_dtype(d) -> None:
    """Set the default floating dtype (``float32`` or ``float64``) of new float tensors.

    >>> import nanotorch
    >>> nanotorch.set_default_dtype(nanotorch.float64)
    >>> nanotorch.tensor([1.0]).dtype, nanotorch.zeros(1).dtype
    (nanotorch.float64, nanotorch.float64)
    >>> nanotorch.set_default_dtype(nanotorch.float32)
    """
    global _default_float
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` cast to safely (torch's table).

    >>> import nanotorch
    >>> nanotorch.promote_types(nanotorch.int32, nanotorch.float16)
    nanotorch.float16
    """
    if a is b:
        return a
    if a._kind != b._kind:
        hi, lo = (a, b) if a._kind > b._kind else (b, a)
        if hi._kind == 3 and lo._kind == 2 and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi
    if a._kind == 1 and a.is_signed != b.is_signed:
        # Mixed signedness needs a signed type wider than the unsigned one (torch only
        # defines uint8 here; uint16/32/64 follow the same rule, order-independently).
        u, s = (b, a) if a.is_signed else (a, b)
        if s.itemsize > u.itemsize:
            return s
        if u.itemsize == 8:
            raise RuntimeError(f"Promotion for {u} and {s} is not supported: "
                               "no signed integer type holds every uint64 value")
        return {1: int16, 2: int32, 4: int64}[u.itemsize]
    return a if a.itemsize >= b.itemsize else b


def _scalar_kind(value) -> _builtin_bool:
    t = type(value)
    if t is _builtin_bool or t is np.bool_:
        return 0
    if t is _py_int or isinstance(value, np.integer):
        return 1
    if t is _py_float or isinstance(value, np.floating):
        return 2
    return 3


def _default_for_kind(kind):
    if kind == 0:
        return bool
    if kind == 1:
        return int64
    if kind == 2:
        return _default_float
    return complex64 if _default_float is float32 else complex128


def result_type(*operands) -> dtype:
    """torch.result_type over tensors and Python scalars.

    Dimensioned tensors win over zero-dimensional ones, which win over
    Python scalars, unless a weaker operand has a higher category.

    >>> import nanotorch
    >>> nanotorch.result_type(nanotorch.tensor([1, 2]), 1.5)
    nanotorch.float32
    """
    dims = zero = None
    scalar_kind = -1
    for op in operands:
        d = getattr(op, "dtype", None)
        if isinstance(d, dtype):
            if op.ndim:
                dims = d if dims is None else promote_types(dims, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        elif isinstance(op, dtype):
            dims = op if dims is None else promote_types(dims, op)
        else:
            scalar_kind = max(scalar_kind, _scalar_kind(op))
    result = dims
    if zero is not None and (result is None or zero._kind > result._kind):
        result = zero
    if scalar_kind >= 0 and (result is None or scalar_kind > result._kind):
        result = complex128 if scalar_kind == 3 and result is float64 else _default_for_kind(scalar_kind)
    return result


def can_cast(from_: dtype, to: dtype) -> _builtin_bool:
    """Whether torch allows an in-place op to write ``from_`` results into ``to`` (same-kind rule).

    >>> import nanotorch
    >>> nanotorch.can_cast(nanotorch.float32, nanotorch.int64)
    False
    """
    return from_._kind <= to._kind
