"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

from .._creation import zeros_like
from ..autograd.function import bump_version
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD as ``torch.optim.SGD``. For each parameter p with gradient g:

    g <- g + weight_decay * p; with momentum: buf <- momentum * buf + (1 - dampening) * g
    (buf <- g on the first step) and g <- g + momentum * buf (``nesterov``) or g <- buf;
    then p <- p - lr * g. ``maximize`` ascends instead.

    >>> import nanotorch
    >>> w = nanotorch.nn.Parameter(nanotorch.tensor([1.0]))
    >>> opt = nanotorch.optim.SGD([w], lr=0.1)
    >>> (w * 3).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([0.7000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = (group["weight_decay"], group["nesterov"],
                                                group["maximize"])
            for p in group["params"]:
                grad = p._grad  # parameters are leaves (checked when added): no property needed
                if grad is None:
                    continue
                buf, first_step = None, False
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = zeros_like(p)
                        first_step = True
                    buf = buf._data
                p._backend.sgd_step(p._data, grad._data, buf, lr, momentum, dampening,
                                    nesterov, weight_decay, maximize, first_step)
                bump_version(p)
        return loss
