"""Gradients through ``nanotorch.array_api``: the new ops, every differentiable function of
the namespace, and functions written only against the standard, checked with gradcheck."""
import math

import numpy as np
import pytest

import nanotorch
from nanotorch import array_api as xp
from nanotorch.array_api import _ops as O
from nanotorch.autograd import gradcheck, gradgradcheck

from helpers import assert_close, away_from, distinct, leaf, uniform


# --- the ops this package adds: forward against numpy, gradcheck on broadcasting shapes --------
@pytest.mark.parametrize("op,numpy_fn,lo,hi", [
    (O.Acosh, np.arccosh, 1.2, 3.0), (O.Asinh, np.arcsinh, -2.0, 2.0),
    (O.Atanh, np.arctanh, -0.8, 0.8),
])
def test_new_maps(op, numpy_fn, lo, hi):
    a = uniform((2, 3), lo, hi)
    assert_close(op.apply(leaf(a)), numpy_fn(a))
    assert gradcheck(op.apply, (leaf(a),))
    assert gradgradcheck(op.apply, (leaf(a),))


@pytest.mark.parametrize("op,numpy_fn", [(O.Hypot, np.hypot), (O.LogAddExp, np.logaddexp),
                                         (O.Copysign, np.copysign)])
def test_new_zips_broadcast(op, numpy_fn):
    a = away_from(uniform((2, 1, 3), seed=1), [0.0])
    b = away_from(uniform((4, 1), seed=2), [0.0])
    assert_close(op.apply(leaf(a), leaf(b)), numpy_fn(a, b))
    assert gradcheck(op.apply, (leaf(a), leaf(b, requires_grad=op is not O.Copysign)))
    assert gradgradcheck(op.apply, (leaf(a), leaf(b, requires_grad=op is not O.Copysign)))


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("axis", [0, 1])
def test_cumprod(zeros, axis):
    a = uniform((3, 4), 0.5, 1.5, seed=3)
    if zeros:
        a[1, 1] = a[2, 0] = a[0, 3] = 0.0
    assert_close(O.CumProd.apply(leaf(a), axis), np.cumprod(a, axis=axis))
    assert gradcheck(lambda t: O.CumProd.apply(t, axis), (leaf(a),))
    assert gradgradcheck(lambda t: O.CumProd.apply(t, axis), (leaf(a),))


def _well_conditioned(shape, seed=0):
    return uniform(shape, seed=seed) + 3 * np.eye(shape[-1])


def test_inv_det_logabsdet_solve():
    a = _well_conditioned((2, 3, 3))
    b = uniform((2, 3, 2), seed=5)
    assert_close(O.Inv.apply(leaf(a)), np.linalg.inv(a))
    assert_close(O.Det.apply(leaf(a)), np.linalg.det(a))
    assert_close(O.LogAbsDet.apply(leaf(a)), np.linalg.slogdet(a)[1])
    assert_close(O.Solve.apply(leaf(a), leaf(b)), np.linalg.solve(a, b))
    for fn, args in ((O.Inv.apply, (a,)), (O.Det.apply, (a,)), (O.LogAbsDet.apply, (a,)),
                     (O.Solve.apply, (a, b))):
        assert gradcheck(fn, tuple(leaf(x) for x in args))
        assert gradgradcheck(fn, tuple(leaf(x) for x in args))


# --- every differentiable function of the namespace ------------------------------------------------
X = uniform((2, 3), 0.2, 0.9, seed=7)  # inside every domain (acos, atanh, log, ...)
Y = uniform((3,), 0.3, 1.1, seed=8)
M = distinct((3, 4), seed=9) / 10  # no ties for max/min/sort

UNARY = ["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "expm1",
         "log", "log1p", "log2", "log10", "negative", "positive", "reciprocal", "sin", "sinh",
         "sqrt", "square", "tan", "tanh", "real", "conj"]
BINARY = ["add", "atan2", "copysign", "divide", "hypot", "logaddexp", "maximum", "minimum",
          "multiply", "pow", "remainder", "subtract"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradients(name):
    a = X + 1.0 if name == "acosh" else X
    assert gradcheck(getattr(xp, name), (leaf(a),))


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradients(name):
    fn = getattr(xp, name)
    b = Y + 0.05 if name in ("maximum", "minimum") else Y
    assert gradcheck(fn, (leaf(X), leaf(b, requires_grad=name != "copysign")))
    assert gradcheck(lambda t: fn(t, 2.5), (leaf(X),))


CASES = {
    "sum": lambda t: xp.sum(t, axis=1),
    "prod": lambda t: xp.prod(t, axis=0, keepdims=True),
    "mean": lambda t: xp.mean(t, axis=(0, 1)),
    "var": lambda t: xp.var(t, axis=0, correction=1),
    "std": lambda t: xp.std(t),
    "max": lambda t: xp.max(t, axis=1),
    "min": lambda t: xp.min(t),
    "cumulative_sum": lambda t: xp.cumulative_sum(t, axis=1, include_initial=True),
    "cumulative_prod": lambda t: xp.cumulative_prod(t, axis=0),
    "diff": lambda t: xp.diff(t, axis=1, n=2, prepend=t[:, :1]),
    "sort": lambda t: xp.sort(t, axis=1, descending=True),
    "where": lambda t: xp.where(t > 0, t, 0.5 * t),
    "clip": lambda t: xp.clip(t, min=-0.15, max=xp.full((4,), 0.12, dtype=xp.float64)),
    "flip": lambda t: xp.flip(t, axis=0),
    "roll": lambda t: xp.roll(t, (1, -1), axis=(0, 1)),
    "repeat": lambda t: xp.repeat(t, xp.asarray([1, 0, 2]), axis=0),
    "tile": lambda t: xp.tile(t, (2, 1)),
    "take": lambda t: xp.take(t, xp.asarray([3, 0, 3]), axis=1),
    "take_along_axis": lambda t: xp.take_along_axis(t, xp.argsort(t, axis=1), axis=1),
    "concat": lambda t: xp.concat([t, 2 * t], axis=None),
    "stack": lambda t: xp.stack([t, t * t], axis=-1),
    "unstack": lambda t: xp.unstack(t, axis=1)[2],
    "moveaxis": lambda t: xp.moveaxis(xp.reshape(t, (3, 2, 2)), 0, -1),
    "permute_dims": lambda t: xp.permute_dims(t, (1, 0)),
    "expand_dims": lambda t: xp.expand_dims(t, axis=1),
    "squeeze": lambda t: xp.squeeze(xp.expand_dims(t, axis=0), axis=0),
    "broadcast_to": lambda t: xp.broadcast_to(t, (2, 3, 4)),
    "broadcast_arrays": lambda t: xp.broadcast_arrays(t, xp.ones((2, 1, 1), dtype=xp.float64))[0],
    "meshgrid": lambda t: xp.meshgrid(t[0], t[1])[1],
    "tril": lambda t: xp.tril(t, k=1),
    "triu": lambda t: xp.triu(t, k=-1),
    "astype": lambda t: xp.real(xp.astype(t, xp.complex128)) * 2,
    "matmul": lambda t: xp.matmul(t, xp.matrix_transpose(t)),
    "tensordot": lambda t: xp.tensordot(t, t, axes=((0, 1), (0, 1))),
    "vecdot": lambda t: xp.vecdot(t, t[:1], axis=-1),
    "vector_norm": lambda t: xp.linalg.vector_norm(t, axis=1),
    "vector_norm_inf": lambda t: xp.linalg.vector_norm(t, ord=math.inf),
    "vector_norm_3": lambda t: xp.linalg.vector_norm(t, ord=3, axis=0, keepdims=True),
    "vector_norm_-1": lambda t: xp.linalg.vector_norm(t, ord=-1),
    "matrix_norm_fro": lambda t: xp.linalg.matrix_norm(t),
    "matrix_norm_1": lambda t: xp.linalg.matrix_norm(t, ord=1),
    "matrix_norm_inf": lambda t: xp.linalg.matrix_norm(t, ord=-math.inf, keepdims=True),
    "outer": lambda t: xp.linalg.outer(t[0], t[1]),
    "cross": lambda t: xp.linalg.cross(t[:, :3], t[:, 1:]),
    "diagonal": lambda t: xp.linalg.diagonal(t, offset=1),
    "trace": lambda t: xp.linalg.trace(t, offset=-1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_namespace_gradients(name):
    assert gradcheck(CASES[name], (leaf(M),))


SQUARE = {
    "inv": xp.linalg.inv,
    "det": xp.linalg.det,
    "slogdet": lambda t: xp.linalg.slogdet(t).logabsdet,
    "solve": lambda t: xp.linalg.solve(t, t[..., 0]),
    "matrix_power": lambda t: xp.linalg.matrix_power(t, 3),
    "matrix_power_neg": lambda t: xp.linalg.matrix_power(t, -2),
}


@pytest.mark.parametrize("name", sorted(SQUARE))
def test_square_matrix_gradients(name):
    a = _well_conditioned((3, 3), seed=11) / 3
    assert gradcheck(SQUARE[name], (leaf(a),))


def test_solve_broadcasts_and_second_order():
    a = _well_conditioned((2, 1, 3, 3), seed=12)
    b = uniform((3, 3, 2), seed=13)
    assert_close(xp.linalg.solve(leaf(a, False), leaf(b, False)), np.linalg.solve(a, b))
    assert gradcheck(xp.linalg.solve, (leaf(a), leaf(b)))
    assert gradgradcheck(xp.linalg.vector_norm, (leaf(M),))


def test_non_differentiable_results_are_outside_the_graph():
    t = leaf(M)
    for out in (xp.argsort(t), xp.unique_values(t), xp.linalg.svdvals(t), xp.isnan(t)):
        assert not out.requires_grad


# --- functions written only against the standard ----------------------------------------------------
def logistic_loss(w, X, y):
    """Mean logistic loss of a linear model, using nothing but the standard."""
    xp_ = w.__array_namespace__()
    z = xp_.matmul(X, w)
    return xp_.mean(xp_.logaddexp(0.0, -y * z))


def softmax(x, axis=-1):
    xp_ = x.__array_namespace__()
    shifted = x - xp_.max(x, axis=axis, keepdims=True)
    e = xp_.exp(shifted)
    return e / xp_.sum(e, axis=axis, keepdims=True)


def layer_norm(x, eps=1e-5):
    xp_ = x.__array_namespace__()
    mu = xp_.mean(x, axis=-1, keepdims=True)
    var = xp_.var(x, axis=-1, keepdims=True)
    return (x - mu) / xp_.sqrt(var + eps)


def test_standard_functions_differentiate():
    X_ = uniform((5, 3), seed=20)
    y = np.sign(uniform((5,), seed=21))
    w = leaf(uniform((3,), seed=22))
    Xt, yt = leaf(X_, False), leaf(y, False)
    assert gradcheck(lambda w_: logistic_loss(w_, Xt, yt), (w,))
    expected = np.mean(np.logaddexp(0.0, -y * (X_ @ uniform((3,), seed=22))))
    assert_close(logistic_loss(w, Xt, yt), expected)
    logits = leaf(uniform((2, 4), seed=23))
    assert gradcheck(softmax, (logits,))
    assert gradgradcheck(softmax, (logits,))
    assert gradcheck(layer_norm, (leaf(uniform((3, 5), seed=24)),))


def test_standard_functions_run_unchanged_on_numpy():
    """The same source gives the same numbers on numpy arrays (numpy 2 speaks the standard)."""
    x = uniform((2, 4), seed=25)
    np.testing.assert_allclose(softmax(x), softmax(leaf(x, False)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer_norm(x), layer_norm(leaf(x, False)).numpy(), rtol=1e-12)


def test_gradient_reaches_through_dlpack_free_interop():
    w = nanotorch.tensor([0.5, -0.25], dtype=nanotorch.float64, requires_grad=True)
    X_ = xp.asarray(np.array([[1.0, 2.0], [3.0, -1.0]]))
    loss = logistic_loss(w, X_, xp.asarray(np.array([1.0, -1.0])))
    loss.backward()
    assert w.grad.shape == (2,) and bool(xp.all(xp.isfinite(w.grad)))
