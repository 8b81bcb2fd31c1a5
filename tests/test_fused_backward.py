"""Fused backward ops (one kernel in backward instead of a chain of tensor ops): their values
against the composed formula, their own gradients by gradcheck / gradgradcheck in float64."""
import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch.ops.nn import BinaryCrossEntropyBack

from helpers import check_grads, leaf, uniform


@pytest.mark.parametrize("g_shape", [(2, 3), (3,), ()], ids=["full", "broadcast_row", "scalar"])
def test_bce_back_value_and_gradients(g_shape):
    p = leaf(uniform((2, 3), 0.1, 0.9, seed=1))
    y = leaf(uniform((2, 3), 0.0, 1.0, seed=2))
    g = leaf(uniform(g_shape, seed=3))
    a, b, c = p.detach().numpy(), y.detach().numpy(), g.detach().numpy()
    np.testing.assert_allclose(BinaryCrossEntropyBack.apply(p, y, g).detach().numpy(),
                               c * (a - b) / (a * (1 - a)), rtol=1e-14)
    check_grads(BinaryCrossEntropyBack.apply, p, y, g, second=True)


def test_bce_back_keeps_the_denominator_off_zero_like_torch():
    p = nanotorch.tensor([0.0, 1.0, 0.5], dtype=nanotorch.float64)
    out = BinaryCrossEntropyBack.apply(p, nanotorch.tensor([1.0, 0.0, 1.0], dtype=nanotorch.float64),
                                       nanotorch.ones(3, dtype=nanotorch.float64))
    assert out.tolist() == [-1e12, 1e12, -2.0]


def test_bce_second_derivative_through_the_fused_backward():
    """d²/dp² of mean BCE, by double backward, against the closed form (y/p² + (1-y)/(1-p)²)/n."""
    p = leaf(uniform((4,), 0.2, 0.8, seed=4))
    y = nanotorch.tensor([1.0, 0.0, 1.0, 0.0], dtype=nanotorch.float64)
    (grad,) = nanotorch.autograd.grad(F.binary_cross_entropy(p, y), p, create_graph=True)
    (second,) = nanotorch.autograd.grad(grad.sum(), p)
    a, b = p.detach().numpy(), y.numpy()
    np.testing.assert_allclose(second.numpy(), (b / a**2 + (1 - b) / (1 - a) ** 2) / 4, rtol=1e-12)
