"""Elementwise functions of the standard.

Each takes tensors (and, for the binary ones, at most one Python scalar),
checks the dtype category the standard allows, promotes by the standard's
table, and calls the differentiable tensor op when there is one; the
piecewise-constant and boolean ones (comparisons, bitwise, ``isnan``, ...)
compute on the backend's ``xp`` and return tensors outside the graph.
Special cases for nan, inf and signed zeros come from the backend (numpy
and CuPy follow IEEE 754 and C99 as the standard does), with numpy's
floating-point warnings off.
"""
from __future__ import annotations

import numpy as np

from ..ops import elementwise as E
from . import _base as B
from . import _ops as O

__all__ = []


def _doc(summary, example, output):
    return (f"{summary}\n\n    >>> from nanotorch import array_api as xp\n"
            f"    >>> {example}\n    {output}\n    ")


def _raw_unary(kernel):
    def run(x):
        return B.wrap(getattr(x._backend.xp, kernel)(x._data), x._backend)
    return run


def _int_identity(method):
    """floor, ceil and trunc of an integer array are the array itself."""
    def run(x):
        return x if x.dtype in B.INTEGER else method(x)
    return run


def _sign(x):
    if x.dtype in B.COMPLEX_FLOATING:
        xp = x._backend.xp
        a = x._data
        mag = xp.abs(a)
        return B.wrap(xp.where(mag == 0, 0, a / xp.where(mag == 0, 1, mag)).astype(a.dtype),
                      x._backend)
    if x.dtype in B.REAL_FLOATING:  # the standard keeps NaN, where torch's sign gives 0
        return x.sign().masked_fill(x.isnan(), float("nan"))
    return x.sign()


def _floor_divide(a, b):
    """floor(a / b), with the specification's results where numpy's floor gives nan or -1.

    numpy (and torch) compute floor(inf / finite) as nan and floor(-finite / inf) as -1;
    the standard asks for a signed infinity and a signed zero there.
    """
    out = E.FloorDivide.apply(a, b)
    if out.dtype not in B.REAL_FLOATING:
        return out
    xp = out._backend.xp
    x1, x2 = xp.broadcast_arrays(a._data, b._data)
    q = x1 / x2
    r = out._data
    fix_inf = xp.isinf(x1) & xp.isfinite(x2) & (x2 != 0)
    fix_zero = xp.isfinite(x1) & (x1 != 0) & xp.isinf(x2)
    if not (fix_inf.any() or fix_zero.any()):
        return out
    r = xp.where(fix_inf, q, r)
    r = xp.where(fix_zero, xp.copysign(xp.zeros_like(q), q), r)
    return B.wrap(r.astype(out._data.dtype, copy=False), out._backend)


def _expm1(x):
    """exp(x) - 1, with the standard's complex special cases where a component is not finite.

    numpy's complex expm1 goes through cos/sin of the imaginary part times an infinite
    real part, so e.g. expm1(inf + 0j) comes out inf + nan j where the standard asks for
    inf + 0j (and -1 + 0j for -inf with an infinite or nan imaginary part).
    """
    out = x.expm1()
    if out.dtype not in B.COMPLEX_FLOATING:
        return out
    xp = out._backend.xp
    a, b = x._data.real, x._data.imag
    special = ~(xp.isfinite(a) & xp.isfinite(b))
    if not special.any():
        return out
    nan = xp.full_like(a, xp.nan)
    zero_b = xp.copysign(xp.zeros_like(b), b)
    b_finite = xp.isfinite(b)
    # a = -inf: -1 + 0*cis(b), the zero taking sin(b)'s sign when b is finite
    neg_im = xp.where(b_finite, xp.copysign(xp.zeros_like(b), xp.sin(xp.where(b_finite, b, 0))),
                      zero_b)
    # a = +inf: inf*cis(b) for finite non-zero b, inf + b j for b = 0, inf + nan j otherwise
    b_fin = xp.where(b_finite, b, 0)
    pos_re = xp.where(b_finite & (b != 0), xp.inf * xp.cos(b_fin), xp.inf)
    pos_im = xp.where(b == 0, b, xp.where(b_finite, xp.inf * xp.sin(b_fin), nan))
    re = xp.where(a == -xp.inf, -1.0, xp.where(a == xp.inf, pos_re, nan))
    im = xp.where(a == -xp.inf, neg_im, xp.where(a == xp.inf, pos_im,
                                                  xp.where(xp.isnan(a) & (b == 0), b, nan)))
    # built part by part: re + 1j * im would turn inf * 0j into nan
    fixed = xp.empty_like(out._data)
    fixed.real, fixed.imag = re, im
    return B.wrap(xp.where(special, fixed, out._data), out._backend)


def _make_unary(name, category, impl, summary, example, output):
    def fn(x, /):
        B.check_array(x, name)
        B.check_dtype(x, category, name)
        with np.errstate(all="ignore"):
            return impl(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = _doc(summary, example, output)
    globals()[name] = fn
    __all__.append(name)


def _make_binary(name, category, impl, summary, example, output):
    def fn(x1, x2, /):
        a, b = B.operands(x1, x2, category, name)
        with np.errstate(all="ignore"):
            return impl(a, b)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = _doc(summary, example, output)
    globals()[name] = fn
    __all__.append(name)


def _raw_binary(kernel):
    def run(a, b):
        return B.wrap(getattr(a._backend.xp, kernel)(a._data, b._data), a._backend)
    return run


FP, RFP, CFP = "floating-point", "real floating-point", "complex floating-point"
NUM, RNUM, INT, INTB, BOOL, ALL = ("numeric", "real numeric", "integer", "integer or boolean",
                                   "boolean", "all")
_X = "x = xp.asarray([0.5, -2.0])"

# name, dtype category, implementation, summary, example, printed result
_UNARY = [
    ("abs", NUM, lambda x: x.abs(), "|x|, elementwise (the modulus for complex x).",
     "xp.abs(xp.asarray([-1.5, 2.0]))", "tensor([1.5000, 2.0000])"),
    ("acos", FP, lambda x: x.acos(), "Inverse cosine, in [0, pi].",
     "xp.acos(xp.asarray([1.0, 0.0]))", "tensor([0.0000, 1.5708])"),
    ("acosh", FP, O.Acosh.apply, "Inverse hyperbolic cosine (x >= 1).",
     "xp.acosh(xp.asarray([1.0, 2.0]))", "tensor([0.0000, 1.3170])"),
    ("asin", FP, lambda x: x.asin(), "Inverse sine, in [-pi/2, pi/2].",
     "xp.asin(xp.asarray([0.0, 1.0]))", "tensor([0.0000, 1.5708])"),
    ("asinh", FP, O.Asinh.apply, "Inverse hyperbolic sine.",
     "xp.asinh(xp.asarray([0.0, 1.0]))", "tensor([0.0000, 0.8814])"),
    ("atan", FP, lambda x: x.atan(), "Inverse tangent, in [-pi/2, pi/2].",
     "xp.atan(xp.asarray([0.0, 1.0]))", "tensor([0.0000, 0.7854])"),
    ("atanh", FP, O.Atanh.apply, "Inverse hyperbolic tangent (|x| <= 1).",
     "xp.atanh(xp.asarray([0.0, 0.5]))", "tensor([0.0000, 0.5493])"),
    ("bitwise_invert", INTB, _raw_unary("invert"), "~x: flip every bit (logical not for bool).",
     "xp.bitwise_invert(xp.asarray([0, 5], dtype=xp.int8))",
     "tensor([-1, -6], dtype=nanotorch.int8)"),
    ("ceil", RNUM, _int_identity(lambda x: x.ceil()), "The smallest integer >= x, in x's dtype.",
     "xp.ceil(xp.asarray([0.5, -1.5]))", "tensor([ 1., -1.])"),
    ("conj", NUM, lambda x: x.conj(), "Complex conjugate (real x comes back unchanged).",
     "xp.conj(xp.asarray([1 + 2j]))", "tensor([1.-2.j])"),
    ("cos", FP, lambda x: x.cos(), "Cosine (radians).",
     "xp.cos(xp.asarray([0.0]))", "tensor([1.])"),
    ("cosh", FP, lambda x: x.cosh(), "Hyperbolic cosine.",
     "xp.cosh(xp.asarray([0.0]))", "tensor([1.])"),
    ("exp", FP, lambda x: x.exp(), "e ** x.",
     "xp.exp(xp.asarray([0.0, 1.0]))", "tensor([1.0000, 2.7183])"),
    ("expm1", FP, _expm1, "exp(x) - 1, accurate near 0.",
     "xp.expm1(xp.asarray([0.0, 1e-10], dtype=xp.float64))",
     "tensor([0.0000e+00, 1.0000e-10], dtype=nanotorch.float64)"),
    ("floor", RNUM, _int_identity(lambda x: x.floor()), "The largest integer <= x, in x's dtype.",
     "xp.floor(xp.asarray([0.5, -1.5]))", "tensor([ 0., -2.])"),
    ("imag", CFP, lambda x: x.imag, "The imaginary part of complex x (a real array).",
     "xp.imag(xp.asarray([1 + 2j]))", "tensor([2.])"),
    ("isfinite", NUM, _raw_unary("isfinite"), "True where x is neither inf nor nan.",
     "xp.isfinite(xp.asarray([1.0, float('inf'), float('nan')]))", "tensor([ True, False, False])"),
    ("isinf", NUM, _raw_unary("isinf"), "True where x is +inf or -inf.",
     "xp.isinf(xp.asarray([1.0, -float('inf')]))", "tensor([False,  True])"),
    ("isnan", NUM, _raw_unary("isnan"), "True where x is nan.",
     "xp.isnan(xp.asarray([1.0, float('nan')]))", "tensor([False,  True])"),
    ("log", FP, lambda x: x.log(), "Natural logarithm (nan for x < 0, -inf at 0).",
     "xp.log(xp.asarray([1.0, 0.0]))", "tensor([0., -inf])"),
    ("log1p", FP, lambda x: x.log1p(), "log(1 + x), accurate near 0.",
     "xp.log1p(xp.asarray([0.0]))", "tensor([0.])"),
    ("log2", FP, lambda x: x.log2(), "Base-2 logarithm.",
     "xp.log2(xp.asarray([8.0]))", "tensor([3.])"),
    ("log10", FP, lambda x: x.log10(), "Base-10 logarithm.",
     "xp.log10(xp.asarray([100.0]))", "tensor([2.0000])"),
    ("logical_not", BOOL, _raw_unary("logical_not"), "not x, for bool arrays.",
     "xp.logical_not(xp.asarray([True, False]))", "tensor([False,  True])"),
    ("negative", NUM, lambda x: x.neg(), "-x.",
     "xp.negative(xp.asarray([1, -2]))", "tensor([-1,  2])"),
    ("positive", NUM, lambda x: x, "+x (x itself).",
     "xp.positive(xp.asarray([1, -2]))", "tensor([ 1, -2])"),
    ("real", NUM, lambda x: x.real, "The real part (real x comes back unchanged).",
     "xp.real(xp.asarray([1 + 2j]))", "tensor([1.])"),
    ("reciprocal", FP, lambda x: x.reciprocal(), "1 / x.",
     "xp.reciprocal(xp.asarray([2.0, 4.0]))", "tensor([0.5000, 0.2500])"),
    ("round", NUM, lambda x: x.round(), "Round to the nearest integer, halves to even.",
     "xp.round(xp.asarray([0.5, 1.5, -2.5]))", "tensor([ 0.,  2., -2.])"),
    ("sign", NUM, _sign, "-1, 0 or 1 by the sign of x (x / |x| for complex x).",
     "xp.sign(xp.asarray([-3.0, 0.0, 2.0]))", "tensor([-1.,  0.,  1.])"),
    ("signbit", RFP, _raw_unary("signbit"), "True where the sign bit is set (also for -0.0 and -nan).",
     "xp.signbit(xp.asarray([-0.0, 0.0, -1.0]))", "tensor([ True, False,  True])"),
    ("sin", FP, lambda x: x.sin(), "Sine (radians).",
     "xp.sin(xp.asarray([0.0]))", "tensor([0.])"),
    ("sinh", FP, lambda x: x.sinh(), "Hyperbolic sine.",
     "xp.sinh(xp.asarray([0.0]))", "tensor([0.])"),
    ("sqrt", FP, lambda x: x.sqrt(), "Square root (nan for x < 0; principal root for complex).",
     "xp.sqrt(xp.asarray([4.0, 2.0]))", "tensor([2.0000, 1.4142])"),
    ("square", NUM, lambda x: x * x, "x * x.",
     "xp.square(xp.asarray([3, -2]))", "tensor([9, 4])"),
    ("tan", FP, lambda x: x.tan(), "Tangent (radians).",
     "xp.tan(xp.asarray([0.0]))", "tensor([0.])"),
    ("tanh", FP, lambda x: x.tanh(), "Hyperbolic tangent.",
     "xp.tanh(xp.asarray([0.0]))", "tensor([0.])"),
    ("trunc", RNUM, _int_identity(lambda x: x.trunc()), "Round toward zero, in x's dtype.",
     "xp.trunc(xp.asarray([1.7, -1.7]))", "tensor([ 1., -1.])"),
]

_UNARY_SUMMARY_SHAPES = " Shape (...) in, the same shape out."

for _row in _UNARY:
    _make_unary(_row[0], _row[1], _row[2], _row[3] + _UNARY_SUMMARY_SHAPES, _row[4], _row[5])

_BINARY = [
    ("add", NUM, E.Add.apply, "x1 + x2.",
     "xp.add(xp.asarray([1, 2]), 3)", "tensor([4, 5])"),
    ("atan2", RFP, E.Atan2.apply, "The angle of the point (x2, x1), in [-pi, pi].",
     "xp.atan2(xp.asarray([1.0]), xp.asarray([-1.0]))", "tensor([2.3562])"),
    ("bitwise_and", INTB, _raw_binary("bitwise_and"), "x1 & x2.",
     "xp.bitwise_and(xp.asarray([6]), 3)", "tensor([2])"),
    ("bitwise_left_shift", INT, _raw_binary("left_shift"), "x1 << x2 (x2 >= 0).",
     "xp.bitwise_left_shift(xp.asarray([1, 3]), 2)", "tensor([ 4, 12])"),
    ("bitwise_or", INTB, _raw_binary("bitwise_or"), "x1 | x2.",
     "xp.bitwise_or(xp.asarray([6]), 3)", "tensor([7])"),
    ("bitwise_right_shift", INT, _raw_binary("right_shift"), "x1 >> x2 (x2 >= 0).",
     "xp.bitwise_right_shift(xp.asarray([8, -8]), 2)", "tensor([ 2, -2])"),
    ("bitwise_xor", INTB, _raw_binary("bitwise_xor"), "x1 ^ x2.",
     "xp.bitwise_xor(xp.asarray([6]), 3)", "tensor([5])"),
    ("copysign", RFP, O.Copysign.apply, "|x1| with the sign of x2.",
     "xp.copysign(xp.asarray([2.0, 2.0]), xp.asarray([-0.0, 1.0]))", "tensor([-2.,  2.])"),
    ("divide", FP, E.Div.apply, "x1 / x2 (floating-point arrays).",
     "xp.divide(xp.asarray([1.0, -1.0]), 0.0)", "tensor([inf, -inf])"),
    ("equal", ALL, _raw_binary("equal"), "x1 == x2 (nan is never equal to anything).",
     "xp.equal(xp.asarray([1.0, float('nan')]), xp.asarray([1.0, float('nan')]))",
     "tensor([ True, False])"),
    ("floor_divide", RNUM, _floor_divide, "floor(x1 / x2).",
     "xp.floor_divide(xp.asarray([7, -7]), 2)", "tensor([ 3, -4])"),
    ("greater", RNUM, _raw_binary("greater"), "x1 > x2.",
     "xp.greater(xp.asarray([1, 3]), 2)", "tensor([False,  True])"),
    ("greater_equal", RNUM, _raw_binary("greater_equal"), "x1 >= x2.",
     "xp.greater_equal(xp.asarray([1, 2]), 2)", "tensor([False,  True])"),
    ("hypot", RFP, O.Hypot.apply, "sqrt(x1² + x2²) without overflow.",
     "xp.hypot(xp.asarray([3.0]), 4.0)", "tensor([5.])"),
    ("less", RNUM, _raw_binary("less"), "x1 < x2.",
     "xp.less(xp.asarray([1, 3]), 2)", "tensor([ True, False])"),
    ("less_equal", RNUM, _raw_binary("less_equal"), "x1 <= x2.",
     "xp.less_equal(xp.asarray([2, 3]), 2)", "tensor([ True, False])"),
    ("logaddexp", RFP, O.LogAddExp.apply, "log(exp(x1) + exp(x2)) without overflow.",
     "xp.logaddexp(xp.asarray([1000.0]), 1000.0)", "tensor([1000.6932])"),
    ("logical_and", BOOL, _raw_binary("logical_and"), "x1 and x2, for bool arrays.",
     "xp.logical_and(xp.asarray([True, True]), xp.asarray([True, False]))",
     "tensor([ True, False])"),
    ("logical_or", BOOL, _raw_binary("logical_or"), "x1 or x2, for bool arrays.",
     "xp.logical_or(xp.asarray([False, False]), xp.asarray([True, False]))",
     "tensor([ True, False])"),
    ("logical_xor", BOOL, _raw_binary("logical_xor"), "x1 != x2, for bool arrays.",
     "xp.logical_xor(xp.asarray([True, True]), xp.asarray([True, False]))",
     "tensor([False,  True])"),
    ("maximum", RNUM, E.Maximum.apply, "The larger of x1 and x2 (nan if either is nan).",
     "xp.maximum(xp.asarray([1.0, float('nan')]), 2.0)", "tensor([2., nan])"),
    ("minimum", RNUM, E.Minimum.apply, "The smaller of x1 and x2 (nan if either is nan).",
     "xp.minimum(xp.asarray([1.0, 3.0]), 2.0)", "tensor([1., 2.])"),
    ("multiply", NUM, E.Mul.apply, "x1 * x2.",
     "xp.multiply(xp.asarray([1.5, 2.0]), 2)", "tensor([3., 4.])"),
    ("nextafter", RFP, _raw_binary("nextafter"), "The next representable value after x1 toward x2.",
     "xp.nextafter(xp.asarray([0.0], dtype=xp.float64), 1.0)",
     "tensor([4.9407e-324], dtype=nanotorch.float64)"),
    ("not_equal", ALL, _raw_binary("not_equal"), "x1 != x2.",
     "xp.not_equal(xp.asarray([1, 2]), 2)", "tensor([ True, False])"),
    ("pow", NUM, E.Pow.apply, "x1 ** x2.",
     "xp.pow(xp.asarray([2.0, 4.0]), 0.5)", "tensor([1.4142, 2.0000])"),
    ("remainder", RNUM, E.Remainder.apply, "x1 mod x2 with the sign of x2 (Python's %).",
     "xp.remainder(xp.asarray([5, -5]), 3)", "tensor([2, 1])"),
    ("subtract", NUM, E.Sub.apply, "x1 - x2.",
     "xp.subtract(xp.asarray([1, 2]), 3)", "tensor([-2, -1])"),
]

_BINARY_SUMMARY_SHAPES = (" x1 and x2 broadcast together (either may be a Python scalar);"
                          " the result has the broadcast shape.")

for _row in _BINARY:
    _make_binary(_row[0], _row[1], _row[2], _row[3] + _BINARY_SUMMARY_SHAPES, _row[4], _row[5])


def clip(x, /, min=None, max=None):
    """x limited to [min, max]; bounds are None, Python numbers or arrays that broadcast.

    The result keeps x's dtype and broadcasts with the bounds; a nan in x or
    in a bound gives nan. Differentiable in x and in array bounds.

    >>> from nanotorch import array_api as xp
    >>> xp.clip(xp.asarray([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    B.check_array(x, "clip")
    B.check_dtype(x, "real numeric", "clip")
    bounds = []
    for argname, bound in (("min", min), ("max", max)):
        if bound is None:
            bounds.append(None)
            continue
        if type(bound) in (int, float):
            if x.dtype in B.INTEGER:
                if type(bound) is float:
                    raise TypeError(f"clip(): {argname} must be an int when x is an integer array")
                info = np.iinfo(x.dtype.np)
                if (argname == "min" and bound <= info.min) or (argname == "max" and bound >= info.max):
                    bounds.append(None)
                    continue
            bound = B.scalar_tensor(bound, x)
        else:
            B.check_array(bound, "clip", argname)
            B.check_dtype(bound, "real numeric", "clip")
            if (x.dtype in B.INTEGER) != (bound.dtype in B.INTEGER):
                raise TypeError(f"clip(): {argname} ({bound.dtype}) and x ({x.dtype}) must be of "
                                "the same kind")
            bound = B.cast(bound, x.dtype)
        bounds.append(bound)
    lo, hi = bounds
    if lo is not None and hi is not None and bool((lo > hi).any()):
        raise ValueError("clip(): min must be less than or equal to max")
    shapes = [tuple(x.shape)] + [tuple(b.shape) for b in bounds if b is not None]
    from .._functions import broadcast_shapes
    shape = tuple(broadcast_shapes(*shapes))
    out = x if tuple(x.shape) == shape else x.expand(shape)
    with np.errstate(all="ignore"):
        if lo is not None:
            out = E.Where.apply(lo.isnan() | (out < lo), lo, out) if x.dtype not in B.INTEGER \
                else E.Maximum.apply(out, lo)
        if hi is not None:
            out = E.Where.apply(hi.isnan() | (out > hi), hi, out) if x.dtype not in B.INTEGER \
                else E.Minimum.apply(out, hi)
    return out if out is not x else x.clone()


__all__.append("clip")
