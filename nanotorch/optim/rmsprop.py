"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
from __future__ import annotations

from .. import _dtype
from .._creation import zeros, zeros_like
from ..autograd.function import bump_version
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _count_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop``. For each parameter p with gradient g:

    g <- g + weight_decay * p; v <- alpha * v + (1 - alpha) * g²;
    ``centered``: m <- lerp(m, g, 1 - alpha) and avg = sqrt(v - m²), else avg = sqrt(v);
    avg <- avg + eps; with momentum: buf <- momentum * buf + g / avg, p <- p - lr * buf;
    else p <- p - lr * g / avg.

    >>> import nanotorch
    >>> w = nanotorch.nn.Parameter(nanotorch.tensor([1.0]))
    >>> opt = nanotorch.optim.RMSprop([w], lr=0.01)
    >>> (w * 3).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if alpha < 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = (group["weight_decay"], group["momentum"],
                                                group["centered"])
            for p in group["params"]:
                grad = p._grad  # parameters are leaves (checked when added): no property needed
                if grad is None:
                    continue
                state = self.state[p]
                if not state:
                    # on the CPU, as in torch: reading the count never waits for a GPU
                    state["step"] = zeros((), dtype=_dtype.float32, device="cpu")
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if centered:
                        state["grad_avg"] = zeros_like(p)
                _count_step(state["step"])
                grad_avg = state["grad_avg"]._data if centered else None
                buf = state["momentum_buffer"]._data if momentum > 0 else None
                p._backend.rmsprop_step(p._data, grad._data, state["square_avg"]._data,
                                        grad_avg, buf, lr, alpha, eps, weight_decay, momentum,
                                        centered, group["maximize"])
                bump_version(p)
        return loss
