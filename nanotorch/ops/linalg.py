"""Matrix products: the lecture's fourth kernel shape, done by the backend's BLAS.

``matmul`` follows numpy/torch: 1-D operands are promoted to matrices and
the added dim removed afterwards; leading (batch) dims broadcast. Its
gradient is two more matmuls; broadcast batch dims are summed back by the
engine.
"""
from __future__ import annotations

from .base import Op
from ._util import check_same_device


def _shape_text(shape):
    return "x".join(str(s) for s in shape)


def matmul_error(a_shape, b_shape):
    if len(a_shape) >= 2 and len(b_shape) >= 2 and a_shape[-1] == b_shape[-2]:
        # The inner dims agree, so it is the batch dims that do not broadcast.
        from ._util import broadcast_shapes
        try:
            broadcast_shapes(tuple(a_shape[:-2]), tuple(b_shape[:-2]))
        except RuntimeError as err:
            return err
    if len(a_shape) == 2 and len(b_shape) == 2:
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                            f"({_shape_text(a_shape)} and {_shape_text(b_shape)})")
    return RuntimeError(
        f"matmul: the inner dimensions of shapes {list(a_shape)} and {list(b_shape)} do not match "
        f"(size {a_shape[-1] if a_shape else None} vs size "
        f"{b_shape[-2] if len(b_shape) > 1 else (b_shape[0] if b_shape else None)})")


class Matmul(Op):
    """a @ b for operands of at least 2 dims (1-D ones are reshaped by ``matmul``)."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if a._backend is not b._backend:
            check_same_device(a, b)
        if x.dtype != y.dtype:
            from .._dtype import result_type
            target = result_type(a, b).np
            x, y = x.astype(target), y.astype(target)
        ctx.save_for_backward(a, b)
        try:
            return a._backend.matmul(x, y)
        except ValueError:
            raise matmul_error(x.shape, y.shape) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g @ b.mT if ctx.needs_input_grad[0] else None
        gb = a.mT @ g if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def raw_backward(ctx, g):
        a, b = ctx.saved_arrays
        matmul = ctx.backend.matmul
        ga = matmul(g, b.swapaxes(-1, -2)) if ctx.needs_input_grad[0] else None
        gb = matmul(a.swapaxes(-1, -2), g) if ctx.needs_input_grad[1] else None
        return ga, gb


def matmul(a, b):
    """torch.matmul semantics on top of the >=2-D ``Matmul`` op."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.ndim >= 2 and b.ndim >= 2:
        if a._data.shape[-1] != b._data.shape[-2]:
            raise matmul_error(a.shape, b.shape)
        return Matmul.apply(a, b)
    if a._data.shape[-1] != b._data.shape[-2 if b.ndim > 1 else 0]:
        raise matmul_error(a.shape, b.shape)
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    out = Matmul.apply(a2, b2)
    # the row dim first: for vector @ vector the (1, 1) result must lose both dims
    if a.ndim == 1:
        out = out.squeeze(-2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    return out
