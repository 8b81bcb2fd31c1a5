"""Moving tensors between devices: a differentiable copy."""
from __future__ import annotations

from .base import Op


class ToDevice(Op):
    """Copy to another backend/device; the gradient is copied back."""

    sets_backend = True

    @staticmethod
    def forward(ctx, a, backend, device):
        ctx.source_backend, ctx.source_device = a._backend, a.device
        ctx.backend = backend
        host = a._backend.to_numpy(a._data)
        return backend.from_numpy(host, device)

    @staticmethod
    def backward(ctx, g):
        return ToDevice.apply(g, ctx.source_backend, ctx.source_device), None, None
