"""Numerical stability: softmax, log_softmax, logsumexp, sigmoid, cross_entropy and
binary_cross_entropy_with_logits on float32 inputs up to +-1e4.

No NaN or inf in values or gradients, and both match a float64 numpy reference written in the
max-shifted form. The project's pytest config turns a RuntimeWarning raised from nanotorch into
an error, so an overflow inside any of these would fail the test even if it were masked later.
"""
import numpy as np
import pytest

import nanotorch as T
from nanotorch.nn import functional as F

EPS32 = np.finfo(np.float32).eps


def _extreme_logits(seed=0):
    """(6, 5) float32 logits: random in [-1e4, 1e4] plus rows of ties, lone giants and dwarfs."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1e4, 1e4, size=(6, 5))
    x[1] = 1e4
    x[2] = -1e4
    x[3] = [1e4, -1e4, 0.0, 1e4 - 1, -1e4 + 1]
    x[4] = [1e4, 0.5, -0.5, 1.0, 0.0]
    x[5] = [-1e4, -1e4 + 0.5, -1e4 + 2, -1e4 + 1, -1e4 + 3]
    return x.astype(np.float32)


def _shifted(x):
    return x - x.max(axis=1, keepdims=True)


def _softmax64(x):
    e = np.exp(_shifted(x))
    return e / e.sum(axis=1, keepdims=True)


def _lse64(x):
    return x.max(axis=1) + np.log(np.exp(_shifted(x)).sum(axis=1))


def _sigmoid64(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _tolerances(x):
    # float32 keeps about 7 digits: x - max(x) is only exact to an ulp of |x| (1e-3 at 1e4), so
    # log-scale outputs get an absolute slack of a few such ulps; probabilities a relative one.
    return dict(rtol=1e-4, atol=4 * EPS32 * max(1.0, float(np.abs(x).max())))


# Each case: nanotorch fn(x) -> tensor, reference value fn(x64), reference gradient of
# sum(w * fn(x)) w.r.t. x as fn(x64, w64).
def _ce_target():
    return np.array([0, 1, 2, 3, 4, 0])


CASES = {
    "softmax": (lambda x: T.softmax(x, dim=1), _softmax64,
                lambda x, w: _softmax64(x) * (w - (w * _softmax64(x)).sum(1, keepdims=True))),
    "log_softmax": (lambda x: T.log_softmax(x, dim=1), lambda x: x - _lse64(x)[:, None],
                    lambda x, w: w - _softmax64(x) * w.sum(1, keepdims=True)),
    "logsumexp": (lambda x: T.logsumexp(x, dim=1), _lse64,
                  lambda x, w: w[:, None] * _softmax64(x)),
    "F.softmax": (lambda x: F.softmax(x, dim=1), _softmax64,
                  lambda x, w: _softmax64(x) * (w - (w * _softmax64(x)).sum(1, keepdims=True))),
    "sigmoid": (lambda x: x.sigmoid(), _sigmoid64,
                lambda x, w: w * _sigmoid64(x) * (1 - _sigmoid64(x))),
    "F.sigmoid": (lambda x: F.sigmoid(x), _sigmoid64,
                  lambda x, w: w * _sigmoid64(x) * (1 - _sigmoid64(x))),
    "cross_entropy": (
        lambda x: F.cross_entropy(x, T.tensor(_ce_target())),
        lambda x: np.mean(_lse64(x) - x[np.arange(6), _ce_target()]),
        lambda x, w: w * (_softmax64(x) - np.eye(5)[_ce_target()]) / 6),
    "cross_entropy_none": (
        lambda x: F.cross_entropy(x, T.tensor(_ce_target()), reduction="none"),
        lambda x: _lse64(x) - x[np.arange(6), _ce_target()],
        lambda x, w: w[:, None] * (_softmax64(x) - np.eye(5)[_ce_target()])),
    "cross_entropy_probabilities": (
        lambda x: F.cross_entropy(x, T.full((6, 5), 0.2)),
        lambda x: np.mean(_lse64(x) - x.mean(1)),
        lambda x, w: w * (_softmax64(x) - 0.2) / 6),
    "bce_with_logits": (
        lambda x: F.binary_cross_entropy_with_logits(x, T.tensor(_bce_target())),
        lambda x: np.mean(np.maximum(x, 0) - x * _bce_target() + np.log1p(np.exp(-np.abs(x)))),
        lambda x, w: w * (_sigmoid64(x) - _bce_target()) / x.size),
    "bce_with_logits_none": (
        lambda x: F.binary_cross_entropy_with_logits(x, T.tensor(_bce_target()),
                                                     reduction="none"),
        lambda x: np.maximum(x, 0) - x * _bce_target() + np.log1p(np.exp(-np.abs(x))),
        lambda x, w: w * (_sigmoid64(x) - _bce_target())),
}


def _bce_target():
    return (np.arange(30).reshape(6, 5) % 3 == 0).astype(np.float32)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_extreme_float32_inputs_stay_finite_and_exact(name, seed):
    fn, ref_value, ref_grad = CASES[name]
    x_np = _extreme_logits(seed)
    x = T.tensor(x_np, requires_grad=True)
    out = fn(x)
    assert out.dtype == T.float32
    got = out.detach().numpy()
    assert np.isfinite(got).all(), got
    x64 = x_np.astype(np.float64)
    np.testing.assert_allclose(got, ref_value(x64), **_tolerances(x_np))

    w_np = np.random.default_rng(seed + 10).uniform(0.5, 1.5, size=got.shape).astype(np.float32)
    (out * T.tensor(w_np)).sum().backward()
    grad = x.grad.numpy()
    assert grad.dtype == np.float32
    assert np.isfinite(grad).all(), grad
    # Gradients through exp(x - logsumexp(x)) inherit the float32 rounding of the logsumexp
    # (an ulp of 1e4 is 1e-3), as torch's do: a relative slack of a few such ulps.
    expected = ref_grad(x64, w_np.astype(np.float64))
    slack = 4 * EPS32 * max(1.0, float(np.abs(x_np).max()))
    np.testing.assert_allclose(grad, expected, rtol=slack,
                               atol=slack * max(1.0, float(np.abs(expected).max())))


@pytest.mark.parametrize("value", [1e4, -1e4, 88.8, -88.8, 100.0, -104.0])
def test_sigmoid_saturates_without_overflow(value):
    x = T.tensor([value], dtype=T.float32, requires_grad=True)
    s = x.sigmoid()
    s.sum().backward()
    expected = float(_sigmoid64(np.array([value]))[0])
    assert s.item() == pytest.approx(expected, rel=1e-6, abs=1e-30)
    assert np.isfinite(x.grad.numpy()).all()
    assert 0.0 <= x.grad.item() <= 0.25


def test_logsumexp_of_all_minus_inf_rows_is_minus_inf_not_nan():
    x = T.tensor([[-np.inf, -np.inf], [0.0, -np.inf]])
    assert T.logsumexp(x, dim=1).tolist() == [-np.inf, 0.0]


def test_softmax_of_opposite_extremes_is_exactly_one_hot():
    row = T.tensor([[1e4, 0.0, -1e4]], dtype=T.float32, requires_grad=True)
    p = T.softmax(row, dim=1)
    assert p.tolist() == [[1.0, 0.0, 0.0]]
    (p * T.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert row.grad.tolist() == [[0.0, 0.0, 0.0]]


def test_cross_entropy_of_a_confident_wrong_answer_is_the_logit_gap():
    logits = T.tensor([[1e4, -1e4]], requires_grad=True)
    loss = F.cross_entropy(logits, T.tensor([1]))
    assert loss.item() == pytest.approx(2e4)
    loss.backward()
    assert logits.grad.tolist() == [[1.0, -1.0]]


@pytest.mark.parametrize("dtype,big", [(T.float64, 1e17), (T.float32, 3e5)])
def test_log_softmax_subtracts_the_max_before_the_log(cpu_backend, dtype, big):
    """torch's order, (x - max) - log(sum(exp(x - max))): x - (max + log(sum)) rounds log(2)
    away when max is large (0 instead of -0.693 at 1e17 in float64)."""
    x = T.tensor([[big, big, 0.0]], dtype=dtype)
    assert x.log_softmax(1)[0, :2].tolist() == pytest.approx([-np.log(2)] * 2, rel=1e-6)
    loss = F.cross_entropy(T.tensor([[1e4, 1e4, 0.0]]), T.tensor([0]))
    assert loss.item() == pytest.approx(np.log(2), rel=1e-6)


def test_log_softmax_of_a_row_with_plus_inf_or_only_minus_inf_is_nan(cpu_backend):
    inf = np.inf
    out = T.tensor([[inf, 1.0, 2.0], [-inf, -inf, -inf], [-inf, 0.0, -inf]]).log_softmax(1)
    assert np.isnan(out[:2].numpy()).all()
    assert out[2].tolist() == [-inf, 0.0, -inf]
    assert T.tensor([[inf, 1.0]]).logsumexp(1).tolist() == [inf]  # logsumexp keeps its inf


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_dim_is_empty(cpu_backend, name):
    for dim in (0, 1):
        out = getattr(T.zeros(0, 3), name)(dim)
        assert out.shape == (0, 3) and out.dtype == T.float32


def test_logsumexp_over_an_empty_dim_is_minus_inf(cpu_backend):
    assert T.zeros(3, 0).logsumexp(1).tolist() == [-np.inf] * 3
    assert T.zeros(2, 0, 3).logsumexp((0, 1)).tolist() == [-np.inf] * 3
    assert T.zeros(2, 0, 3).logsumexp(-2, keepdim=True).shape == (2, 1, 3)


@pytest.mark.parametrize("size", [1, 2000], ids=["small", "large"])  # numba: its loop, numpy's
def test_sigmoid_underflows_as_torch_does(cpu_backend, size):
    """exp(-x) overflowing to inf gives exactly 0, and just below that the true tiny value
    (a cap on -x gave 8e-39 at -1000 and at -88, where torch gives 0 and 6.05e-39)."""
    for dtype in (T.float32, T.float64):
        assert T.full((size,), -1000.0, dtype=dtype).sigmoid()[0].item() == 0.0
    assert T.full((size,), -88.0).sigmoid()[0].item() == pytest.approx(6.0546e-39, rel=1e-4)
