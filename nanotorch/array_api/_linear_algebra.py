"""The linear algebra functions of the main namespace: ``matmul``, ``matrix_transpose``,
``tensordot``, ``vecdot``. All differentiable: they are the core's ``Matmul``
and views, composed.
"""
from __future__ import annotations

import math

from ..ops import linalg as L, reduce as R
from . import _base as B

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]


def _pair(x1, x2, name):
    B.check_array(x1, name, "x1")
    B.check_array(x2, name, "x2")
    B.check_dtype(x1, "numeric", name)
    B.check_dtype(x2, "numeric", name)
    target = B.promote(x1.dtype, x2.dtype)
    return B.cast(x1, target), B.cast(x2, target)


def matmul(x1, x2, /):
    """The matrix product, numpy-style: (..., n, k) @ (..., k, m) -> (..., n, m) with batch dims
    broadcasting; a 1-D operand is a vector (its dim is removed from the result).

    >>> from nanotorch import array_api as xp
    >>> xp.matmul(xp.asarray([[1.0, 2.0]]), xp.asarray([[3.0], [4.0]]))
    tensor([[11.]])
    """
    a, b = _pair(x1, x2, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul(): zero-dimensional arrays are not allowed")
    try:
        return L.matmul(a, b)
    except RuntimeError as err:
        raise ValueError(str(err)) from None


def matrix_transpose(x, /):
    """The last two axes swapped: (..., m, n) -> (..., n, m), a view.

    >>> from nanotorch import array_api as xp
    >>> xp.matrix_transpose(xp.zeros((5, 2, 3))).shape
    nanotorch.Size([5, 3, 2])
    """
    B.check_array(x, "matrix_transpose")
    if x.ndim < 2:
        raise ValueError("matrix_transpose(): x must have at least 2 dimensions")
    return x.mT


def tensordot(x1, x2, /, *, axes=2):
    """Sum of products over the given axes: ``axes=k`` contracts the last k axes of x1 with the
    first k of x2; ``axes=(a1, a2)`` pairs the listed axes. Result: the remaining axes of x1,
    then of x2.

    >>> from nanotorch import array_api as xp
    >>> xp.tensordot(xp.ones((2, 3, 4)), xp.ones((3, 4, 5)), axes=2).shape
    nanotorch.Size([2, 5])
    """
    a, b = _pair(x1, x2, "tensordot")
    if isinstance(axes, int):
        if axes < 0:
            raise ValueError("tensordot(): axes must be non-negative")
        ax1 = list(range(a.ndim - axes, a.ndim))
        ax2 = list(range(axes))
    else:
        ax1, ax2 = ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                    [axes[1]] if isinstance(axes[1], int) else list(axes[1]))
        ax1 = [B.normalize_axis(i, a.ndim, "tensordot") for i in ax1]
        ax2 = [B.normalize_axis(i, b.ndim, "tensordot") for i in ax2]
    if len(ax1) != len(ax2) or any(a.shape[i] != b.shape[j] for i, j in zip(ax1, ax2)):
        raise ValueError(f"tensordot(): the contracted axes of shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)} do not match")
    free1 = [i for i in range(a.ndim) if i not in ax1]
    free2 = [j for j in range(b.ndim) if j not in ax2]
    k = math.prod(a.shape[i] for i in ax1)
    left = a.permute(free1 + ax1).reshape(math.prod(a.shape[i] for i in free1), k)
    right = b.permute(ax2 + free2).reshape(k, math.prod(b.shape[j] for j in free2))
    out_shape = tuple(a.shape[i] for i in free1) + tuple(b.shape[j] for j in free2)
    return L.Matmul.apply(left, right).reshape(out_shape)


def vecdot(x1, x2, /, *, axis=-1):
    """The dot product ``sum(conj(x1) * x2)`` along ``axis`` (negative: counted after
    broadcasting); other dims broadcast.

    >>> from nanotorch import array_api as xp
    >>> xp.vecdot(xp.asarray([[1.0, 2.0], [3.0, 4.0]]), xp.asarray([1.0, 1.0]))
    tensor([3., 7.])
    """
    a, b = _pair(x1, x2, "vecdot")
    ndim = max(a.ndim, b.ndim)
    if not -ndim <= axis < 0 and not (axis >= 0 and a.ndim == b.ndim and axis < ndim):
        raise ValueError(f"vecdot(): axis {axis} is out of bounds")
    s1 = (1,) * (ndim - a.ndim) + tuple(a.shape)
    s2 = (1,) * (ndim - b.ndim) + tuple(b.shape)
    if s1[axis] != s2[axis]:
        raise ValueError("vecdot(): x1 and x2 must have the same size along axis")
    if a.dtype in B.COMPLEX_FLOATING:
        a = a.conj()
    product = a * b
    return R.Sum.apply(product, (axis % ndim,), False, product._data.dtype)
