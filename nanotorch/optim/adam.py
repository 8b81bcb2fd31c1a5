"""Adam: per-parameter step sizes from running averages of the gradient and its square."""
from __future__ import annotations

from .. import _dtype
from .._creation import zeros, zeros_like
from ..autograd.function import bump_version
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _count_step

__all__ = ["Adam"]


def _check_adam_args(lr, betas, eps, weight_decay):
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps < 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """Adam as ``torch.optim.Adam``. For each parameter p with gradient g, at step t:

    g <- g + weight_decay * p (L2 penalty; ``decoupled_weight_decay=True`` gives AdamW);
    m <- lerp(m, g, 1 - beta1); v <- beta2 * v + (1 - beta2) * g²;
    (``amsgrad``: v_max <- max(v_max, v), used instead of v);
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).

    >>> import nanotorch
    >>> w = nanotorch.nn.Parameter(nanotorch.tensor([1.0]))
    >>> opt = nanotorch.optim.Adam([w], lr=0.1)
    >>> (w * 3).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            maximize, decoupled = group["maximize"], group["decoupled_weight_decay"]
            for p in group["params"]:
                grad = p._grad  # parameters are leaves (checked when added): no property needed
                if grad is None:
                    continue
                state = self.state[p]
                if not state:
                    # on the CPU, as in torch: reading the count never waits for a GPU
                    state["step"] = zeros((), dtype=_dtype.float32, device="cpu")
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_like(p)
                step = _count_step(state["step"])
                max_sq = state["max_exp_avg_sq"]._data if amsgrad else None
                p._backend.adam_step(p._data, grad._data, state["exp_avg"]._data,
                                     state["exp_avg_sq"]._data, max_sq, step, lr, beta1, beta2,
                                     eps, weight_decay, amsgrad, maximize, decoupled)
                bump_version(p)
        return loss
