"""Tensor's arithmetic: operators, two-input math, one-input maps, comparisons.

Each method checks its arguments the way torch does and calls one op from
``nanotorch.ops.elementwise`` (or ``linalg`` for products).
"""
from __future__ import annotations

from .ops import elementwise as E, linalg as L
from .ops._util import as_scalar, broadcast_shapes, tensor_type, wrap

# The hottest ops, bound once: ``x * y`` is on every model's critical path.
_add, _sub, _mul, _div, _pow, _neg = (E.Add.apply, E.Sub.apply, E.Mul.apply, E.Div.apply,
                                      E.Pow.apply, E.Neg.apply)


class MathMethods:
    """Mixin with Tensor's arithmetic and elementwise methods (the class is in ``tensor.py``)."""

    __slots__ = ()

    # --- arithmetic ------------------------------------------------------------
    def __add__(self, other):
        return _add(self, other)

    def __radd__(self, other):
        return _add(other, self)

    def __sub__(self, other):
        return _sub(self, other)

    def __rsub__(self, other):
        return _sub(other, self)

    def __mul__(self, other):
        return _mul(self, other)

    def __rmul__(self, other):
        return _mul(other, self)

    def __truediv__(self, other):
        return _div(self, other)

    def __rtruediv__(self, other):
        return _div(other, self)

    def __floordiv__(self, other):
        return E.FloorDivide.apply(self, other)

    def __rfloordiv__(self, other):
        return E.FloorDivide.apply(other, self)

    def __mod__(self, other):
        return E.Remainder.apply(self, other)

    def __rmod__(self, other):
        return E.Remainder.apply(other, self)

    def __pow__(self, other):
        return _pow(self, other)

    def __rpow__(self, other):
        return _pow(other, self)

    def __matmul__(self, other):
        if not isinstance(other, tensor_type()):
            return NotImplemented
        return L.matmul(self, other)

    def __rmatmul__(self, other):
        if not isinstance(other, tensor_type()):
            return NotImplemented
        return L.matmul(other, self)

    def __neg__(self):
        return _neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return E.Abs.apply(self)

    def __invert__(self):
        if self._data.dtype.kind == "b":
            return self.logical_not()
        if self._data.dtype.kind not in "iu":
            raise TypeError(f"~ (bitwise_not) is only supported for integer and bool tensors, "
                            f"got {self.dtype}")
        return self._unary_raw("bitwise_not")

    def __and__(self, other):
        return E.compare("bitwise_and", self, other)

    __rand__ = __and__

    def __or__(self, other):
        return E.compare("bitwise_or", self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return E.compare("bitwise_xor", self, other)

    __rxor__ = __xor__

    def __lshift__(self, other):
        return E.compare("left_shift", self, other)

    def __rshift__(self, other):
        return E.compare("right_shift", self, other)

    def __rlshift__(self, other):
        return E.compare("left_shift", other, self)

    def __rrshift__(self, other):
        return E.compare("right_shift", other, self)

    def __eq__(self, other):
        return E.compare("equal", self, other)

    def __ne__(self, other):
        return E.compare("not_equal", self, other)

    def __lt__(self, other):
        return E.compare("less", self, other)

    def __le__(self, other):
        return E.compare("less_equal", self, other)

    def __gt__(self, other):
        return E.compare("greater", self, other)

    def __ge__(self, other):
        return E.compare("greater_equal", self, other)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # The rest of torch's augmented assignments write into this tensor too (the
    # result must cast to its dtype), so aliases see the update.
    def __ifloordiv__(self, other):
        return self._inplace(lambda old: old // other, other)

    def __imod__(self, other):
        return self._inplace(lambda old: old % other, other)

    def __ipow__(self, other):
        return self.pow_(other)

    def __iand__(self, other):
        return self._inplace(lambda old: old & other, other)

    def __ior__(self, other):
        return self._inplace(lambda old: old | other, other)

    def __ixor__(self, other):
        return self._inplace(lambda old: old ^ other, other)

    def __ilshift__(self, other):
        return self._inplace(lambda old: old << other, other)

    def __irshift__(self, other):
        return self._inplace(lambda old: old >> other, other)

    def _unary_raw(self, kernel):
        return wrap(getattr(self._backend, kernel)(self._data), self._backend)

    def add(self, other, *, alpha=1):
        """self + alpha * other, broadcasting."""
        return _add(self, other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        """self - alpha * other, broadcasting."""
        return _sub(self, other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other):
        return _mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """True division, or ``rounding_mode='floor'|'trunc'``."""
        if rounding_mode is None:
            return _div(self, other)
        if rounding_mode == "floor":
            return E.FloorDivide.apply(self, other)
        if rounding_mode == "trunc":
            q = _div(self, other).trunc()
            return q if self.is_floating_point() else q.to(self.dtype)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")

    divide = true_divide = div

    def floor_divide(self, other):
        return E.FloorDivide.apply(self, other)

    def remainder(self, other):
        return E.Remainder.apply(self, other)

    def fmod(self, other):
        return E.Fmod.apply(self, other)

    def pow(self, exponent):
        return _pow(self, exponent)

    def float_power(self, exponent):
        return _pow(self.double(), exponent)

    def atan2(self, other):
        return E.Atan2.apply(self, other)

    arctan2 = atan2

    def maximum(self, other):
        return E.Maximum.apply(self, other)

    def minimum(self, other):
        return E.Minimum.apply(self, other)

    def matmul(self, other):
        return L.matmul(self, other)

    def mm(self, mat2):
        """Matrix product of two 2-D tensors: (n, m) @ (m, p) -> (n, p)."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2D tensors, got {self.ndim}D and {mat2.ndim}D")
        return L.matmul(self, mat2)

    def bmm(self, mat2):
        """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
        if self.ndim != 3 or mat2.ndim != 3:
            raise RuntimeError(f"bmm: expected 3D tensors, got {self.ndim}D and {mat2.ndim}D")
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: {self.shape[0]} and {mat2.shape[0]}")
        return L.matmul(self, mat2)

    def dot(self, other):
        """Inner product of two 1-D tensors of the same length."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        if self.shape[0] != other.shape[0]:
            raise RuntimeError("inconsistent tensor size, expected tensor [{}] and src [{}] to have "
                               "the same number of elements, but got {} and {} elements "
                               "respectively".format(self.shape[0], other.shape[0],
                                                     self.shape[0], other.shape[0]))
        return L.matmul(self, other)

    inner = dot

    def outer(self, vec2):
        """Outer product of 1-D tensors: (n,), (m,) -> (n, m)."""
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expected 1D tensors, got {self.ndim}D and {vec2.ndim}D")
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer

    def mv(self, vec):
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"mv: expected a 2D matrix and a 1D vector, got {self.ndim}D and {vec.ndim}D")
        return L.matmul(self, vec)

    # --- maps --------------------------------------------------------------------
    def neg(self):
        return _neg(self)

    negative = neg

    def abs(self):
        return E.Abs.apply(self)

    absolute = abs

    def exp(self):
        return E.Exp.apply(self)

    def expm1(self):
        return E.Expm1.apply(self)

    def log(self):
        return E.Log.apply(self)

    def log2(self):
        return E.Log2.apply(self)

    def log10(self):
        return E.Log10.apply(self)

    def log1p(self):
        return E.Log1p.apply(self)

    def sqrt(self):
        return E.Sqrt.apply(self)

    def rsqrt(self):
        return E.Rsqrt.apply(self)

    def square(self):
        return _mul(self, self)

    def sin(self):
        return E.Sin.apply(self)

    def cos(self):
        return E.Cos.apply(self)

    def tan(self):
        return E.Tan.apply(self)

    def asin(self):
        return E.Asin.apply(self)

    def acos(self):
        return E.Acos.apply(self)

    def atan(self):
        return E.Atan.apply(self)

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self):
        return E.Sinh.apply(self)

    def cosh(self):
        return E.Cosh.apply(self)

    def tanh(self):
        return E.Tanh.apply(self)

    def sigmoid(self):
        return E.Sigmoid.apply(self)

    def relu(self):
        return E.Relu.apply(self)

    def reciprocal(self):
        """1 / x (the lecture's Inv)."""
        return E.Reciprocal.apply(self)

    def sign(self):
        return E.Sign.apply(self)

    sgn = sign

    def floor(self):
        return E.Floor.apply(self)

    def ceil(self):
        return E.Ceil.apply(self)

    def trunc(self):
        return E.Trunc.apply(self)

    fix = trunc

    def round(self, *, decimals=0):
        return E.Round.apply(self, decimals)

    def frac(self):
        return self - self.trunc()

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; either bound may be None, a number or a tensor."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if min is not None and not isinstance(min, tensor_type()):
            min = as_scalar(min, "min")
        if max is not None and not isinstance(max, tensor_type()):
            max = as_scalar(max, "max")
        return E.Clamp.apply(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return self.clamp(min=min)

    def clamp_max(self, max):
        return self.clamp(max=max)

    def where(self, condition, other):
        """Elements of self where ``condition`` holds, else of ``other``."""
        return E.Where.apply(condition, self, other)

    def masked_fill(self, mask, value):
        """Copy with ``value`` where ``mask`` is True (mask broadcasts to self)."""
        if not isinstance(mask, tensor_type()) or mask._data.dtype.kind != "b":
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{getattr(mask, 'dtype', type(mask).__name__)}")
        broadcast_shapes(mask.shape, self.shape)
        if isinstance(value, tensor_type()):
            if value.ndim:
                raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                                   f"got tensor with {value.ndim} dimension(s).")
            value = value.to(self.dtype)
        else:
            value = as_scalar(value, "value")
        out = E.Where.apply(mask, value, self)
        if out._data.dtype != self._data.dtype:
            out = out.to(self.dtype)
        return out

    def lerp(self, end, weight):
        return self + weight * (end - self)

    def logical_not(self):
        return self._unary_raw("logical_not")

    def logical_and(self, other):
        return E.compare("logical_and", self, other)

    def logical_or(self, other):
        return E.compare("logical_or", self, other)

    def logical_xor(self, other):
        return E.compare("logical_xor", self, other)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self, other):
        """True when both tensors have the same shape and elements."""
        return self.shape == other.shape and bool((self == other).all())

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        x, y, backend = E.binary_operands(self, other)
        return wrap(backend.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), backend)

    def isnan(self):
        return self._unary_raw("isnan")

    def isinf(self):
        return self._unary_raw("isinf")

    def isfinite(self):
        return self._unary_raw("isfinite")
