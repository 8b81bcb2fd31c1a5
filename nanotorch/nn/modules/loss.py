"""Loss functions as modules; each forwards to the function of the same job in ``functional``."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = F._legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: ``mean((input - target)²)`` (``reduction`` none/mean/sum).

    Shapes: input and target ``(*)`` -> scalar (``(*)`` with ``reduction='none'``).

    >>> import nanotorch
    >>> nanotorch.nn.MSELoss()(nanotorch.tensor([1.0, 3.0]), nanotorch.tensor([0.0, 0.0]))
    tensor(5.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: ``mean(|input - target|)``.

    Shapes: input and target ``(*)`` -> scalar (``(*)`` with ``reduction='none'``).

    >>> import nanotorch
    >>> nanotorch.nn.L1Loss()(nanotorch.tensor([1.0, -3.0]), nanotorch.tensor([0.0, 0.0]))
    tensor(2.)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: ``-w (y log p + (1 - y) log(1 - p))``, logs >= -100.

    Shapes: input p and target y ``(*)`` -> scalar (``(*)`` with ``reduction='none'``).

    >>> import nanotorch
    >>> nanotorch.nn.BCELoss()(nanotorch.tensor([0.5]), nanotorch.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from logits.

    ``pos_weight`` (broadcast along the last dim) weighs positive examples.
    Shapes: input and target ``(*)`` -> scalar (``(*)`` with ``reduction='none'``).

    >>> import nanotorch
    >>> nanotorch.nn.BCEWithLogitsLoss()(nanotorch.tensor([0.0]), nanotorch.tensor([1.0]))
    tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits against class indices or class probabilities.

    Shapes: input ``(N, C)`` / ``(N, C, d1, ...)`` / ``(C,)``; target int64
    ``(N,)`` / ``(N, d1, ...)`` / ``()`` or float of input's shape -> scalar
    (per element with ``reduction='none'``). See :func:`functional.cross_entropy`.

    >>> import nanotorch
    >>> loss = nanotorch.nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> loss(nanotorch.tensor([[2.0, 0.0]]), nanotorch.tensor([0]))
    tensor(0.2269)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at class indices.

    Shapes: input ``(N, C)`` / ``(N, C, d1, ...)`` / ``(C,)``; target int64
    ``(N,)`` / ``(N, d1, ...)`` / ``()`` -> scalar (per element with ``reduction='none'``).

    >>> import nanotorch
    >>> nanotorch.nn.NLLLoss()(nanotorch.tensor([[-0.5, -1.0]]), nanotorch.tensor([1]))
    tensor(1.)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)
