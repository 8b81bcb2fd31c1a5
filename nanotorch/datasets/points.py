"""The lecture's toy 2-D classification sets.

Every set is a function ``name(N=50, seed=0) -> (X, y)``:

* ``X``: float32 tensor of shape ``(N, 2)``, one point per row;
* ``y``: float32 tensor of shape ``(N,)`` holding 0. or 1., the class of each
  point.

The points are drawn from a local ``numpy.random.default_rng(seed)``, so the
same ``(N, seed)`` always gives the same data and the global generators
(``numpy.random``, ``nanotorch.manual_seed``) are neither read nor advanced.
Labels are computed from the float32 coordinates that are returned, so the
rule of each set holds exactly for every point a user reads back.
"""

import numpy as np

import nanotorch


def _uniform_points(N, seed):
    """``N`` points uniform in the unit square, float32 ``(N, 2)``."""
    if N < 0:
        raise ValueError(f"N must be non-negative, got {N}")
    return np.random.default_rng(seed).random((N, 2)).astype(np.float32)


def _to_tensors(X, labels):
    return nanotorch.from_numpy(X), nanotorch.from_numpy(labels.astype(np.float32))


def simple(N=50, seed=0):
    """Points left of the vertical line ``x1 = 0.5`` are class 1.

    Shapes: returns ``X`` float32 ``(N, 2)`` in the unit square and ``y``
    float32 ``(N,)`` with ``y[i] = 1`` iff ``X[i, 0] < 0.5``.

    >>> X, y = simple(N=4, seed=0)
    >>> tuple(X.shape), tuple(y.shape)
    ((4, 2), (4,))
    >>> bool(((X.numpy()[:, 0] < 0.5) == (y.numpy() == 1)).all())
    True
    """
    X = _uniform_points(N, seed)
    return _to_tensors(X, X[:, 0] < 0.5)


def diag(N=50, seed=0):
    """Points below the diagonal ``x1 + x2 = 0.5`` are class 1.

    Shapes: returns ``X`` float32 ``(N, 2)`` in the unit square and ``y``
    float32 ``(N,)`` with ``y[i] = 1`` iff ``X[i, 0] + X[i, 1] < 0.5``.

    >>> X, y = diag(N=100, seed=1)
    >>> tuple(X.shape), tuple(y.shape)
    ((100, 2), (100,))
    >>> bool(((X.numpy().sum(axis=1) < 0.5) == (y.numpy() == 1)).all())
    True
    """
    X = _uniform_points(N, seed)
    return _to_tensors(X, X[:, 0] + X[:, 1] < 0.5)


def split(N=50, seed=0):
    """Two vertical bands at the left and right edges are class 1.

    Not linearly separable: a model needs a hidden layer to fit it.

    Shapes: returns ``X`` float32 ``(N, 2)`` in the unit square and ``y``
    float32 ``(N,)`` with ``y[i] = 1`` iff ``X[i, 0] < 0.2 or X[i, 0] > 0.8``.

    >>> X, y = split(N=10)
    >>> x1 = X.numpy()[:, 0]
    >>> bool((((x1 < 0.2) | (x1 > 0.8)) == (y.numpy() == 1)).all())
    True
    """
    X = _uniform_points(N, seed)
    x1 = X[:, 0]
    return _to_tensors(X, (x1 < 0.2) | (x1 > 0.8))


def xor(N=50, seed=0):
    """The two off-diagonal quadrants of the unit square are class 1.

    Shapes: returns ``X`` float32 ``(N, 2)`` in the unit square and ``y``
    float32 ``(N,)`` with ``y[i] = 1`` iff exactly one of ``X[i, 0]`` and
    ``X[i, 1]`` is below 0.5 (top-left and bottom-right quadrants).

    >>> X, y = xor(N=10)
    >>> below = X.numpy() < 0.5
    >>> bool(((below[:, 0] != below[:, 1]) == (y.numpy() == 1)).all())
    True
    """
    X = _uniform_points(N, seed)
    below = X < 0.5
    return _to_tensors(X, below[:, 0] != below[:, 1])


def circle(N=50, seed=0):
    """Points outside the circle of squared radius 0.1 around the centre are class 1.

    Shapes: returns ``X`` float32 ``(N, 2)`` in the unit square and ``y``
    float32 ``(N,)`` with ``y[i] = 1`` iff
    ``(X[i, 0] - 0.5)**2 + (X[i, 1] - 0.5)**2 > 0.1``.

    >>> X, y = circle(N=10)
    >>> r2 = ((X.numpy() - 0.5) ** 2).sum(axis=1)
    >>> bool(((r2 > 0.1) == (y.numpy() == 1)).all())
    True
    """
    X = _uniform_points(N, seed)
    centred = X - np.float32(0.5)
    return _to_tensors(X, (centred**2).sum(axis=1) > np.float32(0.1))


# A point at curve parameter t in [0, 1] sits at radius SPIRAL_RADIUS * t and
# angle SPIRAL_TURN * t (+ pi for the second arm), around (0.5, 0.5): both arms
# then fit in the unit square and wind 1.5 turns, enough to need a deep model.
SPIRAL_RADIUS = 0.45
SPIRAL_TURN = 3.0 * np.pi


def spiral(N=50, seed=0):
    """Two interleaved spiral arms around ``(0.5, 0.5)``; the second arm is class 1.

    Arm ``k`` (``k = 0, 1``) holds the points
    ``0.5 + SPIRAL_RADIUS * t * (cos a, sin a)`` with ``a = SPIRAL_TURN * t + k * pi``
    for curve parameters ``t`` drawn uniformly from ``[0.05, 1]``. Arm 0 gets
    ``N // 2`` points and arm 1 the remaining ``N - N // 2``; the rows are
    shuffled so that any slice of them mixes both classes.

    Shapes: returns ``X`` float32 ``(N, 2)`` inside the unit square and ``y``
    float32 ``(N,)``, the arm of each point.

    >>> X, y = spiral(N=6, seed=0)
    >>> tuple(X.shape), float(y.numpy().sum())
    ((6, 2), 3.0)
    """
    if N < 0:
        raise ValueError(f"N must be non-negative, got {N}")
    rng = np.random.default_rng(seed)
    # Start slightly away from the centre, where the two arms would touch.
    t = rng.uniform(0.05, 1.0, size=N)
    labels = np.zeros(N, dtype=np.float32)
    labels[N // 2 :] = 1.0
    angle = SPIRAL_TURN * t + np.pi * labels
    radius = SPIRAL_RADIUS * t
    X = 0.5 + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    order = rng.permutation(N)
    return _to_tensors(X[order].astype(np.float32), labels[order])


DATASETS = {
    "simple": simple,
    "diag": diag,
    "split": split,
    "xor": xor,
    "circle": circle,
    "spiral": spiral,
}


def load(name, N=50, seed=0):
    """Make the toy set called ``name`` (a key of :data:`DATASETS`).

    Shapes: returns ``X`` float32 ``(N, 2)`` and ``y`` float32 ``(N,)``,
    the same as calling the set's own function with ``N`` and ``seed``.

    >>> X, y = load("xor", N=8, seed=3)
    >>> tuple(X.shape), tuple(y.shape)
    ((8, 2), (8,))
    """
    try:
        make = DATASETS[name]
    except KeyError:
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}"
        ) from None
    return make(N=N, seed=seed)
