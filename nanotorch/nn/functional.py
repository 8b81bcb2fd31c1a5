"""``nanotorch.nn.functional``: the layers and losses of ``nn`` as plain functions.

Every function composes differentiable tensor ops (or one fused op from
``nanotorch.ops.nn``); none computes a derivative itself. The file is
sectioned by topic (linear, activations, dropout, losses); a new topic
(embedding, pooling, convolution) gets its own section.

>>> import nanotorch
>>> import nanotorch.nn.functional as F
>>> F.relu(nanotorch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype
from ..ops import nn as _nn_ops
from ..ops._util import broadcast_shapes, scalar_type_name
from ..ops.elementwise import LeakyRelu, Where
from ..ops.index import Gather
from ..tensor import Tensor

__all__ = [
    "linear", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "elu", "softplus",
    "hardtanh", "relu6", "logsigmoid", "mish", "softmax", "log_softmax",
    "dropout", "normalize", "cosine_similarity", "one_hot", "mse_loss", "l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
]


# --- linear ------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``.

    Shapes: input ``(*, in)``, weight ``(out, in)``, bias ``(out,)`` or None
    -> ``(*, out)``; a 1-D weight ``(in,)`` gives ``(*)``, as torch.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.linear(nanotorch.ones(2, 3), nanotorch.ones(4, 3), nanotorch.zeros(4)).shape
    nanotorch.Size([2, 4])
    """
    if bias is None and weight.ndim == 1:  # a vector of weights: one dot product per row
        return input.matmul(weight)
    return _nn_ops.Linear.apply(input, weight, bias)


# --- activations ---------------------------------------------------------------------
def relu(input, inplace=False):
    """max(x, 0) elementwise; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.relu(nanotorch.tensor([-1.0, 0.5]))
    tensor([0.0000, 0.5000])
    """
    return input.relu_() if inplace else input.relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else ``negative_slope * x``; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.leaky_relu(nanotorch.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    if not input.is_floating_point():  # torch's own error type for a kernel it has no dtype of
        raise NotImplementedError(f'"leaky_relu_cpu" not implemented for '
                                  f"'{scalar_type_name(input.dtype)}'")
    out = LeakyRelu.apply(input, negative_slope)
    return input.copy_(out) if inplace else out


def sigmoid(input):
    """1 / (1 + exp(-x)) elementwise; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.sigmoid(nanotorch.tensor([0.0]))
    tensor([0.5000])
    """
    return input.sigmoid()


def tanh(input):
    """Hyperbolic tangent elementwise; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.tanh(nanotorch.tensor([0.0]))
    tensor([0.])
    """
    return input.tanh()


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi: the standard normal CDF); ``approximate='tanh'`` uses the tanh formula.

    Shapes: any -> the same.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.gelu(nanotorch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8413])
    """
    if approximate == "none":
        return input * 0.5 * (1 + _nn_ops.Erf.apply(input * (1 / math.sqrt(2))))
    if approximate == "tanh":
        inner = (input + 0.044715 * input * input * input) * math.sqrt(2 / math.pi)
        return 0.5 * input * (1 + inner.tanh())
    raise RuntimeError("approximate argument must be either none or tanh.")


def _in_place(input, fn):
    """``input`` overwritten with ``fn`` of it, for an activation's ``inplace=True``: computed
    from a copy, so the input that backward reads is not the one overwritten."""
    return input.copy_(fn(input.clone()))


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish); any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.silu(nanotorch.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.2689,  0.0000,  1.7616])
    """
    if inplace:
        return _in_place(input, silu)
    return input * input.sigmoid()


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else ``alpha * (exp(x) - 1)``; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.elu(nanotorch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    if inplace:
        return _in_place(input, lambda x: elu(x, alpha))
    # exp of the clamped input only: where x > 0 the unused branch stays finite (no inf * 0)
    return Where.apply(input > 0, input, input.clamp(max=0).expm1() * alpha)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, a smooth relu; x itself where beta x > threshold. Any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.softplus(nanotorch.tensor([0.0, 30.0]))
    tensor([ 0.6931, 30.0000])
    """
    return _nn_ops.Softplus.apply(input, beta, threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x limited to [min_val, max_val]; gradient 1 strictly inside, 0 elsewhere. Any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.hardtanh(nanotorch.tensor([-3.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if inplace:
        return _in_place(input, lambda x: hardtanh(x, min_val, max_val))
    inside = (input > min_val) & (input < max_val)  # torch's gradient is 0 at the bounds
    return Where.apply(inside, input, input.detach().clamp(min_val, max_val))


def relu6(input, inplace=False):
    """min(max(x, 0), 6): ``hardtanh(x, 0, 6)``; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.relu6(nanotorch.tensor([-1.0, 3.0, 9.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), finite for any x; any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.logsigmoid(nanotorch.tensor([0.0, -100.0]))
    tensor([  -0.6931, -100.0000])
    """
    return -softplus(-input)


def mish(input, inplace=False):
    """x * tanh(softplus(x)); any shape.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.mish(nanotorch.tensor([-1.0, 1.0]))
    tensor([-0.3034,  0.8651])
    """
    if inplace:
        return _in_place(input, mish)
    return input * softplus(input).tanh()


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``; same shape as input.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.softmax(nanotorch.tensor([[0.0, 0.0]]), dim=1)
    tensor([[0.5000, 0.5000]])
    """
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return input.softmax(dim, dtype)


def log_softmax(input, dim=None, dtype=None):
    """x - logsumexp(x) along ``dim``; same shape as input.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.log_softmax(nanotorch.tensor([[0.0, 0.0]]), dim=1)
    tensor([[-0.6931, -0.6931]])
    """
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return input.log_softmax(dim, dtype)


# --- dropout ---------------------------------------------------------------------------
def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training only).

    Shapes: any -> the same.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> x = nanotorch.ones(4)
    >>> F.dropout(x, 0.5, training=False) is x
    True
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from ..random import default_generator
    backend = input._backend
    keep = default_generator.random(input._data.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._wrap(backend.from_numpy((keep * scale).astype(input._data.dtype)), backend)
    out = input * mask
    return input.copy_(out) if inplace else out


# --- similarity ------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12):
    """``input`` divided by its ``p``-norm along ``dim``, kept at least ``eps``: unit vectors.

    Shapes: any -> the same.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.normalize(nanotorch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
    """
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim``: the lecture's dot product of
    unit vectors, each norm kept at least ``eps`` (torch's formula).

    Shapes: ``x1`` and ``x2`` broadcast together to ``(*)`` -> ``(*)`` without ``dim``.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.cosine_similarity(nanotorch.tensor([[1.0, 0.0]]), nanotorch.tensor([[1.0, 1.0], [0.0, 2.0]]))
    tensor([0.7071, 0.0000])
    """
    shape = broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = _at_least(x1.norm(2, dim, keepdim=True), eps)
    n2 = _at_least(x2.norm(2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _at_least(norm, eps):
    """``norm`` raised to ``eps`` where it is smaller, keeping the norm's own gradient: torch
    clamps the norm in place outside autograd, so a clamped norm still passes its gradient."""
    kept = norm.detach()
    return norm + (kept.clamp_min(eps) - kept)


def one_hot(tensor, num_classes=-1):
    """Integer class indices ``(*)`` -> int64 one-hot rows ``(*, num_classes)``.

    ``num_classes=-1`` uses ``tensor.max() + 1``.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.one_hot(nanotorch.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    if tensor.dtype != _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max()) + 1
    elif tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    from .._creation import arange
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# --- losses ---------------------------------------------------------------------------
_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average, reduce, reduction):
    """torch's pre-1.0 ``size_average`` / ``reduce`` flags, folded into ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='{}' instead.".format(
                      "mean" if (size_average is not False and reduce is not False)
                      else ("sum" if reduce is not False else "none")), stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Squared error (x - y)², reduced by ``reduction``.

    Shapes: input and target ``(*)`` (broadcast with a warning) -> scalar, or
    ``(*)`` for ``reduction='none'``.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.mse_loss(nanotorch.tensor([1.0, 3.0]), nanotorch.tensor([0.0, 0.0]))
    tensor(5.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Absolute error ``|x - y|``, reduced by ``reduction``; shapes as :func:`mse_loss`.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.l1_loss(nanotorch.tensor([1.0, -3.0]), nanotorch.tensor([0.0, 0.0]))
    tensor(2.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (y log p + (1 - y) log(1 - p)) for probabilities p, each log clamped at -100.

    Shapes: input p and target y ``(*)`` (the same), weight broadcastable to
    them -> scalar, or ``(*)`` for ``reduction='none'``.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.binary_cross_entropy(nanotorch.tensor([0.5]), nanotorch.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is None:  # the kernel checks that input holds probabilities, as torch does
        return _nn_ops.BinaryCrossEntropy.apply(input, target, reduction)
    return _reduce(_nn_ops.BinaryCrossEntropy.apply(input, target) * weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    ``pos_weight`` (broadcast along the last dim) multiplies the loss of the
    positive examples. Shapes: input and target ``(*)`` (the same) ->
    scalar, or ``(*)`` for ``reduction='none'``.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(nanotorch.tensor([100.0]), nanotorch.tensor([0.0]))
    tensor(100.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    loss = _nn_ops.BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _class_weight_view(weight, ndim):
    """A class-weight vector shaped to broadcast along dim 1 of an ``ndim``-dim input."""
    return weight.reshape((-1,) + (1,) * (ndim - 2)) if ndim >= 2 else weight


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood: ``-w[y] * input[n, y]`` for class indices y.

    Shapes: input ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``; target int64
    ``(N,)``, ``(N, d1, ...)`` or ``()``; weight ``(C,)``. Targets equal to
    ``ignore_index`` count for nothing. ``reduction='mean'`` divides by the
    summed weights of the counted targets.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> logp = nanotorch.tensor([[-0.1, -2.0], [-3.0, -0.2]])
    >>> F.nll_loss(logp, nanotorch.tensor([0, 1]))
    tensor(0.1500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    unbatched = input.ndim == 1
    if unbatched:
        if target.ndim != 0:
            raise RuntimeError("1D target tensor expected, multi-target not supported")
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    if target.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype.name.capitalize()}")
    if input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if tuple(input.shape[2:]) != tuple(target.shape[1:]):
        raise RuntimeError(f"size mismatch (got input: {input.shape}, target: {target.shape})")
    classes = input.shape[1]
    ignored = target == ignore_index
    any_ignored = bool(ignored.any())
    safe = target.masked_fill(ignored, 0) if any_ignored else target
    if safe.numel() and (int(safe.min()) < 0 or int(safe.max()) >= classes):
        raise IndexError(f"Target {int(safe.max()) if int(safe.max()) >= classes else int(safe.min())}"
                         f" is out of bounds.")
    # the op itself: Tensor.gather would check the range again (on a GPU, two more waits)
    picked = -Gather.apply(input, 1, safe.unsqueeze(1)).squeeze(1)
    if any_ignored:  # an ignored row counts for nothing, even over an inf (inf * 0 is nan)
        picked = picked.masked_fill(ignored, 0.0)
    w = None
    if weight is not None:
        w = weight[safe]
    if any_ignored:
        keep = (~ignored).to(input.dtype)
        w = keep if w is None else w * keep
    loss = picked if w is None else picked * w
    if reduction == "none":
        return loss.squeeze(0) if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if w is None else loss.sum() / w.sum()


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits and targets: ``nll_loss(log_softmax(input, 1), target)``.

    Shapes: input ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``. Target either
    class indices (int64, ``(N,)`` / ``(N, d1, ...)`` / ``()``; ``ignore_index``
    applies) or class probabilities (float, the shape of input).
    ``label_smoothing`` mixes the target with the uniform distribution.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> logits = nanotorch.tensor([[2.0, 0.0], [0.0, 2.0]])
    >>> F.cross_entropy(logits, nanotorch.tensor([0, 1]))
    tensor(0.1269)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = input.log_softmax(class_dim)
    classes = input.shape[class_dim]
    w = None if weight is None else _class_weight_view(weight, input.ndim)
    if target.is_floating_point():
        if target.shape != input.shape:
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        picked = logp * target if w is None else logp * target * w
        if reduction == "none":
            return -picked.sum(class_dim)
        if reduction == "sum":
            return -picked.sum()
        return -picked.sum() / (input.numel() // max(classes, 1))
    loss = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0:
        return loss
    smooth = -(logp if w is None else logp * w).sum(class_dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / (~ignored).sum()
        else:
            smooth = smooth.sum() / weight[target.masked_fill(ignored, 0)].masked_fill(
                ignored, 0).sum()
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)


# --- embedding, convolution, pooling: argument checks and ops live in nanotorch/ops ----------
from ..ops.embedding import embedding  # noqa: E402
from ..ops.padding import pad  # noqa: E402
from ..ops.conv import conv1d, conv2d  # noqa: E402
from ..ops.pooling import (adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d,  # noqa: E402
                           avg_pool2d, max_pool1d, max_pool2d)

__all__ += [
    "embedding", "pad", "conv1d", "conv2d", "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d",
    "adaptive_avg_pool1d", "adaptive_max_pool1d",
]
