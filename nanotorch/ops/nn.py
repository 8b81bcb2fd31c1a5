"""Fused ops for neural networks: one kernel call forward, a few tensor ops backward.

``nn`` composes ordinary ops wherever it can; the ops here exist because
the composed version is either numerically unsafe (binary cross-entropy
on logits must not overflow for large ``|x|``; its gradient at ``x = 0``
must not fall into the kinks of ``abs`` and ``relu``), missing (``erf``),
or on the hot path of every training step (``linear``: one op instead of
transpose, matmul and add).
"""
from __future__ import annotations

import math

from ..autograd import function as _fn
from ..autograd.grad_mode import state as _grad_state
from .base import Op
from .linalg import matmul_error
from ._util import check_same_device, to_float


class Linear(Op):
    """x @ w.T + b: (..., in), (out, in), (out,) or None -> (..., out)."""

    @classmethod
    def apply(cls, x, w, b=None):
        # Every layer's hot path, inlined: float tensors of one dtype and backend whose sizes fit.
        T = _fn._Tensor
        if (_fn._profiler is None and isinstance(x, T) and isinstance(w, T)
                and isinstance(b, T) and b._backend is x._backend):
            xd, wd = x._data, w._data
            backend = x._backend
            if (w._backend is backend and xd.dtype is wd.dtype and xd.dtype.kind == "f"
                    and xd.shape[-1:] == wd.shape[1:] and b._data.shape == wd.shape[:1]):
                out = _fn._fresh_tensor(backend.linear(xd, wd, b._data), backend)
                if _grad_state.enabled:
                    rx, rw, rb = x._requires_grad, w._requires_grad, b._requires_grad
                    if rx or rw or rb:
                        edges = (_fn._edge(x) if rx else None, _fn._edge(w) if rw else None,
                                 _fn._edge(b) if rb else None)
                        _fn.attach_node(cls, out, edges, (rx, rw, rb), (x, w), (xd, wd))
                return out
        return super().apply(x, w, b)

    @staticmethod
    def forward(ctx, x, w, b):
        if x._backend is not w._backend:
            check_same_device(x, w)
        if x._data.shape[-1] != w._data.shape[-1]:
            rows = math.prod(x._data.shape[:-1])
            raise matmul_error((rows, x._data.shape[-1]), w._data.shape[::-1])
        if x._data.dtype != w._data.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{x.dtype.name.capitalize()} and {w.dtype.name.capitalize()}")
        if b is not None and b._data.shape != w._data.shape[:1]:
            b.detach().expand(*x._data.shape[:-1], w._data.shape[0])  # torch's error if it can't
        ctx.save_for_backward(x, w)
        return x._backend.linear(x._data, w._data, None if b is None else b._data)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx = g @ w if ctx.needs_input_grad[0] else None
        gw = gb = None
        if ctx.needs_input_grad[1]:
            gw = g.unsqueeze(1) * x if x.ndim == 1 else LinearWeightGrad.apply(g, x)
        if ctx.needs_input_grad[2]:
            gb = g.sum(tuple(range(g.ndim - 1))) if g.ndim > 1 else g
        return gx, gw, gb

    @staticmethod
    def raw_backward(ctx, g):
        x, w = ctx.saved_arrays
        backend, needs = ctx.backend, ctx.needs_input_grad
        gx = backend.matmul(g, w) if needs[0] else None
        gw = gb = None
        if g.ndim == 2:  # a batch of vectors, the usual case: no reshapes, one axis to sum
            if needs[1]:
                gw = backend.matmul(g.T, x)
            if needs[2]:
                gb = backend.sum(g, 0)
            return gx, gw, gb
        if needs[1]:
            gw = g[:, None] * x if x.ndim == 1 else linear_weight_grad(backend, g, x)
        if needs[2]:
            gb = backend.sum(g, axis=tuple(range(g.ndim - 1))) if g.ndim > 1 else g
        return gx, gw, gb


def linear_weight_grad(backend, g, x):
    """``LinearWeightGrad`` on raw arrays: (*, out), (*, in) -> (out, in)."""
    return backend.matmul(g.reshape(-1, g.shape[-1]).T, x.reshape(-1, x.shape[-1]))


class LinearWeightGrad(Op):
    """g^T @ x over the flattened batch dims: (*, out), (*, in) -> (out, in).

    Linear's weight gradient as one matmul on a transposed view, instead of
    reshape, transpose and matmul ops on every backward.
    """

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(g, x)
        return linear_weight_grad(g._backend, g._data, x._data)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        return x @ gg.mT, g @ gg

class BinaryCrossEntropy(Op):
    """-(y log p + (1 - y) log(1 - p)), logs clamped at -100 (torch's rule): p, y (*) -> (*), or
    with ``reduction`` "mean" or "sum" its reduction, a 0-d tensor, in one op and one node."""

    @staticmethod
    def forward(ctx, p, y, reduction="none"):
        # save_for_backward(p, y), inlined with the raw values that raw_backward reads
        ctx._saved, ctx._arrays, ctx._epoch = (p, y), (p._data, y._data), _fn._clock[0]
        ctx.reduction = reduction
        return p._backend.binary_cross_entropy(p._data, y._data, reduction)

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved_tensors
        if ctx.reduction == "mean":
            g = g / _count(p._data)
        gp = gy = None
        if ctx.needs_input_grad[0]:
            gp = BinaryCrossEntropyBack.apply(p, y, g)
        if ctx.needs_input_grad[1]:
            gy = g * ((-p).log1p().clamp_min(-100) - p.log().clamp_min(-100))
        return gp, gy, None

    @classmethod
    def raw_backward(cls, ctx, g):
        if ctx.needs_input_grad[1]:  # a target that requires grad: rare, so through tensors
            return super().raw_backward(ctx, g)
        p, y = ctx.saved_arrays
        scale = 1.0 / _count(p) if ctx.reduction == "mean" else 1.0  # g is then one number
        return ctx.backend.binary_cross_entropy_back(p, y, g, scale), None, None


def _count(array):
    """How many values a mean divides by; an empty input's gradient is empty whatever the scale."""
    return max(array.size, 1)


class BinaryCrossEntropyBack(Op):
    """BCE's gradient in p, one kernel: g (p - y) / max(p (1 - p), 1e-12) (torch's derivative,
    its denominator kept away from zero at p = 0 and p = 1)."""

    @staticmethod
    def forward(ctx, p, y, g):
        ctx.save_for_backward(p, y, g)
        return p._backend.binary_cross_entropy_back(p._data, y._data, g._data)

    @staticmethod
    def backward(ctx, gg):
        p, y, g = ctx.saved_tensors
        variance = (1 - p) * p
        inv = 1 / variance.clamp_min(1e-12)
        # the clamp's derivative: 1 - 2p where p (1 - p) >= 1e-12, else 0 (torch's clamp_min)
        slope = (1 - 2 * p) * (variance >= 1e-12).to(p.dtype)
        q = gg * g * inv
        return q * (1 - (p - y) * slope * inv), -q, gg * (p - y) * inv


class BinaryCrossEntropyWithLogits(Op):
    """Elementwise (1 - y) x + (1 + (pw - 1) y) softplus(-x): BCE of sigmoid(x), never overflowing."""

    @staticmethod
    def forward(ctx, x, y, pos_weight):
        ctx.save_for_backward(x, y, pos_weight)
        return x._backend.binary_cross_entropy_with_logits(
            x._data, y._data, None if pos_weight is None else pos_weight._data)

    @staticmethod
    def backward(ctx, g):
        x, y, pw = ctx.saved_tensors
        gx = gy = gpw = None
        sig_neg = (-x).sigmoid()
        if ctx.needs_input_grad[0]:
            weight = 1 if pw is None else 1 + (pw - 1) * y
            gx = g * ((1 - y) - weight * sig_neg)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            softplus_neg = (-x).relu() + (-x.abs()).exp().log1p()
            if ctx.needs_input_grad[1]:
                gy = g * (-x if pw is None else (pw - 1) * softplus_neg - x)
            if ctx.needs_input_grad[2]:
                gpw = g * y * softplus_neg
        return gx, gy, gpw


class Softplus(Op):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (torch's switch to the
    identity): (*) -> (*); the derivative is sigmoid(beta x), and 1 past the threshold."""

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(a)
        x = to_float(a._data)
        xp = a._backend.xp
        scaled = x * beta
        return xp.where(scaled > threshold, x, xp.logaddexp(0, scaled) / beta).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        scaled = a * ctx.beta
        return g * scaled.sigmoid().masked_fill(scaled > ctx.threshold, 1.0), None, None


class Erf(Op):
    """The error function; d/dx erf(x) = 2/sqrt(pi) exp(-x²)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a._backend.erf(to_float(a._data))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (2 / math.sqrt(math.pi)) * (-a * a).exp()
