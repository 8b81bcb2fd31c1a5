"""Elementwise ops: the lecture's map (one input) and zip (two inputs) functions.

Each op is a Function whose forward calls one backend kernel on raw arrays
and whose derivative is a short line of arithmetic (see ``base.Op``), or of
tensor ops plus a raw twin calling the fused backward kernel. Gradients of
broadcast inputs come back in the output's shape; the engine sums them back
down (see ``autograd/engine.py``), so no op here handles broadcasting.
"""
from __future__ import annotations

import math

from .. import _dtype
from ..autograd import function as _fn
from ..autograd.function import _clock
from ._util import binary_operands, broadcast_shapes, to_float, wrap
from .base import Op


def _broadcast_error(a, b):
    return RuntimeError(broadcast_error_message(a, b))


def broadcast_error_message(a, b):
    try:
        broadcast_shapes(getattr(a, "shape", ()), getattr(b, "shape", ()))
    except RuntimeError as err:
        return str(err)
    return "operands could not be broadcast together"


# --- zip: two inputs ----------------------------------------------------------
class _Zip(Op):
    """A two-input op: forward promotes the operands and calls one backend kernel."""

    kernel = None
    divides = False  # an integer quotient or remainder: a zero divisor raises, as in torch

    @classmethod
    def apply(cls, a, b):
        # The hot path, inlined: a float tensor with another of its dtype and
        # backend, or with a Python float, needs no promotion and no checks.
        T = _fn._Tensor
        if type(a) is T and _fn._profiler is None:
            x = a._data
            if x.dtype.kind == "f":
                backend = a._backend
                if type(b) is float:
                    y = backend.scalar(b, x.dtype)
                    broadcast = False
                elif type(b) is T and b._backend is backend and b._data.dtype is x.dtype:
                    y = b._data
                    broadcast = x.size != y.size  # one operand stretched: half a shape test's cost
                else:
                    return super().apply(a, b)
                try:
                    data = (backend.broadcast_zip(cls.kernel, x, y) if broadcast
                            else getattr(backend, cls.kernel)(x, y))
                except ValueError:
                    raise _broadcast_error(a, b) from None
                return cls.apply_saving_inputs(data, backend, (x, y), a, b)
        return super().apply(a, b)

    @classmethod
    def forward(cls, ctx, a, b):
        x, y, backend = binary_operands(a, b)
        if cls.divides:
            _check_integer_divisor(x, y)
        ctx._saved = (a, b)  # save_for_backward(a, b), inlined on this hot path
        ctx._epoch = _clock[0]
        try:
            return _zip(backend, cls.kernel, x, y)
        except ValueError:
            raise _broadcast_error(a, b) from None


def _check_integer_divisor(x, y):
    """torch's error for an integer division by zero (numpy gives 0 and a warning)."""
    if not (_integral(x) and _integral(y)):
        return
    if (y == 0) if type(y) is int else (y.size and not y.all()):
        raise RuntimeError("ZeroDivisionError")


def _integral(operand):
    """Whether a raw operand (an array or a Python number) holds integers (bool is not one)."""
    return type(operand) is int or getattr(operand, "dtype", None) is not None and \
        operand.dtype.kind in "iu"


def _zip(backend, kernel, x, y):
    """The backend's ``kernel`` on promoted operands; two arrays of different sizes (a broadcast
    that stretches one) go through its ``broadcast_zip``."""
    if getattr(x, "ndim", 0) and getattr(y, "ndim", 0) and x.size != y.size:
        return backend.broadcast_zip(kernel, x, y)
    return getattr(backend, kernel)(x, y)


class Add(_Zip):
    kernel = "add"

    @staticmethod
    def backward(ctx, g):
        return g, g

    raw_backward = backward  # nothing saved, no method called: it runs on raw arrays as is


class Sub(_Zip):
    kernel = "subtract"

    @classmethod
    def forward(cls, ctx, a, b):
        check_subtraction(a, b)
        return super().forward(ctx, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, -g if ctx.needs_input_grad[1] else None

    raw_backward = backward


def check_subtraction(a, b):
    """torch refuses to subtract booleans (tensors or Python bools); numpy would give integers."""
    a_bool, b_bool = _is_bool(a), _is_bool(b)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def _is_bool(operand):
    return type(operand) is bool or (isinstance(operand, _fn._Tensor)
                                     and operand._data.dtype.kind == "b")


class Mul(_Zip):
    kernel = "multiply"

    @staticmethod
    def derivative(ctx, g, a, b):
        return (g * b if ctx.needs_input_grad[0] else None,
                g * a if ctx.needs_input_grad[1] else None)


class Div(_Zip):
    kernel = "true_divide"  # the hot path's; forward below also handles integers

    @classmethod
    def forward(cls, ctx, a, b):
        x, y, backend = binary_operands(a, b)
        ctx.save_for_backward(a, b)
        # true division of integers gives the default float dtype (numpy would give float64)
        if not hasattr(x, "dtype"):
            y = to_float(y)
        elif x.dtype.kind in "biu":
            x = to_float(x)
            if hasattr(y, "dtype"):
                y = y.astype(x.dtype)
        try:
            return _zip(backend, "true_divide", x, y)
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def derivative(ctx, g, a, b):
        ga = g / b if ctx.needs_input_grad[0] else None
        # -g a / b², divided twice: b * b over- or underflows first (b = 1e-200 gave -inf)
        gb = -g * (a / b) / b if ctx.needs_input_grad[1] else None
        return ga, gb


class Pow(_Zip):
    kernel = "power"

    @classmethod
    def forward(cls, ctx, a, b):
        x, y, backend = binary_operands(a, b)
        if type(y) is int and y < 0 and x.dtype.kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(a, b)
        try:
            return backend.power(x, y)
        except ValueError as err:
            if "negative integer powers" not in str(err):
                raise _broadcast_error(a, b) from None
        return _integer_power(backend, x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, (int, float)):
                ga = g * b * a ** (b - 1) if b != 0 else g * 0
            else:  # 0 where b == 0, as torch (0 * 0 ** -1 would be nan)
                ga = (g * b * a.pow(b - 1)).masked_fill(b == 0, 0)
        if ctx.needs_input_grad[1]:
            # d/db a**b = a**b * log(a); 0 where a == 0 and b >= 0, -inf where b < 0, as torch.
            base = a if not isinstance(a, (int, float)) else b.new_full((), a)
            out = base ** b
            gb = g * (out * base.log()).masked_fill((base == 0) & (b >= 0), 0)
        return ga, gb


def _integer_power(backend, x, y):
    """Integers to integer powers of which some are negative, as torch: 1 and -1 keep their
    powers and every other base gives 0 (1 / x**|y|, truncated); numpy refuses."""
    xp = backend.xp
    x = xp.asarray(x)
    out = backend.power(x, xp.maximum(y, 0))
    one = xp.ones_like(out)
    sign = xp.where(y % 2 == 0, one, -one)
    reciprocal = xp.where(x == 1, one, xp.where(x == -1, sign, xp.zeros_like(out)))
    return xp.where(y < 0, reciprocal, out)


def _shares(g, a_lost, b_lost, tie):
    """Each input's share of an extremum's gradient, as torch: all of it unless it lost, half on
    a tie; where a NaN makes every comparison false, both inputs get all of it."""
    half = tie.to(g.dtype) * 0.5
    return g * (1 - a_lost.to(g.dtype) - half), g * (1 - b_lost.to(g.dtype) - half)


class Maximum(_Zip):
    kernel = "maximum"

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _shares(g, a < b, a > b, a == b)


class Minimum(_Zip):
    kernel = "minimum"

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _shares(g, a > b, a < b, a == b)


class Atan2(_Zip):
    kernel = "arctan2"

    @classmethod
    def forward(cls, ctx, a, b):
        for name, position, operand in (("input", 1, a), ("other", 2, b)):
            if not isinstance(operand, _fn._Tensor):
                raise TypeError(f"atan2(): argument '{name}' (position {position}) must be Tensor, "
                                f"not {type(operand).__name__}")
        x, y, backend = binary_operands(a, b)
        ctx.save_for_backward(a, b)
        try:
            return backend.arctan2(to_float(x), to_float(y))
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        denom = a * a + b * b
        denom = denom.masked_fill(denom == 0, 1)  # at the origin the gradient is 0, as torch's
        return g * b / denom, -g * a / denom


class Remainder(_Zip):
    """Python-style remainder (sign of the divisor), as torch.remainder."""

    kernel = "remainder"
    divides = True

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -g * (a / b).floor()
        return g, gb


class Fmod(_Zip):
    """C-style remainder (sign of the dividend), as torch.fmod."""

    kernel = "fmod"
    divides = True

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * (a / b).trunc() if ctx.needs_input_grad[1] else None
        return g, gb


class _NoGradZip(_Zip):
    """Zip ops whose result is piecewise constant: the gradient is zero everywhere."""

    @staticmethod
    def derivative(ctx, g, a, b):
        return g * 0, g * 0


class FloorDivide(_NoGradZip):
    kernel = "floor_divide"
    divides = True


# --- fused backward kernels (zip shapes), differentiable themselves -------------
class _BackKernel(Op):
    """An activation's backward kernel ``kernel(x, d)`` as a differentiable op: x is the
    forward's input or output, d the incoming gradient; both are saved."""

    kernel = None

    @classmethod
    def forward(cls, ctx, x, d):
        ctx.save_for_backward(x, d)
        return getattr(x._backend, cls.kernel)(x._data, d._data)


class InvBack(_BackKernel):
    """d * -1/a²: the lecture's ``inv_back_zip`` as a differentiable op."""

    kernel = "inv_back_zip"

    @staticmethod
    def backward(ctx, gg):
        a, d = ctx.saved_tensors
        return 2 * gg * d / (a * a * a), -gg / (a * a)


class ReluBack(_BackKernel):
    """d where a > 0 else 0 (the lecture's ``relu_back_zip``)."""

    kernel = "relu_back_zip"

    @staticmethod
    def backward(ctx, gg):
        a, _ = ctx.saved_tensors
        return None, ReluBack.apply(a, gg)


class SigmoidBack(_BackKernel):
    """d * s * (1 - s) given the sigmoid output s."""

    kernel = "sigmoid_back_zip"

    @staticmethod
    def backward(ctx, gg):
        s, d = ctx.saved_tensors
        return gg * d * (1 - 2 * s), gg * s * (1 - s)


class TanhBack(_BackKernel):
    """d * (1 - t²) given the tanh output t."""

    kernel = "tanh_back_zip"

    @staticmethod
    def backward(ctx, gg):
        t, d = ctx.saved_tensors
        return -2 * gg * d * t, gg * (1 - t * t)


class _FusedBackward:
    """A map whose derivative is one fused kernel of its saved value and the gradient.

    ``back`` is that kernel as a differentiable op (``backward``, on tensors);
    ``raw_backward`` calls ``back.kernel`` on the backend directly.
    """

    back = None

    @classmethod
    def backward(cls, ctx, g):
        (saved,) = ctx.saved_tensors
        return cls.back.apply(saved, g)

    @classmethod
    def raw_backward(cls, ctx, g):
        arrays = ctx._arrays  # ``saved_arrays``' fast case, inlined: this runs for every node
        if arrays is None or ctx._epoch != _clock[0]:
            arrays = ctx.saved_arrays
        return getattr(ctx.backend, cls.back.kernel)(arrays[0], g)


# --- map: one input -------------------------------------------------------------
class _Map(Op):
    """A one-input op on floats: forward calls one backend kernel."""

    kernel = None
    float_only = True

    @classmethod
    def apply(cls, a, *args):
        # The hot path, inlined: a float tensor and the kernel, nothing else.
        if type(a) is _fn._Tensor and not args and _fn._profiler is None:
            x = a._data
            if x.dtype.kind == "f":
                return cls.apply_saving_inputs(getattr(a._backend, cls.kernel)(x), a._backend, (x,), a)
        return super().apply(a, *args)

    @classmethod
    def forward(cls, ctx, a):
        ctx._saved = (a,)  # save_for_backward(a), inlined on this hot path
        ctx._epoch = _clock[0]
        x = a._data
        if cls.float_only and x.dtype.kind in "biu":
            x = to_float(x)
        return getattr(a._backend, cls.kernel)(x)


class _MapOut(_Map):
    """A map whose derivative is cheapest in terms of its own output."""

    saves_output = True

    @classmethod
    def forward(cls, ctx, a):
        x = a._data
        if x.dtype.kind in "biu":
            x = to_float(x)
        return getattr(a._backend, cls.kernel)(x)


class Neg(_Map):
    kernel = "negative"
    float_only = False

    @classmethod
    def forward(cls, ctx, a):
        if a._data.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. "
                "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return a._backend.negative(a._data)

    @staticmethod
    def backward(ctx, g):
        return -g

    raw_backward = backward


class Abs(_Map):
    kernel = "abs"
    float_only = False

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.sign()


class Exp(_MapOut):
    kernel = "exp"

    @staticmethod
    def derivative(ctx, g, out):
        return g * out


class Expm1(_MapOut):
    kernel = "expm1"

    @staticmethod
    def derivative(ctx, g, out):
        return g * (out + 1)


class Log(_Map):
    kernel = "log"

    @staticmethod
    def derivative(ctx, g, a):
        return g / a


class Log2(_Map):
    kernel = "log2"

    @staticmethod
    def derivative(ctx, g, a):
        return g / (a * math.log(2.0))


class Log10(_Map):
    kernel = "log10"

    @staticmethod
    def derivative(ctx, g, a):
        return g / (a * math.log(10.0))


class Log1p(_Map):
    kernel = "log1p"

    @staticmethod
    def derivative(ctx, g, a):
        return g / (a + 1)


class Sqrt(_MapOut):
    kernel = "sqrt"

    @staticmethod
    def derivative(ctx, g, out):
        return g / (2 * out)


class Rsqrt(_MapOut):
    kernel = "rsqrt"

    @staticmethod
    def derivative(ctx, g, out):
        return g * -0.5 * out * out * out


class Sin(_Map):
    kernel = "sin"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.cos()


class Cos(_Map):
    kernel = "cos"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * a.sin()


class Tan(_MapOut):
    kernel = "tan"

    @staticmethod
    def derivative(ctx, g, out):
        return g * (1 + out * out)


class Asin(_Map):
    kernel = "arcsin"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (1 - a * a).rsqrt()


class Acos(_Map):
    kernel = "arccos"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * (1 - a * a).rsqrt()


class Atan(_Map):
    kernel = "arctan"

    @staticmethod
    def derivative(ctx, g, a):
        return g / (1 + a * a)


class Sinh(_Map):
    kernel = "sinh"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.cosh()


class Cosh(_Map):
    kernel = "cosh"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.sinh()


class Tanh(_FusedBackward, _MapOut):
    kernel = "tanh"
    back = TanhBack


class Sigmoid(_FusedBackward, _MapOut):
    kernel = "sigmoid_map"
    back = SigmoidBack


class Relu(_FusedBackward, _Map):
    kernel = "relu_map"
    float_only = False
    back = ReluBack


class Reciprocal(_FusedBackward, _Map):
    """1 / x: the lecture's Inv."""

    kernel = "inv_map"
    back = InvBack


class _ZeroGradMap(_Map):
    """Piecewise-constant maps: the gradient is zero almost everywhere."""

    float_only = False

    @staticmethod
    def derivative(ctx, g, a):
        return g * 0


class Sign(_ZeroGradMap):
    kernel = "sign"


class Floor(_ZeroGradMap):
    kernel = "floor"


class Ceil(_ZeroGradMap):
    kernel = "ceil"


class Trunc(_ZeroGradMap):
    kernel = "trunc"


class Round(_ZeroGradMap):
    kernel = "round"

    @classmethod
    def forward(cls, ctx, a, decimals=0):
        return a._backend.round(a._data, decimals)

    @staticmethod
    def derivative(ctx, g, *saved):  # the input is saved on the hot path (no decimals), not here
        return g * 0, None


class Clamp(Op):
    """Clamp to [min, max]; min and max are numbers, tensors or None."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        Tensor = _fn._Tensor
        x = a._data
        backend = a._backend
        lo_raw = lo._data if isinstance(lo, Tensor) else lo
        hi_raw = hi._data if isinstance(hi, Tensor) else hi
        if (x.dtype.kind == "b" or any(isinstance(v, Tensor) and v._data.dtype != x.dtype
                                       for v in (lo, hi))
                or x.dtype.kind in "iu" and (type(lo_raw) is float or type(hi_raw) is float)):
            # torch promotes: an int tensor with a float bound is float, a bool one is int64
            target = _dtype.result_type(*(v for v in (a, lo, hi) if v is not None)).np
            x = x.astype(target)
            lo_raw, hi_raw = (v.astype(target) if hasattr(v, "astype") else v
                              for v in (lo_raw, hi_raw))
        ctx.save_for_backward(a, lo, hi)
        out = x
        try:
            if lo_raw is not None:
                out = backend.maximum(out, lo_raw)
            if hi_raw is not None:
                out = backend.minimum(out, hi_raw)
        except ValueError:
            raise RuntimeError(broadcast_error_message(a, lo if lo_raw is not None and
                                                       out is x else hi)) from None
        return out.astype(x.dtype, copy=False) if out is not x else backend.xp.array(x, copy=True)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        inside = a == a  # all True, in a's shape
        glo = ghi = None
        below = above = None
        if lo is not None:
            inside = inside & (a >= lo)
            below = a < lo
        if hi is not None:
            inside = inside & (a <= hi)
            above = a > hi
        if below is not None and above is not None and any(ctx.needs_input_grad[1:]):
            # where min > max the result is max, and so is the gradient (torch's rule); a bound
            # needs a gradient, so it is a tensor and so is ``crossed``
            crossed = lo >= hi
            below, above = below & ~crossed, above | crossed
        if ctx.needs_input_grad[1]:
            glo = g * below.to(g.dtype)
        if ctx.needs_input_grad[2]:
            ghi = g * above.to(g.dtype)
        return g * inside.to(g.dtype), glo, ghi


class LeakyRelu(Op):
    """x where x > 0, else ``slope * x``. Its derivative (1 or ``slope``) is fixed by the forward,
    so nothing is saved that an in-place ``leaky_relu`` would overwrite."""

    @staticmethod
    def forward(ctx, a, slope):
        x = a._data
        xp = a._backend.xp
        ctx.scale = xp.where(x > 0, xp.ones_like(x), xp.full_like(x, slope))
        return x * ctx.scale

    @staticmethod
    def backward(ctx, g):
        return g * wrap(ctx.scale, ctx.backend), None

    @staticmethod
    def raw_backward(ctx, g):
        return g * ctx.scale, None


class Where(Op):
    """condition ? a : b, with broadcasting over all three."""

    @staticmethod
    def forward(ctx, condition, a, b):
        x, y, backend = binary_operands(a, b)
        ctx.save_for_backward(condition)
        cond = condition._data
        if cond.dtype.kind != "b":
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {condition.dtype}")
        try:
            return backend.where(cond, x, y)
        except ValueError:
            raise RuntimeError(broadcast_error_message(condition, a if hasattr(a, "shape") else b)) from None

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        zero = g.new_zeros(())
        needs = ctx.needs_input_grad
        return (None, Where.apply(cond, g, zero) if needs[1] else None,
                Where.apply(cond, zero, g) if needs[2] else None)

    @staticmethod
    def raw_backward(ctx, g):
        (cond,) = ctx.saved_arrays
        where, needs = ctx.backend.where, ctx.needs_input_grad
        return (None, where(cond, g, 0) if needs[1] else None,
                where(cond, 0, g) if needs[2] else None)


# --- no-grad elementwise (comparisons, logic) -------------------------------------
def compare(kernel, a, b):
    """A comparison or logical zip: a bool tensor outside the graph."""
    x, y, backend = binary_operands(a, b)
    try:
        return wrap(getattr(backend, kernel)(x, y), backend)
    except ValueError:
        raise _broadcast_error(a, b) from None
    except TypeError:
        if not kernel.startswith("bitwise"):
            raise
        # torch's type for a kernel missing for a dtype (it subclasses RuntimeError)
        dtypes = sorted({str(t.dtype) for t in (a, b) if hasattr(t, "dtype")})
        raise NotImplementedError(f"\"{kernel}\" is only implemented for integer and bool "
                                  f"tensors, got {', '.join(dtypes)}") from None
