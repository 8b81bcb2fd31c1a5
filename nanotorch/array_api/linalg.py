"""The standard's ``linalg`` extension: ``xp.linalg.inv(x)``, ``xp.linalg.vector_norm(x)``, ...

Differentiable: ``matmul``, ``tensordot``, ``vecdot``, ``matrix_transpose``,
``vector_norm``, ``matrix_norm`` (except ``'nuc'``, ``2``, ``-2``), ``outer``,
``cross``, ``diagonal``, ``trace``, ``matrix_power``, ``inv``, ``det``,
``solve`` and the ``logabsdet`` of ``slogdet``. The factorizations and the
functions defined through them (``cholesky``, ``eigh``, ``eigvalsh``,
``qr``, ``svd``, ``svdvals``, ``pinv``, ``matrix_rank``) compute on the
backend's ``xp.linalg`` and return tensors outside the graph.
"""
from __future__ import annotations

import collections
import math

import numpy as np

from ..ops import reduce as R
from . import _base as B
from . import _ops as O
from ._linear_algebra import matmul, matrix_transpose, tensordot, vecdot

__all__ = ["cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer", "pinv",
           "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
           "vector_norm"]

EighResult = collections.namedtuple("EighResult", "eigenvalues eigenvectors")
QRResult = collections.namedtuple("QRResult", "Q R")
SlogdetResult = collections.namedtuple("SlogdetResult", "sign logabsdet")
SVDResult = collections.namedtuple("SVDResult", "U S Vh")


def _matrices(x, name, category="floating-point"):
    B.check_array(x, name)
    B.check_dtype(x, category, name)
    if x.ndim < 2:
        raise ValueError(f"{name}(): x must have at least 2 dimensions, got {x.ndim}")
    return x


def _square(x, name):
    _matrices(x, name)
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{name}(): x must be (a stack of) square matrices, got {tuple(x.shape)}")
    return x


def _raw(x, fn, *args, **kwargs):
    with np.errstate(all="ignore"):
        return getattr(x._backend.xp.linalg, fn)(x._data, *args, **kwargs)


def cholesky(x, /, *, upper=False):
    """The Cholesky factor of (a stack of) symmetric/Hermitian positive-definite matrices:
    lower L with x = L Lᴴ, or upper U = Lᴴ with ``upper=True``. Not differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.cholesky(xp.asarray([[4.0, 2.0], [2.0, 5.0]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    _square(x, "cholesky")
    low = _raw(x, "cholesky")
    if upper:
        low = x._backend.xp.conj(x._backend.xp.swapaxes(low, -1, -2))
    return B.wrap(low, x._backend)


def cross(x1, x2, /, *, axis=-1):
    """The cross product of 3-vectors along ``axis`` (the other dims broadcast). Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.cross(xp.asarray([1.0, 0.0, 0.0]), xp.asarray([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    a, b = B.operands(x1, x2, "numeric", "cross")
    from ._manipulation import broadcast_arrays, stack
    ndim = max(a.ndim, b.ndim)
    if not -ndim <= axis < ndim:
        raise ValueError(f"cross(): axis {axis} is out of bounds")
    s1 = (1,) * (ndim - a.ndim) + tuple(a.shape)
    s2 = (1,) * (ndim - b.ndim) + tuple(b.shape)
    if s1[axis] != 3 or s2[axis] != 3:
        raise ValueError("cross(): x1 and x2 must have size 3 along axis")
    a, b = broadcast_arrays(a, b)
    d = axis % ndim

    def part(t, i):
        return t[(slice(None),) * d + (i,)]

    a0, a1, a2 = (part(a, i) for i in range(3))
    b0, b1, b2 = (part(b, i) for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=d)


@B.quiet
def det(x, /):
    """The determinant of (a stack of) square matrices: (..., n, n) -> (...). Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.det(xp.asarray([[2.0, 1.0], [1.0, 3.0]]))
    tensor(5.)
    """
    return O.Det.apply(_square(x, "det"))


def diagonal(x, /, *, offset=0):
    """Diagonal ``offset`` of (a stack of) matrices: (..., m, n) -> (..., k). Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.diagonal(xp.asarray([[1, 2], [3, 4]]), offset=1)
    tensor([2])
    """
    B.check_array(x, "diagonal")
    if x.ndim < 2:
        raise ValueError("diagonal(): x must have at least 2 dimensions")
    m, n = x.shape[-2:]
    start_row, start_col = max(-offset, 0), max(offset, 0)
    k = max(min(m - start_row, n - start_col), 0)
    xp = x._backend.xp
    rows = xp.arange(start_row, start_row + k)
    cols = xp.arange(start_col, start_col + k)
    return x[(Ellipsis, rows, cols)]


def eigh(x, /):
    """Eigenvalues (ascending) and eigenvectors (columns) of (a stack of) symmetric or Hermitian
    matrices. Not differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.eigh(xp.asarray([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    _square(x, "eigh")
    w, v = _raw(x, "eigh")
    return EighResult(B.wrap(w, x._backend), B.wrap(v, x._backend))


def eigvalsh(x, /):
    """The eigenvalues (ascending) of (a stack of) symmetric or Hermitian matrices.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.eigvalsh(xp.asarray([[2.0, 0.0], [0.0, 1.0]]))
    tensor([1., 2.])
    """
    _square(x, "eigvalsh")
    return B.wrap(_raw(x, "eigvalsh"), x._backend)


@B.quiet
def inv(x, /):
    """The inverse of (a stack of) square matrices. Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.inv(xp.asarray([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return O.Inv.apply(_square(x, "inv"))


@B.quiet
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """A norm of (a stack of) matrices over the last two axes: ``'fro'``, ``'nuc'``, ``1``, ``-1``,
    ``2``, ``-2``, ``inf`` or ``-inf``. Shape (..., m, n) -> (...), or (..., 1, 1) with keepdims.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.matrix_norm(xp.asarray([[3.0, 0.0], [0.0, 4.0]]))
    tensor(5.)
    """
    _matrices(x, "matrix_norm")
    nd = x.ndim
    dims = (nd - 2, nd - 1)
    if ord == "fro":
        out = vector_norm(x, axis=(-2, -1), keepdims=True)
    elif ord in ("nuc", 2, -2):
        s = _raw(x, "svd", compute_uv=False)
        xp = x._backend.xp
        value = xp.sum(s, axis=-1) if ord == "nuc" else (xp.max if ord == 2 else xp.min)(s, axis=-1)
        out = B.wrap(value[..., None, None], x._backend)
    elif ord in (1, -1, math.inf, -math.inf):
        sums_over = nd - 2 if ord in (1, -1) else nd - 1
        sums = R.Sum.apply(x.abs(), (sums_over,), True, None)
        pick = R.Amax if ord in (1, math.inf) else R.Amin
        out = pick.apply(sums, dims, True)
    else:
        raise ValueError(f"matrix_norm(): unsupported ord {ord!r}")
    return out if keepdims else out.reshape(tuple(x.shape[:-2]))


def matrix_power(x, n, /):
    """x multiplied by itself n times (n < 0: powers of the inverse; 0: the identity).
    Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.matrix_power(xp.asarray([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    _square(x, "matrix_power")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): n must be an int, got {type(n).__name__}")
    if n == 0:
        xp = x._backend.xp
        eye = xp.broadcast_to(xp.eye(x.shape[-1], dtype=x._data.dtype), tuple(x.shape))
        return B.wrap(xp.array(eye, copy=True), x._backend)
    if n < 0:
        x, n = inv(x), -n
    result, base = None, x
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def matrix_rank(x, /, *, rtol=None):
    """The number of singular values above ``rtol * largest`` (default rtol: max(m, n) * eps).

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.matrix_rank(xp.asarray([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1)
    """
    _matrices(x, "matrix_rank")
    xp = x._backend.xp
    s = _raw(x, "svd", compute_uv=False)
    tol = _rtol(x, rtol)
    biggest = xp.max(s, axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    count = xp.sum(s > tol * biggest, axis=-1)
    return B.wrap(xp.asarray(count, dtype=B.default_int().np), x._backend)


def _rtol(x, rtol):
    xp = x._backend.xp
    if rtol is None:
        return max(x.shape[-2:]) * float(np.finfo(x.dtype.to_real().np).eps)
    if hasattr(rtol, "_data"):
        return xp.asarray(rtol._data)[..., None]
    return float(rtol)


def outer(x1, x2, /):
    """The outer product of two 1-D arrays: (n,), (m,) -> (n, m). Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.outer(xp.asarray([1, 2]), xp.asarray([1, 10]))
    tensor([[ 1, 10],
            [ 2, 20]])
    """
    a, b = B.operands(x1, x2, "numeric", "outer")
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError("outer(): x1 and x2 must be one-dimensional")
    return a.unsqueeze(1) * b.unsqueeze(0)


def pinv(x, /, *, rtol=None):
    """The Moore-Penrose pseudo-inverse of (a stack of) matrices; singular values below
    ``rtol * largest`` count as zero. (..., m, n) -> (..., n, m). Not differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.pinv(xp.asarray([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    _matrices(x, "pinv")
    rcond = _rtol(x, rtol)
    if not isinstance(rcond, float):
        rcond = rcond[..., 0]
    return B.wrap(_raw(x, "pinv", rcond), x._backend)


def qr(x, /, *, mode="reduced"):
    """The QR factorization of (a stack of) matrices: Q with orthonormal columns and upper R,
    ``mode='reduced'`` or ``'complete'``. Not differentiable.

    >>> from nanotorch import array_api as xp
    >>> q, r = xp.linalg.qr(xp.asarray([[3.0, 0.0], [4.0, 1.0]]))
    >>> bool(xp.all(xp.abs(q @ r - xp.asarray([[3.0, 0.0], [4.0, 1.0]])) < 1e-6))
    True
    """
    _matrices(x, "qr")
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr(): mode must be 'reduced' or 'complete', got {mode!r}")
    q, r = _raw(x, "qr", mode=mode)
    return QRResult(B.wrap(q, x._backend), B.wrap(r, x._backend))


def slogdet(x, /):
    """The sign and log of the absolute determinant of (a stack of) square matrices.
    ``logabsdet`` is differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.slogdet(xp.asarray([[-2.0, 0.0], [0.0, 1.0]]))
    SlogdetResult(sign=tensor(-1.), logabsdet=tensor(0.6931))
    """
    _square(x, "slogdet")
    sign, _ = _raw(x, "slogdet")
    with np.errstate(all="ignore"):
        return SlogdetResult(B.wrap(sign, x._backend), O.LogAbsDet.apply(x))


def solve(x1, x2, /):
    """X with x1 @ X = x2 for (a stack of) square x1; x2 is (..., n, k), or a vector (n,).
    Differentiable in both.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.solve(xp.asarray([[2.0, 0.0], [0.0, 4.0]]), xp.asarray([2.0, 2.0]))
    tensor([1.0000, 0.5000])
    """
    a, b = B.operands(x1, x2, "floating-point", "solve")
    _square(a, "solve")
    if b.ndim == 1:
        if b.shape[0] != a.shape[-1]:
            raise ValueError("solve(): x2 does not match the size of x1")
        return solve(a, b.unsqueeze(-1)).squeeze(-1)
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve(): shapes {tuple(a.shape)} and {tuple(b.shape)} do not match")
    batch = tuple(np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2])))
    a = a if tuple(a.shape[:-2]) == batch else a.expand(batch + tuple(a.shape[-2:]))
    b = b if tuple(b.shape[:-2]) == batch else b.expand(batch + tuple(b.shape[-2:]))
    with np.errstate(all="ignore"):
        return O.Solve.apply(a, b)


def svd(x, /, *, full_matrices=True):
    """The singular value decomposition x = U diag(S) Vh of (a stack of) matrices, S descending.
    Not differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.svd(xp.asarray([[3.0, 0.0], [0.0, -2.0]])).S
    tensor([3., 2.])
    """
    _matrices(x, "svd")
    u, s, vh = _raw(x, "svd", full_matrices=full_matrices)
    w = x._backend
    return SVDResult(B.wrap(u, w), B.wrap(s, w), B.wrap(vh, w))


def svdvals(x, /):
    """The singular values of (a stack of) matrices, descending: (..., m, n) -> (..., min(m, n)).

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.svdvals(xp.asarray([[3.0, 0.0], [0.0, -2.0]]))
    tensor([3., 2.])
    """
    _matrices(x, "svdvals")
    return B.wrap(_raw(x, "svd", compute_uv=False), x._backend)


def trace(x, /, *, offset=0, dtype=None):
    """The sum of diagonal ``offset`` of (a stack of) matrices: (..., m, n) -> (...), with the
    accumulator dtypes of ``sum``. Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.trace(xp.asarray([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    _matrices(x, "trace", "numeric")
    d = diagonal(x, offset=offset)
    return R.Sum.apply(d, (d.ndim - 1,), False, B.sum_dtype(x, dtype, "trace").np)


@B.quiet
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The ``ord``-norm over ``axis`` (all elements when ``None``): (sum |x|^ord)^(1/ord), with
    ``inf``/``-inf`` the largest/smallest |x| and ``0`` the count of non-zeros. The result is
    real floating. Differentiable.

    >>> from nanotorch import array_api as xp
    >>> xp.linalg.vector_norm(xp.asarray([3.0, -4.0])), xp.linalg.vector_norm(xp.asarray([3.0, -4.0]), ord=1)
    (tensor(5.), tensor(7.))
    """
    B.check_array(x, "vector_norm")
    B.check_dtype(x, "floating-point", "vector_norm")
    dims = B.normalize_axes(axis, x.ndim, "vector_norm")
    if ord == 0:
        return R.Sum.apply(x != 0, dims, keepdims, x.dtype.to_real().np)
    if ord == -math.inf:
        return R.Amin.apply(x.abs(), dims, keepdims)
    if ord > 0:
        return R.Norm.apply(x, float(ord), dims, keepdims)
    return R.Sum.apply(x.abs() ** ord, dims, keepdims, None) ** (1.0 / ord)
