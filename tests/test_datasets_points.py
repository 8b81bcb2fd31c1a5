import numpy as np
import pytest

import nanotorch
from nanotorch import datasets

NAMES = ["simple", "diag", "split", "xor", "circle", "spiral"]

# Each set's label rule, written independently of the implementation, on the
# float32 coordinates the user gets back.
RULES = {
    "simple": lambda X: X[:, 0] < 0.5,
    "diag": lambda X: X[:, 0] + X[:, 1] < 0.5,
    "split": lambda X: (X[:, 0] < 0.2) | (X[:, 0] > 0.8),
    "xor": lambda X: ((X[:, 0] < 0.5) & (X[:, 1] >= 0.5)) | ((X[:, 0] >= 0.5) & (X[:, 1] < 0.5)),
    "circle": lambda X: (X[:, 0] - 0.5) ** 2 + (X[:, 1] - 0.5) ** 2 > 0.1,
}


def arrays(name, N=50, seed=0):
    X, y = datasets.load(name, N=N, seed=seed)
    return X.numpy(), y.numpy()


def test_registry_lists_every_set():
    assert sorted(datasets.DATASETS) == sorted(NAMES)
    for name in NAMES:
        assert datasets.DATASETS[name] is getattr(datasets, name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("N", [1, 2, 37, 50])
def test_shapes_and_dtypes(name, N):
    X, y = datasets.DATASETS[name](N=N, seed=0)
    assert tuple(X.shape) == (N, 2)
    assert tuple(y.shape) == (N,)
    assert X.dtype == nanotorch.float32
    assert y.dtype == nanotorch.float32


@pytest.mark.parametrize("name", NAMES)
def test_defaults_give_fifty_points(name):
    X, y = datasets.DATASETS[name]()
    assert tuple(X.shape) == (50, 2) and tuple(y.shape) == (50,)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_points_in_unit_square_and_binary_labels(name, seed):
    X, y = arrays(name, N=300, seed=seed)
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert set(np.unique(y).tolist()) == {0.0, 1.0}


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("seed", [0, 1, 2, 123])
def test_label_rule_holds_for_every_point(name, seed):
    X, y = arrays(name, N=500, seed=seed)
    np.testing.assert_array_equal(y == 1.0, RULES[name](X))


@pytest.mark.parametrize("N", [2, 7, 50, 301])
def test_spiral_points_lie_on_their_arm(N):
    X, y = arrays("spiral", N=N, seed=3)
    assert int((y == 0).sum()) == N // 2
    assert int((y == 1).sum()) == N - N // 2
    offset = X.astype(np.float64) - 0.5
    t = np.hypot(offset[:, 0], offset[:, 1]) / datasets.points.SPIRAL_RADIUS
    expected = datasets.points.SPIRAL_TURN * t + np.pi * y
    angle = np.arctan2(offset[:, 1], offset[:, 0])
    # Compare angles on the unit circle so that multiples of 2*pi do not matter.
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-4)


def test_spiral_rows_are_shuffled():
    _, y = arrays("spiral", N=100, seed=0)
    assert 0 < y[:50].sum() < 50


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = arrays(name, seed=5)
    X2, y2 = arrays(name, seed=5)
    X3, _ = arrays(name, seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", NAMES)
def test_global_generators_are_left_alone(name):
    state = np.random.get_state()[1].copy()
    datasets.load(name, N=20, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_load_matches_the_function():
    X1, y1 = datasets.load("circle", N=40, seed=9)
    X2, y2 = datasets.circle(N=40, seed=9)
    np.testing.assert_array_equal(X1.numpy(), X2.numpy())
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())


def test_load_unknown_name_names_the_choices():
    with pytest.raises(ValueError, match="spiral"):
        datasets.load("moons")


@pytest.mark.parametrize("name", NAMES)
def test_negative_size_is_rejected(name):
    with pytest.raises(ValueError, match="non-negative"):
        datasets.load(name, N=-1)
