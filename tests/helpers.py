"""Helpers shared by the core test modules: float64 inputs, numpy comparison, hypothesis shapes."""
import contextlib

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import nanotorch
from nanotorch import backends
from nanotorch.autograd import gradcheck, gradgradcheck


@contextlib.contextmanager
def default_backend(name):
    """New tensors go to backend ``name`` inside the block (cupy: the current GPU)."""
    previous = backends._default
    nanotorch.set_default_backend(name)
    try:
        yield backends.get_backend(name)
    finally:
        backends._default = previous


def leaf(array, requires_grad=True):
    """A float64 leaf tensor holding a copy of ``array``."""
    return nanotorch.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def uniform(shape, lo=-2.0, hi=2.0, seed=0):
    """A float64 numpy array of ``shape`` drawn from U(lo, hi), reproducible by ``seed``."""
    return np.random.default_rng(seed).uniform(lo, hi, size=shape)


def away_from(array, points, gap=0.2):
    """``array`` with values closer than ``gap`` to any of ``points`` pushed ``gap`` away.

    Finite differences are wrong across a kink (relu, abs, clamp, max ties): keep inputs off them.
    """
    out = np.array(array, dtype=np.float64)
    for p in points:
        near = np.abs(out - p) < gap
        out[near] = p + np.where(out[near] >= p, gap, -gap)
    return out


def distinct(shape, seed=0, spacing=0.5):
    """Values of ``shape`` that are pairwise at least ``spacing`` apart (no ties for max/min/sort)."""
    n = int(np.prod(shape, dtype=np.int64))
    values = (np.random.default_rng(seed).permutation(n) - n / 2) * spacing + 0.1
    return values.reshape(shape)


def numpy_of(t):
    """The values of a tensor as a numpy array (detached)."""
    return t.detach().numpy()


def assert_close(t, expected, rtol=1e-7, atol=1e-10):
    """``t``'s values equal ``expected`` (a numpy array or number) and so does its shape."""
    got = numpy_of(t)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def check_grads(fn, *inputs, second=False):
    """gradcheck (and gradgradcheck when ``second``) of ``fn`` at float64 ``inputs``."""
    assert gradcheck(fn, inputs)
    if second:
        assert gradgradcheck(fn, inputs)


def broadcastable(num_shapes=2, min_dims=0, max_dims=3, max_side=3):
    """A hypothesis strategy for ``num_shapes`` shapes that broadcast together."""
    return mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims,
                                         max_dims=max_dims, min_side=1, max_side=max_side)


def small_shapes(min_dims=1, max_dims=3, max_side=3):
    """A hypothesis strategy for small array shapes."""
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims).map(tuple)
