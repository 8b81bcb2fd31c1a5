"""Losses against their formulas (numpy), module against functional, gradients by gradcheck."""
import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch import nn
from nanotorch.ops.nn import BinaryCrossEntropy, BinaryCrossEntropyWithLogits

from helpers import assert_close, check_grads, leaf, uniform

REDUCE = {"none": lambda a: a, "mean": np.mean, "sum": np.sum}


def log_softmax_np(a, axis):
    m = a.max(axis, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(axis, keepdims=True))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_mse_l1(reduction):
    x, y = leaf(uniform((3, 4), seed=1)), leaf(uniform((3, 4), seed=2), False)
    a, b = x.detach().numpy(), y.numpy()
    for module, fn, expected in [(nn.MSELoss, F.mse_loss, (a - b) ** 2),
                                 (nn.L1Loss, F.l1_loss, np.abs(a - b))]:
        assert_close(module(reduction=reduction)(x, y), REDUCE[reduction](expected))
        assert_close(fn(x, y, reduction=reduction), REDUCE[reduction](expected))
    check_grads(lambda t: F.mse_loss(t, y, reduction=reduction), x)


def test_mse_warns_on_broadcast_and_rejects_bad_reduction():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(nanotorch.zeros(3, 1), nanotorch.zeros(3))
    with pytest.raises(ValueError, match="elementwise is not a valid value for reduction"):
        F.mse_loss(nanotorch.zeros(3), nanotorch.zeros(3), reduction="elementwise")
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert F.l1_loss(nanotorch.ones(2), nanotorch.zeros(2), size_average=False).item() == 2


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce(reduction, weighted):
    p = leaf(uniform((4, 3), 0.05, 0.95, seed=3))
    y = leaf((uniform((4, 3), seed=4) > 0).astype(float), False)
    w = leaf(uniform((3,), 0.5, 2, seed=5), False) if weighted else None
    a, b, c = p.detach().numpy(), y.numpy(), w.numpy() if weighted else 1.0
    expected = -c * (b * np.log(a) + (1 - b) * np.log(1 - a))
    assert_close(nn.BCELoss(weight=w, reduction=reduction)(p, y), REDUCE[reduction](expected))
    assert_close(F.binary_cross_entropy(p, y, w, reduction=reduction), REDUCE[reduction](expected))
    check_grads(lambda t: F.binary_cross_entropy(t, y, w, reduction=reduction), p)


def test_bce_clamps_logs_at_minus_100_and_checks_inputs():
    p = nanotorch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = nanotorch.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, y, reduction="none")
    assert loss.tolist() == [100.0, 100.0, 0.0, 0.0]
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all()
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(nanotorch.full((3, 1), 0.5), nanotorch.zeros(3))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(nanotorch.tensor([1.5]), nanotorch.tensor([1.0]))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce_op_gradients_in_both_arguments(reduction):
    p = leaf(uniform((2, 3), 0.1, 0.9, seed=6))
    y = leaf(uniform((2, 3), 0.0, 1.0, seed=7))
    check_grads(lambda p, y: BinaryCrossEntropy.apply(p, y, reduction), p, y, second=True)


def test_bce_backward_sees_an_input_changed_in_place_after_the_forward():
    p = nanotorch.full((3,), 0.5, requires_grad=True)
    q = p * 1.0
    loss = F.binary_cross_entropy(q, nanotorch.ones(3))
    with nanotorch.no_grad():
        q.mul_(0.5)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_bce_of_an_empty_batch_is_nan_with_an_empty_gradient_like_torch():
    p = nanotorch.zeros(0, requires_grad=True)
    loss = F.binary_cross_entropy(p, nanotorch.zeros(0))
    assert loss.isnan().item()
    loss.backward()
    assert p.grad.shape == (0,)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce_with_logits(reduction):
    x = leaf(uniform((4, 3), -4, 4, seed=8))
    y = leaf((uniform((4, 3), seed=9) > 0).astype(float), False)
    pw = leaf(uniform((3,), 0.5, 3, seed=10), False)
    a, b, c = x.detach().numpy(), y.numpy(), pw.numpy()
    s = 1 / (1 + np.exp(-a))
    plain = -(b * np.log(s) + (1 - b) * np.log(1 - s))
    weighted = -(c * b * np.log(s) + (1 - b) * np.log(1 - s))
    assert_close(nn.BCEWithLogitsLoss(reduction=reduction)(x, y), REDUCE[reduction](plain))
    assert_close(F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction=reduction),
                 REDUCE[reduction](weighted))
    assert_close(nn.BCEWithLogitsLoss(pos_weight=pw, reduction=reduction)(x, y),
                 REDUCE[reduction](weighted))
    # BCE with logits equals BCE of the sigmoid where the latter is accurate
    assert_close(F.binary_cross_entropy_with_logits(x, y, reduction=reduction),
                 F.binary_cross_entropy(x.sigmoid(), y, reduction=reduction).detach().numpy())


def test_bce_with_logits_is_stable_and_exact_at_zero():
    x = nanotorch.tensor([1000.0, -1000.0, 1000.0, -1000.0, 0.0], requires_grad=True)
    y = nanotorch.tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert loss.tolist() == pytest.approx([0.0, 0.0, 1000.0, 1000.0, np.log(2)])
    loss.sum().backward()
    # d/dx = sigmoid(x) - y, also at x = 0 where abs and relu have kinks
    assert x.grad.tolist() == pytest.approx([0.0, 0.0, 1.0, -1.0, -0.5])
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(nanotorch.zeros(3, 1), nanotorch.zeros(3))


def test_bce_with_logits_op_gradients_in_all_arguments():
    x = leaf(uniform((2, 3), -3, 3, seed=11))
    y = leaf(uniform((2, 3), 0, 1, seed=12))
    pw = leaf(uniform((3,), 0.5, 2, seed=13))
    check_grads(BinaryCrossEntropyWithLogits.apply, x, y, pw)
    check_grads(lambda x, y: BinaryCrossEntropyWithLogits.apply(x, y, None), x, y)


def nll_np(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """The reference: logp (N, C, *d), target (N, *d)."""
    n_classes = logp.shape[1]
    w = np.ones(n_classes) if weight is None else weight
    moved = np.moveaxis(logp, 1, -1).reshape(-1, n_classes)
    t = target.reshape(-1)
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    wt = w[safe] * keep
    losses = -moved[np.arange(len(t)), safe] * wt
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / wt.sum()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 2)])
def test_nll_and_cross_entropy_with_indices(reduction, shape):
    logits = leaf(uniform(shape, seed=14))
    target_shape = (shape[0],) + shape[2:]
    target = np.random.default_rng(15).integers(0, shape[1], target_shape)
    target.reshape(-1)[:2] = -100  # ignored
    t = nanotorch.tensor(target)
    w = leaf(uniform((shape[1],), 0.5, 2, seed=16), False)
    logp = log_softmax_np(logits.detach().numpy(), 1)
    for weight in (None, w):
        wn = None if weight is None else weight.numpy()
        expected = nll_np(logp, target, wn, reduction=reduction)
        assert_close(F.cross_entropy(logits, t, weight, reduction=reduction), expected)
        assert_close(nn.CrossEntropyLoss(weight, reduction=reduction)(logits, t), expected)
        assert_close(F.nll_loss(logits.log_softmax(1), t, weight, reduction=reduction), expected)
        assert_close(nn.NLLLoss(weight, reduction=reduction)(logits.log_softmax(1), t), expected)
    check_grads(lambda x: F.cross_entropy(x, t, w, reduction=reduction), logits)


def test_cross_entropy_ignore_index_and_unbatched():
    logits = leaf(uniform((4, 3), seed=17))
    t = nanotorch.tensor([0, 2, 1, 2])
    logp = log_softmax_np(logits.detach().numpy(), 1)
    assert_close(F.cross_entropy(logits, t, ignore_index=2),
                 -(logp[0, 0] + logp[2, 1]) / 2)
    assert_close(F.cross_entropy(logits[1], t[1]), -logp[1, 2])
    assert_close(F.cross_entropy(logits[1], t[1], reduction="none"), -logp[1, 2])
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(logits, nanotorch.tensor([0, 3, 1, 2]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target "
                                         r"batch_size \(2\)"):
        F.cross_entropy(logits, nanotorch.tensor([0, 1]))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_with_probabilities_and_smoothing(reduction):
    logits = leaf(uniform((4, 3, 2), seed=18))
    probs = np.random.default_rng(19).dirichlet(np.ones(3), size=(4, 2)).transpose(0, 2, 1)
    target = leaf(probs, False)
    w = leaf(uniform((3,), 0.5, 2, seed=20), False)
    logp = log_softmax_np(logits.detach().numpy(), 1)
    wv = w.numpy().reshape(1, 3, 1)
    for ls in (0.0, 0.2):
        smoothed = probs * (1 - ls) + ls / 3
        per = -(logp * smoothed * wv).sum(1)
        expected = {"none": per, "sum": per.sum(), "mean": per.sum() / 8}[reduction]
        assert_close(F.cross_entropy(logits, target, w, reduction=reduction, label_smoothing=ls),
                     expected)
    check_grads(lambda x: F.cross_entropy(x, target, reduction=reduction, label_smoothing=0.1),
                logits)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_label_smoothing_with_indices(reduction):
    logits = leaf(uniform((5, 4), seed=21))
    target = np.array([0, 3, -100, 1, 2])
    t = nanotorch.tensor(target)
    w = leaf(uniform((4,), 0.5, 2, seed=22), False)
    logp = log_softmax_np(logits.detach().numpy(), 1)
    ls = 0.3
    for weight in (None, w):
        wn = np.ones(4) if weight is None else weight.numpy()
        keep = target != -100
        nll = nll_np(logp, target, wn, reduction=reduction)
        smooth = -(logp * wn).sum(1) * keep
        if reduction == "mean":
            smooth = smooth.sum() / wn[np.where(keep, target, 0)][keep].sum()
        elif reduction == "sum":
            smooth = smooth.sum()
        expected = (1 - ls) * nll + smooth * ls / 4
        assert_close(F.cross_entropy(logits, t, weight, reduction=reduction, label_smoothing=ls),
                     expected)
    check_grads(lambda x: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=ls),
                logits)


def test_losses_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(23)
    logits = rng.normal(size=(6, 5))
    target = np.array([0, 4, 2, -100, 1, 1])
    weight = rng.uniform(0.5, 2, 5)
    ours = F.cross_entropy(nanotorch.tensor(logits), nanotorch.tensor(target),
                           nanotorch.tensor(weight), label_smoothing=0.1)
    theirs = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target),
                                               torch.tensor(weight), label_smoothing=0.1)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
    x, y = rng.normal(size=(4, 3)) * 30, (rng.uniform(size=(4, 3)) > 0.5) * 1.0
    pw = rng.uniform(0.5, 2, 3)
    ours = F.binary_cross_entropy_with_logits(nanotorch.tensor(x), nanotorch.tensor(y),
                                              pos_weight=nanotorch.tensor(pw))
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(x), torch.tensor(y), pos_weight=torch.tensor(pw))
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)


def test_one_hot():
    assert F.one_hot(nanotorch.tensor([0, 2, 1])).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    out = F.one_hot(nanotorch.tensor([[1], [0]]), 4)
    assert out.shape == (2, 1, 4) and out.dtype == nanotorch.int64
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(nanotorch.tensor([3]), 2)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(nanotorch.tensor([-1]), 2)
    with pytest.raises(RuntimeError, match="index tensor"):
        F.one_hot(nanotorch.tensor([1.0]), 2)


def test_ignored_targets_count_for_nothing_even_over_infinite_logits():
    """A masked logit (-inf) in a padding row whose target is ignored: torch's loss and
    gradient as if the row were absent (0 * inf would make them nan)."""
    inf = float("inf")
    x = nanotorch.tensor([[-inf, 0.0, 1.0], [0.5, 0.2, 0.1]], requires_grad=True)
    loss = F.cross_entropy(x, nanotorch.tensor([-100, 1]))
    assert loss.item() == pytest.approx(1.1801, abs=1e-4)
    loss.backward()
    assert x.grad[0].tolist() == [0.0, 0.0, 0.0] and np.isfinite(x.grad.numpy()).all()
    assert F.nll_loss(nanotorch.tensor([[inf, 0.0], [0.5, 0.2]]),
                      nanotorch.tensor([-100, 1])).item() == pytest.approx(-0.2)


def test_mean_over_only_ignored_targets_is_nan_with_a_zero_gradient():
    x = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = F.cross_entropy(x, nanotorch.tensor([-100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    assert x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
