"""``nanotorch.array_api`` on a GPU (the CuPy backend): the same results as on the CPU,
gradients, and DLPack with CuPy. Skipped where CuPy or a GPU is missing."""
import math

import numpy as np
import pytest

import nanotorch
from nanotorch import array_api as xp
from nanotorch.autograd import gradcheck
from nanotorch.backends import BackendUnavailable, get_backend

cupy = pytest.importorskip("cupy")
try:
    get_backend("cupy")
except BackendUnavailable as err:
    pytest.skip(str(err), allow_module_level=True)

rng = np.random.default_rng(0)
A = rng.uniform(0.1, 0.9, size=(3, 4))
B = rng.uniform(0.2, 1.0, size=(4,))
S = rng.normal(size=(2, 3, 3)) + 3 * np.eye(3)

CASES = {
    "elementwise": lambda a, b: (xp.acosh(a + 1), xp.atanh(a), xp.log1p(a), xp.sign(a - 0.5),
                                 xp.hypot(a, b), xp.logaddexp(a, b), xp.copysign(a, b - 0.5),
                                 xp.nextafter(a, b), xp.remainder(a, b), xp.pow(a, b),
                                 xp.signbit(a - 0.5), xp.clip(a, min=0.3, max=0.6)),
    "statistics": lambda a, b: (xp.sum(a, axis=0), xp.prod(a, axis=1), xp.var(a, correction=1),
                                xp.std(a, axis=1), xp.max(a), xp.min(a, axis=0, keepdims=True),
                                xp.cumulative_sum(a, axis=1, include_initial=True),
                                xp.cumulative_prod(a, axis=0), xp.diff(a, axis=1)),
    "manipulation": lambda a, b: (xp.flip(a, axis=0), xp.roll(a, 2, axis=1),
                                  xp.repeat(a, 2, axis=0), xp.tile(a, (2, 1)),
                                  xp.concat([a, a], axis=None), xp.stack([a, a], axis=1),
                                  xp.reshape(a, (2, 6), copy=False), xp.tril(a), xp.triu(a, k=1),
                                  xp.take(a, xp.asarray([2, 0], device=a.device), axis=1)),
    "search_sort_sets": lambda a, b: (xp.argmax(a, axis=1), xp.sort(a, descending=True),
                                      xp.argsort(a, axis=0), xp.nonzero(a > 0.5)[1],
                                      xp.searchsorted(xp.sort(a[0]), a[1]),
                                      xp.where(a > 0.5, a, 0.0), *xp.unique_all(xp.round(a * 3))),
    "linalg": lambda a, b: (xp.matmul(a, b), xp.tensordot(a, a, axes=2), xp.vecdot(a, b),
                            xp.linalg.vector_norm(a, axis=1), xp.linalg.matrix_norm(a, ord=1),
                            xp.linalg.cross(a[:, :3], a[:, 1:]), xp.linalg.trace(a),
                            xp.fft.rfft(a)),
}


def _same(g, c, rtol=1e-5):
    assert g.device.type == "cuda" and g.dtype is c.dtype and tuple(g.shape) == tuple(c.shape)
    np.testing.assert_allclose(g.cpu().numpy(), c.numpy(), rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_as_cpu(name):
    cpu = CASES[name](xp.asarray(A), xp.asarray(B))
    gpu = CASES[name](xp.asarray(A, device="cuda"), xp.asarray(B, device="cuda"))
    for g, c in zip(gpu, cpu):
        _same(g, c)


def test_square_linalg_same_as_cpu():
    def run(s):
        return (xp.linalg.inv(s), xp.linalg.det(s), xp.linalg.slogdet(s).logabsdet,
                xp.linalg.solve(s, s[0, :, 0]), xp.linalg.svdvals(s), xp.linalg.pinv(s),
                xp.linalg.cholesky(xp.matmul(s, xp.matrix_transpose(s))),
                xp.linalg.matrix_power(s, 3))
    for g, c in zip(run(xp.asarray(S, device="cuda")), run(xp.asarray(S))):
        _same(g, c, rtol=1e-4)


def test_docs_example_on_gpu():
    """docs/array_api.rst's GPU block: the same loss and gradient as on the CPU."""
    def logistic_loss(w, X, y):
        ns = w.__array_namespace__()
        return ns.mean(ns.logaddexp(0.0, -y * ns.matmul(X, w)))

    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -1.5]])
    y = np.array([1.0, -1.0, 1.0])
    w = xp.asarray(np.array([0.1, -0.2]), device="cuda")
    w.requires_grad_()
    loss = logistic_loss(w, xp.asarray(X, device="cuda"), xp.asarray(y, device="cuda"))
    loss.backward()
    assert w.grad.device.type == "cuda"
    assert math.isclose(float(loss), 0.6647308241479934, rel_tol=1e-9)
    np.testing.assert_allclose(w.grad.cpu().numpy(), [-0.3834, -0.0988], atol=1e-4)


@pytest.mark.parametrize("fn", [xp.linalg.inv, lambda t: xp.cumulative_prod(t[0], axis=0),
                                lambda t: xp.linalg.vector_norm(t, axis=1),
                                lambda t: xp.sort(t, axis=1), lambda t: xp.hypot(t, 2.0),
                                lambda t: xp.linalg.solve(t, t[:, 0])])
def test_gradients_on_gpu(fn):
    t = nanotorch.tensor(S[0], dtype=nanotorch.float64, device="cuda", requires_grad=True)
    assert gradcheck(fn, (t,))


def test_dlpack_with_cupy_shares_memory():
    c = cupy.arange(4.0)
    t = nanotorch.from_dlpack(c)
    assert t.device == nanotorch.device("cuda", 0)
    c[0] = 9.0
    assert float(t[0]) == 9.0
    back = cupy.from_dlpack(t)
    back[1] = -1.0
    assert float(t[1]) == -1.0
    assert nanotorch.device("cuda", 0) in xp.__array_namespace_info__().devices()
