"""Tensor's arithmetic: operators, two-input math, one-input maps, comparisons.

Each method checks its arguments the way torch does and calls one op from
``nanotorch.ops.elementwise`` (or ``linalg`` for products).
"""
from __future__ import annotations

from . import _dtype
from .ops import elementwise as E, index as I, linalg as L
from .ops._util import as_scalar, broadcast_shapes, tensor_type, wrap

# The hottest ops, bound once: ``x * y`` is on every model's critical path.
_add, _sub, _mul, _div, _pow, _neg = (E.Add.apply, E.Sub.apply, E.Mul.apply, E.Div.apply,
                                      E.Pow.apply, E.Neg.apply)


def _times_alpha(input, other, alpha):
    """``alpha * other`` for ``input + alpha * other``, in the dtype of the result, as torch: in
    ``other``'s own dtype it could wrap or overflow (int64 2**62 * 2, float32 3e38 * 2)."""
    if alpha == 1:
        return other
    target = _dtype.result_type(input, other)
    if isinstance(alpha, float) and not (target.is_floating_point or target.is_complex):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(other, tensor_type()) and other.dtype != target:
        other = other.to(target)
    return other * alpha


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
        """``self + alpha * other``, elementwise.

        ``(*)`` -> ``(*)``, broadcasting with ``other`` (a tensor or a number); the
        dtype follows torch's promotion (int + float gives float).

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0]).add(nanotorch.tensor([10.0, 20.0]), alpha=2)
        tensor([21., 42.])
        """
        return _add(self, _times_alpha(self, other, alpha))

    def sub(self, other, *, alpha=1):
        """``self - alpha * other``, elementwise.

        ``(*)`` -> ``(*)``, broadcasting with ``other`` (a tensor or a number).

        >>> import nanotorch
        >>> nanotorch.tensor([[1.0], [2.0]]).sub(nanotorch.tensor([1.0, 2.0]))
        tensor([[ 0., -1.],
                [ 1.,  0.]])
        """
        return _sub(self, _times_alpha(self, other, alpha))

    subtract = sub

    def mul(self, other):
        """``self * other``, elementwise (the lecture's Mul).

        ``(*)`` -> ``(*)``, broadcasting with ``other`` (a tensor or a number);
        an integer tensor times a float gives float.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).mul(0.5)
        tensor([0.5000, 1.0000, 1.5000])
        """
        return _mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """``self / other``: true division, or rounded with ``rounding_mode='floor'|'trunc'``.

        ``(*)`` -> ``(*)``, broadcasting with ``other``. True division of integers
        gives the default float dtype; the rounding modes keep integer dtypes.

        >>> import nanotorch
        >>> x = nanotorch.tensor([-7, 7])
        >>> x.div(2), x.div(2, rounding_mode='floor'), x.div(2, rounding_mode='trunc')
        (tensor([-3.5000,  3.5000]), tensor([-4,  3]), tensor([-3,  3]))
        """
        if rounding_mode is None:
            return _div(self, other)
        if rounding_mode == "floor":
            return E.FloorDivide.apply(self, other)
        if rounding_mode == "trunc":
            if _dtype.result_type(self, other).is_floating_point:
                return _div(self, other).trunc()
            # integers exactly, not through a float: self - fmod(self, other) is a multiple of
            # other, so the floor division is exact
            return E.FloorDivide.apply(self - E.Fmod.apply(self, other), other)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")

    divide = true_divide = div

    def floor_divide(self, other):
        """``self // other``: the quotient rounded towards minus infinity, like Python's ``//``.

        ``(*)`` -> ``(*)``, broadcasting with ``other``; integer dtypes stay integer.
        The gradient is zero.

        >>> import nanotorch
        >>> nanotorch.tensor([-7, 7]).floor_divide(2)
        tensor([-4,  3])
        """
        return E.FloorDivide.apply(self, other)

    def remainder(self, other):
        """``self % other``, Python's modulus: the result has the sign of ``other``.

        ``(*)`` -> ``(*)``, broadcasting with ``other``. See :meth:`fmod` for the
        C-style remainder.

        >>> import nanotorch
        >>> nanotorch.tensor([-7, 7]).remainder(3)
        tensor([2, 1])
        """
        return E.Remainder.apply(self, other)

    def fmod(self, other):
        """C's remainder ``self - trunc(self / other) * other``: the sign of ``self``.

        ``(*)`` -> ``(*)``, broadcasting with ``other``. See :meth:`remainder` for
        Python's ``%``.

        >>> import nanotorch
        >>> nanotorch.tensor([-7, 7]).fmod(3)
        tensor([-1,  1])
        """
        return E.Fmod.apply(self, other)

    def pow(self, exponent):
        """``self ** exponent``, elementwise; ``exponent`` is a number or a tensor.

        ``(*)`` -> ``(*)``, broadcasting with ``exponent``; integers to integer
        powers stay integer (negative integer powers of integers raise).

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0, 3.0]).pow(2)
        tensor([1., 4., 9.])
        """
        return _pow(self, exponent)

    def float_power(self, exponent):
        """``self ** exponent`` computed in float64, whatever the input dtypes.

        ``(*)`` -> ``(*)``, broadcasting with ``exponent``; the result is float64.

        >>> import nanotorch
        >>> nanotorch.tensor([2, 3]).float_power(2)
        tensor([4., 9.], dtype=nanotorch.float64)
        """
        return _pow(self.double(), exponent)

    def atan2(self, other):
        """The angle of the point ``(other, self)``: ``atan(self / other)`` in the right quadrant.

        ``(*)`` -> ``(*)``, broadcasting with ``other``; values lie in ``[-pi, pi]``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 1.0]).atan2(nanotorch.tensor([1.0, -1.0]))
        tensor([0.7854, 2.3562])
        """
        return E.Atan2.apply(self, other)

    arctan2 = atan2

    def maximum(self, other):
        """The elementwise maximum of ``self`` and ``other``.

        ``(*)`` -> ``(*)``, broadcasting with ``other``; where they are equal the two
        inputs share the gradient.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 5.0]).maximum(nanotorch.tensor([3.0, 2.0]))
        tensor([3., 5.])
        """
        return E.Maximum.apply(self, other)

    def minimum(self, other):
        """The elementwise minimum of ``self`` and ``other``.

        ``(*)`` -> ``(*)``, broadcasting with ``other``; where they are equal the two
        inputs share the gradient.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 5.0]).minimum(nanotorch.tensor([3.0, 2.0]))
        tensor([1., 2.])
        """
        return E.Minimum.apply(self, other)

    def matmul(self, other):
        """Matrix product with torch's rules (the ``@`` operator).

        ``(n,) @ (n,)`` -> ``()``; ``(..., n, m) @ (..., m, p)`` -> ``(..., n, p)``
        with the batch dims broadcast; a 1-D operand is a vector whose dim is
        removed from the result (``(n, m) @ (m,)`` -> ``(n,)``).

        >>> import nanotorch
        >>> nanotorch.ones(5, 2, 3).matmul(nanotorch.ones(3, 4)).shape
        nanotorch.Size([5, 2, 4])
        """
        return L.matmul(self, other)

    def mm(self, mat2):
        """Matrix product of two 2-D tensors: ``(n, m)`` and ``(m, p)`` -> ``(n, p)``.

        No broadcasting; see :meth:`matmul` for batches and vectors.

        >>> import nanotorch
        >>> nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]]).mm(nanotorch.tensor([[1.0], [1.0]]))
        tensor([[3.],
                [7.]])
        """
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2D tensors, got {self.ndim}D and {mat2.ndim}D")
        return L.matmul(self, mat2)

    def bmm(self, mat2):
        """Batched matrix product: ``(b, n, m)`` and ``(b, m, p)`` -> ``(b, n, p)``.

        The batch sizes must be equal (no broadcasting, unlike :meth:`matmul`).

        >>> import nanotorch
        >>> nanotorch.ones(4, 2, 3).bmm(nanotorch.ones(4, 3, 5)).shape
        nanotorch.Size([4, 2, 5])
        """
        if self.ndim != 3 or mat2.ndim != 3:
            raise RuntimeError(f"bmm: expected 3D tensors, got {self.ndim}D and {mat2.ndim}D")
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: {self.shape[0]} and {mat2.shape[0]}")
        return L.matmul(self, mat2)

    def dot(self, other):
        """Inner product of two 1-D tensors of the same length: ``(n,)``, ``(n,)`` -> ``()``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0, 3.0]).dot(nanotorch.tensor([4.0, 5.0, 6.0]))
        tensor(32.)
        """
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
        """Outer product of two 1-D tensors: ``(n,)``, ``(m,)`` -> ``(n, m)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0]).outer(nanotorch.tensor([1.0, 10.0, 100.0]))
        tensor([[  1.,  10., 100.],
                [  2.,  20., 200.]])
        """
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expected 1D tensors, got {self.ndim}D and {vec2.ndim}D")
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer

    def mv(self, vec):
        """Matrix-vector product: ``(n, m)`` and ``(m,)`` -> ``(n,)``.

        >>> import nanotorch
        >>> nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]]).mv(nanotorch.tensor([1.0, -1.0]))
        tensor([-1., -1.])
        """
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"mv: expected a 2D matrix and a 1D vector, got {self.ndim}D and {vec.ndim}D")
        return L.matmul(self, vec)

    # --- maps --------------------------------------------------------------------
    def neg(self):
        """``-self``, elementwise: ``(*)`` -> ``(*)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, -2.0]).neg()
        tensor([-1.,  2.])
        """
        return _neg(self)

    negative = neg

    def abs(self):
        """``|x|``, elementwise: ``(*)`` -> ``(*)``, same dtype.

        The gradient is ``sign(x)``, so zero at zero.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.5, 2.0]).abs()
        tensor([1.5000, 2.0000])
        """
        return E.Abs.apply(self)

    absolute = abs

    def exp(self):
        """``e ** x``, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 1.0]).exp()
        tensor([1.0000, 2.7183])
        """
        return E.Exp.apply(self)

    def expm1(self):
        """``exp(x) - 1``, accurate for ``x`` near zero: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 1e-10]).expm1()
        tensor([1.7183e+00, 1.0000e-10])
        """
        return E.Expm1.apply(self)

    def log(self):
        """The natural logarithm, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype; ``log(0)`` is ``-inf`` and
        negative inputs give ``nan``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0]).log()
        tensor([0.0000, 0.6931])
        """
        return E.Log.apply(self)

    def log2(self):
        """The base-2 logarithm, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 8.0]).log2()
        tensor([0., 3.])
        """
        return E.Log2.apply(self)

    def log10(self):
        """The base-10 logarithm, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 10.0, 2.0]).log10()
        tensor([0.0000, 1.0000, 0.3010])
        """
        return E.Log10.apply(self)

    def log1p(self):
        """``log(1 + x)``, accurate for ``x`` near zero: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 1e-10]).log1p()
        tensor([6.9315e-01, 1.0000e-10])
        """
        return E.Log1p.apply(self)

    def sqrt(self):
        """The square root, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype; negative inputs give ``nan``
        and the gradient at zero is ``inf``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 4.0]).sqrt()
        tensor([1., 2.])
        """
        return E.Sqrt.apply(self)

    def rsqrt(self):
        """``1 / sqrt(x)``, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.25, 4.0]).rsqrt()
        tensor([2.0000, 0.5000])
        """
        return E.Rsqrt.apply(self)

    def square(self):
        """``x * x``, elementwise: ``(*)`` -> ``(*)``; integer dtypes stay integer.

        >>> import nanotorch
        >>> nanotorch.tensor([-2, 3]).square()
        tensor([4, 9])
        """
        return _mul(self, self)

    def sin(self):
        """The sine (radians), elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 3.14159265 / 2]).sin()
        tensor([0., 1.])
        """
        return E.Sin.apply(self)

    def cos(self):
        """The cosine (radians), elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 3.14159265]).cos()
        tensor([ 1., -1.])
        """
        return E.Cos.apply(self)

    def tan(self):
        """The tangent (radians), elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 3.14159265 / 4]).tan()
        tensor([0., 1.])
        """
        return E.Tan.apply(self)

    def asin(self):
        """The inverse sine, elementwise: ``(*)`` -> ``(*)``, in ``[-pi/2, pi/2]``.

        Inputs outside ``[-1, 1]`` give ``nan``; integers give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.0, 0.0, 1.0]).asin()
        tensor([-1.5708,  0.0000,  1.5708])
        """
        return E.Asin.apply(self)

    def acos(self):
        """The inverse cosine, elementwise: ``(*)`` -> ``(*)``, in ``[0, pi]``.

        Inputs outside ``[-1, 1]`` give ``nan``; integers give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.0, 1.0]).acos()
        tensor([3.1416, 0.0000])
        """
        return E.Acos.apply(self)

    def atan(self):
        """The inverse tangent, elementwise: ``(*)`` -> ``(*)``, in ``(-pi/2, pi/2)``.

        Integer inputs give the default float dtype; see :meth:`atan2` for angles.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 1.0]).atan()
        tensor([0.0000, 0.7854])
        """
        return E.Atan.apply(self)

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self):
        """The hyperbolic sine, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 1.0]).sinh()
        tensor([0.0000, 1.1752])
        """
        return E.Sinh.apply(self)

    def cosh(self):
        """The hyperbolic cosine, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 1.0]).cosh()
        tensor([1.0000, 1.5431])
        """
        return E.Cosh.apply(self)

    def tanh(self):
        """The hyperbolic tangent, elementwise: ``(*)`` -> ``(*)``, in ``(-1, 1)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 1.0]).tanh()
        tensor([0.0000, 0.7616])
        """
        return E.Tanh.apply(self)

    def sigmoid(self):
        """The logistic function ``1 / (1 + exp(-x))``, elementwise: ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 2.0]).sigmoid()
        tensor([0.5000, 0.8808])
        """
        return E.Sigmoid.apply(self)

    def relu(self):
        """``max(x, 0)``, elementwise: ``(*)`` -> ``(*)``, same dtype.

        The gradient is 1 where ``x > 0`` and 0 elsewhere (also at 0).

        >>> import nanotorch
        >>> nanotorch.tensor([-1.0, 0.0, 2.0]).relu()
        tensor([0., 0., 2.])
        """
        return E.Relu.apply(self)

    def reciprocal(self):
        """``1 / x``, elementwise (the lecture's Inv): ``(*)`` -> ``(*)``.

        Integer inputs give the default float dtype.

        >>> import nanotorch
        >>> nanotorch.tensor([2.0, 0.5]).reciprocal()
        tensor([0.5000, 2.0000])
        """
        return E.Reciprocal.apply(self)

    def sign(self):
        """``-1``, ``0`` or ``1`` by the sign of each element: ``(*)`` -> ``(*)``, same dtype.

        The gradient is zero.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 0.0, 3.0]).sign()
        tensor([-1.,  0.,  1.])
        """
        return E.Sign.apply(self)

    sgn = sign

    def floor(self):
        """Each element rounded down: ``(*)`` -> ``(*)``, same dtype.

        Integer tensors come back unchanged; the gradient is zero.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.5, 1.5]).floor()
        tensor([-2.,  1.])
        """
        return E.Floor.apply(self)

    def ceil(self):
        """Each element rounded up: ``(*)`` -> ``(*)``, same dtype.

        Integer tensors come back unchanged; the gradient is zero.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.5, 1.5]).ceil()
        tensor([-1.,  2.])
        """
        return E.Ceil.apply(self)

    def trunc(self):
        """Each element rounded towards zero: ``(*)`` -> ``(*)``, same dtype.

        Integer tensors come back unchanged; the gradient is zero.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.5, 1.5]).trunc()
        tensor([-1.,  1.])
        """
        return E.Trunc.apply(self)

    fix = trunc

    def round(self, *, decimals=0):
        """Each element rounded to ``decimals`` places, halves to even: ``(*)`` -> ``(*)``.

        Same dtype; the gradient is zero.

        >>> import nanotorch
        >>> nanotorch.tensor([0.5, 1.5, 2.5]).round()
        tensor([0., 2., 2.])
        >>> nanotorch.tensor([1.2345, 9.8765]).round(decimals=2)
        tensor([1.2300, 9.8800])
        """
        return E.Round.apply(self, decimals)

    def frac(self):
        """The fractional part ``x - trunc(x)``, with the sign of ``x``: ``(*)`` -> ``(*)``.

        The gradient is 1.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.5, 2.25]).frac()
        tensor([-0.5000,  0.2500])
        """
        return self - self.trunc()

    def clamp(self, min=None, max=None):
        """Each element limited to ``[min, max]``; either bound may be None, a number or a tensor.

        ``(*)`` -> ``(*)``, broadcasting with tensor bounds; a float bound on an
        integer tensor gives float. The gradient is 1 inside the bounds, including
        at them, and 0 outside.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 0.5, 3.0]).clamp(-1, 1)
        tensor([-1.0000,  0.5000,  1.0000])
        """
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if min is not None and not isinstance(min, tensor_type()):
            min = as_scalar(min, "min")
        if max is not None and not isinstance(max, tensor_type()):
            max = as_scalar(max, "max")
        return E.Clamp.apply(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        """``clamp(min=min)``: each element at least ``min``; ``(*)`` -> ``(*)``.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 0.5, 3.0]).clamp_min(0)
        tensor([0.0000, 0.5000, 3.0000])
        """
        return self.clamp(min=min)

    def clamp_max(self, max):
        """``clamp(max=max)``: each element at most ``max``; ``(*)`` -> ``(*)``.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 0.5, 3.0]).clamp_max(1)
        tensor([-2.0000,  0.5000,  1.0000])
        """
        return self.clamp(max=max)

    def where(self, condition, other):
        """Elements of ``self`` where ``condition`` is True, else of ``other``.

        ``self``, the bool ``condition`` and ``other`` (a tensor or a number)
        broadcast together; the gradient flows to the chosen elements only.

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.0, 2.0, 3.0])
        >>> x.where(nanotorch.tensor([True, False, True]), 0.0)
        tensor([1., 0., 3.])
        """
        return E.Where.apply(condition, self, other)

    def masked_fill(self, mask, value):
        """A copy of ``self`` with ``value`` where the bool ``mask`` is True.

        ``(*)`` -> ``(*)``; ``mask`` broadcasts to ``self``'s shape, ``value`` is a
        number or a 0-d tensor and is cast to ``self``'s dtype. Filled elements get
        no gradient.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.masked_fill(nanotorch.tensor([True, False]), -1.0)
        tensor([[-1.,  2.],
                [-1.,  4.]])
        """
        if not isinstance(mask, tensor_type()) or mask._data.dtype.kind != "b":
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{getattr(mask, 'dtype', type(mask).__name__)}")
        shape = broadcast_shapes(mask._data.shape, self._data.shape)
        if isinstance(value, tensor_type()):
            if value.ndim:
                raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                                   f"got tensor with {value.ndim} dimension(s).")
            value = value.to(self.dtype)
            if not value._requires_grad:
                value = value.item()
        else:
            value = as_scalar(value, "value")
        if shape == self._data.shape and not isinstance(value, tensor_type()):
            return I.MaskedFill.apply(self, mask, value)
        out = E.Where.apply(mask, value, self)
        if out._data.dtype != self._data.dtype:
            out = out.to(self.dtype)
        return out

    def lerp(self, end, weight):
        """Linear interpolation ``self + weight * (end - self)``.

        ``self``, ``end`` and ``weight`` (a number or a tensor) broadcast together.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 10.0]).lerp(nanotorch.tensor([10.0, 20.0]), 0.5)
        tensor([ 5., 15.])
        """
        return self + weight * (end - self)

    def logical_not(self):
        """``not x`` for each element (nonzero is True): ``(*)`` -> ``(*)``, bool.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 2.0]).logical_not()
        tensor([ True, False])
        """
        return self._unary_raw("logical_not")

    def logical_and(self, other):
        """``x and y`` for each pair of elements (nonzero is True), bool.

        ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([0, 3]).logical_and(nanotorch.tensor([1, 1]))
        tensor([False,  True])
        """
        return E.compare("logical_and", self, other)

    def logical_or(self, other):
        """``x or y`` for each pair of elements (nonzero is True), bool.

        ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([True, False]).logical_or(nanotorch.tensor([False, False]))
        tensor([ True, False])
        """
        return E.compare("logical_or", self, other)

    def logical_xor(self, other):
        """``x != y`` as truth values, for each pair of elements (nonzero is True), bool.

        ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([True, False]).logical_xor(nanotorch.tensor([True, True]))
        tensor([False,  True])
        """
        return E.compare("logical_xor", self, other)

    def eq(self, other):
        """``self == other`` elementwise, bool: ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).eq(2)
        tensor([False,  True, False])
        """
        return self == other

    def ne(self, other):
        """``self != other`` elementwise, bool: ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).ne(nanotorch.tensor([1, 0, 3]))
        tensor([False,  True, False])
        """
        return self != other

    def lt(self, other):
        """``self < other`` elementwise, bool: ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).lt(2)
        tensor([ True, False, False])
        """
        return self < other

    def le(self, other):
        """``self <= other`` elementwise, bool: ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).le(2)
        tensor([ True,  True, False])
        """
        return self <= other

    def gt(self, other):
        """``self > other`` elementwise, bool: ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).gt(2)
        tensor([False, False,  True])
        """
        return self > other

    def ge(self, other):
        """``self >= other`` elementwise, bool: ``(*)`` -> ``(*)``, broadcasting with ``other``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).ge(2)
        tensor([False,  True,  True])
        """
        return self >= other

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self, other):
        """True when both tensors have the same shape and the same elements (a Python bool).

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.0, 2.0])
        >>> x.equal(nanotorch.tensor([1.0, 2.0])), x.equal(nanotorch.tensor([1.0]))
        (True, False)
        """
        return self.shape == other.shape and bool((self == other).all())

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """True when every element satisfies :meth:`isclose` (a Python bool).

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0]).allclose(nanotorch.tensor([1.0, 2.0 + 1e-6]))
        True
        """
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """``|self - other| <= atol + rtol * |other|`` for each element, bool.

        ``(*)`` -> ``(*)``, broadcasting with ``other``; ``nan`` equals ``nan`` only
        with ``equal_nan=True``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0]).isclose(nanotorch.tensor([1.0, 2.1]))
        tensor([ True, False])
        """
        x, y, backend = E.binary_operands(self, other)
        return wrap(backend.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), backend)

    def isnan(self):
        """True where an element is ``nan``: ``(*)`` -> ``(*)``, bool.

        >>> import nanotorch
        >>> from math import inf, nan
        >>> nanotorch.tensor([1.0, nan, inf]).isnan()
        tensor([False,  True, False])
        """
        return self._unary_raw("isnan")

    def isinf(self):
        """True where an element is ``inf`` or ``-inf``: ``(*)`` -> ``(*)``, bool.

        >>> import nanotorch
        >>> from math import inf
        >>> nanotorch.tensor([1.0, -inf, inf]).isinf()
        tensor([False,  True,  True])
        """
        return self._unary_raw("isinf")

    def isfinite(self):
        """True where an element is neither ``inf``, ``-inf`` nor ``nan``: ``(*)`` -> ``(*)``, bool.

        >>> import nanotorch
        >>> from math import inf, nan
        >>> nanotorch.tensor([1.0, nan, inf]).isfinite()
        tensor([ True, False, False])
        """
        return self._unary_raw("isfinite")
