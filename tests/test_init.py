"""nn.init: gains, fans, bounds and spreads of every scheme, in place and reproducible."""
import math

import numpy as np
import pytest

import nanotorch
from nanotorch.nn import init


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def test_fans():
    assert init._calculate_fan_in_and_fan_out(nanotorch.empty(4, 3)) == (3, 4)
    assert init._calculate_fan_in_and_fan_out(nanotorch.empty(8, 2, 3, 5)) == (30, 120)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(nanotorch.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(nanotorch.empty(2, 2), mode="fan_avg")


def _spread(t):
    a = t.numpy()
    return np.abs(a).max(), a.std()


def test_uniform_schemes_bounds_and_spread():
    nanotorch.manual_seed(0)
    w = nanotorch.empty(200, 300)
    bound = math.sqrt(6 / 500)
    assert init.xavier_uniform_(w) is w
    top, std = _spread(w)
    assert top <= bound and std == pytest.approx(bound / math.sqrt(3), rel=0.02)
    init.kaiming_uniform_(w, a=0, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    top, std = _spread(w)
    assert top <= bound and std == pytest.approx(bound / math.sqrt(3), rel=0.02)
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    assert _spread(w)[0] <= math.sqrt(2) * math.sqrt(3 / 200)
    init.uniform_(w, -0.5, 2.0)
    assert w.min().item() >= -0.5 and w.max().item() <= 2.0


def test_normal_schemes_spread():
    nanotorch.manual_seed(1)
    w = nanotorch.empty(200, 300, dtype=nanotorch.float64)
    init.xavier_normal_(w, gain=2.0)
    assert w.numpy().std() == pytest.approx(2 * math.sqrt(2 / 500), rel=0.02)
    init.kaiming_normal_(w, nonlinearity="tanh")
    assert w.numpy().std() == pytest.approx(5 / 3 / math.sqrt(300), rel=0.02)
    init.normal_(w, 3.0, 0.5)
    assert w.numpy().mean() == pytest.approx(3.0, abs=0.01)


def test_constant_fills_and_no_graph():
    w = nanotorch.nn.Parameter(nanotorch.empty(2, 3))
    for fn, value in [(init.zeros_, 0.0), (init.ones_, 1.0), (lambda t: init.constant_(t, 0.3), 0.3)]:
        assert fn(w) is w
        assert np.allclose(w.detach().numpy(), value)
        assert w.is_leaf and w.requires_grad  # in-place fills on a parameter record nothing
    init.uniform_(w)
    assert w.grad_fn is None


def test_generator_makes_draws_reproducible_and_zero_size_warns():
    a, b = nanotorch.empty(3, 4), nanotorch.empty(3, 4)
    init.kaiming_uniform_(a, generator=nanotorch.Generator().manual_seed(5))
    init.kaiming_uniform_(b, generator=nanotorch.Generator().manual_seed(5))
    assert a.equal(b)
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(nanotorch.empty(0, 3))
