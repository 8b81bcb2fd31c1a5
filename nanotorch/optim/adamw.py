"""AdamW: Adam with weight decay applied to the weights directly, not through the gradient."""
from __future__ import annotations

from .adam import Adam, _check_adam_args

__all__ = ["AdamW"]


class AdamW(Adam):
    """AdamW as ``torch.optim.AdamW``: each step first shrinks p <- p * (1 - lr * weight_decay),
    then takes the Adam step (see :class:`Adam`) without any L2 term in the gradient.

    >>> import nanotorch
    >>> w = nanotorch.nn.Parameter(nanotorch.tensor([1.0]))
    >>> opt = nanotorch.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * 3).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([0.8500], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
