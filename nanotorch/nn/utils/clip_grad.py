"""Gradient clipping, as ``torch.nn.utils``: scale by the total norm, or clamp each value."""
from __future__ import annotations

import math

from ..._creation import tensor
from ..._functions import stack
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of ``parameters`` in place so that their total norm is at most ``max_norm``.

    The total norm is the ``norm_type`` norm of all the gradients together, as
    if they were one vector (``inf``: the largest absolute value). Every
    gradient is multiplied by ``min(1, max_norm / (total + 1e-6))``.
    ``parameters`` is a tensor or an iterable of tensors; those without a
    gradient are skipped. Returns the total norm before clipping, a 0-d
    tensor. ``foreach`` is accepted for torch compatibility.

    >>> import nanotorch
    >>> p = nanotorch.nn.Parameter(nanotorch.tensor([3.0, 4.0]))
    >>> p.grad = nanotorch.tensor([3.0, 4.0])
    >>> nanotorch.nn.utils.clip_grad_norm_([p], max_norm=1.0)
    tensor(5.)
    >>> p.grad
    tensor([0.6000, 0.8000])
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    if norm_type == math.inf:
        norms = [g.abs().max() for g in grads]
        total = norms[0] if len(norms) == 1 else stack(norms).max()
    else:
        norms = [g.norm(norm_type) for g in grads]
        total = norms[0] if len(norms) == 1 else stack(norms).norm(norm_type)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return total


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``.

    ``parameters`` is a tensor or an iterable of tensors; those without a
    gradient are skipped. Returns None. ``foreach`` is accepted for torch
    compatibility.

    >>> import nanotorch
    >>> p = nanotorch.nn.Parameter(nanotorch.zeros(3))
    >>> p.grad = nanotorch.tensor([-2.0, 0.5, 3.0])
    >>> nanotorch.nn.utils.clip_grad_value_(p, 1.0)
    >>> p.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.clamp_(-clip_value, clip_value)
