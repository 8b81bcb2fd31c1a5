"""Differentiable ops the standard needs and the core lacks.

Same pattern as ``nanotorch.ops``: ``forward`` works on raw backend arrays
through ``xp`` (numpy or cupy), ``backward`` is written in tensor ops so
higher derivatives work. Each one is gradchecked in ``tests/test_array_api_grad.py``.
"""
from __future__ import annotations

from ..ops.base import Op
from ..ops._util import wrap


class _Map(Op):
    """One input, one ``xp`` function of the same name; saves the input."""

    kernel = None

    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        return getattr(a._backend.xp, cls.kernel)(a._data)


class Acosh(_Map):
    """acosh(x); d/dx = 1 / sqrt(x² - 1)."""

    kernel = "arccosh"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * a - 1).sqrt()


class Asinh(_Map):
    """asinh(x); d/dx = 1 / sqrt(x² + 1)."""

    kernel = "arcsinh"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * a + 1).sqrt()


class Atanh(_Map):
    """atanh(x); d/dx = 1 / (1 - x²)."""

    kernel = "arctanh"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 - a * a)


class Hypot(Op):
    """sqrt(a² + b²) without overflow; d/da = a / hypot."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._backend.xp.hypot(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        return g * a / out, g * b / out


class LogAddExp(Op):
    """log(exp(a) + exp(b)) without overflow; d/da = exp(a - out)."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._backend.xp.logaddexp(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        return g * (a - out).exp(), g * (b - out).exp()


class Copysign(Op):
    """|a| with the sign of b; d/da = sign(a) * sign(out), zero for b (a step in b)."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a)
        return a._backend.xp.copysign(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        return g * a.sign() * out.sign(), None


class CumProd(Op):
    """Running product along ``axis``.

    Without zeros the gradient is a reversed running sum of ``g * out``
    divided by the input. With zeros that division fails, so it takes the
    general form: grad_i = sum_{j >= i} g_j * prod_{k <= j, k != i} x_k, built
    from n copies of x with x_i replaced by 1 (O(n²) memory, only then).
    """

    saves_output = True

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        ctx.save_for_backward(a)
        return a._backend.xp.cumprod(a._data, axis=axis)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        axis = ctx.axis
        xp = a._backend.xp
        if not bool(xp.any(a._data == 0)):
            return (g * out).flip(axis).cumsum(axis).flip(axis) / a, None
        x = a.movedim(axis, -1)
        n = x.shape[-1]
        eye = wrap(xp.eye(n, dtype=bool), a._backend)
        rows = x.unsqueeze(-2).expand(x.shape[:-1] + (n, n)).masked_fill(eye, 1)
        others = CumProd.apply(rows, rows.ndim - 1)  # [..., i, j] = prod_{k<=j, k!=i} x_k
        upper = wrap(xp.triu(xp.ones((n, n), dtype=bool)), a._backend)  # j >= i
        gx = (others * g.movedim(axis, -1).unsqueeze(-2)).masked_fill(~upper, 0).sum(-1)
        return gx.movedim(-1, axis), None


class Inv(Op):
    """Matrix inverse of a stack; d(A⁻¹) = -A⁻¹ dA A⁻¹."""

    saves_output = True

    @staticmethod
    def forward(ctx, a):
        return a._backend.xp.linalg.inv(a._data)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        t = out.mT
        return -(t @ g @ t)


class Solve(Op):
    """X with A X = B for a stack of square A; gB = A⁻ᵀ g, gA = -gB Xᵀ."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a)
        return a._backend.xp.linalg.solve(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        gb = Solve.apply(a.mT, g)
        return -(gb @ out.mT), gb


class LogAbsDet(Op):
    """log|det A| of a stack; d/dA = A⁻ᵀ."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a._backend.xp.linalg.slogdet(a._data)[1]

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT


class Det(Op):
    """det A of a stack; d/dA = det(A) A⁻ᵀ."""

    saves_output = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a._backend.xp.linalg.det(a._data)

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        return (g * out).unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT
