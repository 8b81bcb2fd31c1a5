"""Tensor's reductions: sum, mean, max/min (with indices), var, norm, softmax, ...

``dim`` is None (all dims), an int or a tuple, as in torch; the ops live in
``nanotorch.ops.reduce``.
"""
from __future__ import annotations

import collections
import math

from . import _dtype
from .ops import elementwise as E, reduce as R
from .ops._util import broadcast_shapes, normalize_dim, normalize_dims, shape_arg, tensor_type, wrap

values_indices = collections.namedtuple("values_indices", ["values", "indices"])



def _reduced_dims(t, dim):
    """The dims a sum-like reduction runs over: torch reads ``dim=()`` (or ``[]``) as all of
    them, like None (``any`` and ``all`` read it as none)."""
    if isinstance(dim, (tuple, list)) and not dim:
        dim = None
    return normalize_dims(dim, t._data.ndim)


def _all_dims_of_nonempty(t, dim, name):
    """amax/amin's dims: ``dim=()`` means all, which an empty tensor cannot reduce."""
    if dim == () or dim is None:
        if t._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        dim = None
    return normalize_dims(dim, t._data.ndim)

class ReductionMethods:
    """Mixin with Tensor's reduction methods (the class is in ``tensor.py``)."""

    __slots__ = ()

    # --- reductions -------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum of the elements over ``dim`` (an int, a tuple, or None for all).

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``). Integer and bool inputs sum to int64 unless ``dtype`` is
        given. The gradient is the output's, broadcast back (the lecture's Sum).

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1, 2, 3], [4, 5, 6]])
        >>> x.sum(), x.sum(0), x.sum(1, keepdim=True).shape
        (tensor(21), tensor([5, 7, 9]), nanotorch.Size([2, 1]))
        """
        dims = _reduced_dims(self, dim)
        return R.Sum.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def nansum(self, dim=None, keepdim=False):
        """:meth:`sum` treating ``nan`` as zero.

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``); ``nan`` elements get no gradient.

        >>> import nanotorch
        >>> from math import nan
        >>> nanotorch.tensor([1.0, nan, 2.0]).nansum()
        tensor(3.)
        """
        return self.masked_fill(self.isnan(), 0).sum(dim, keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        """The mean of the elements over ``dim`` (an int, a tuple, or None for all).

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``). Floating inputs only, unless a floating ``dtype`` is given.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.mean(), x.mean(dim=0)
        (tensor(2.5000), tensor([2., 3.]))
        """
        dims = _reduced_dims(self, dim)
        return R.Mean.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """The product of the elements over ``dim`` (None for all).

        ``(d0, ..., dn)`` -> the same with ``dim`` removed (kept as 1 with
        ``keepdim=True``); integer and bool inputs give int64 unless ``dtype`` is
        given. The gradient is right with zeros in the input too.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.prod(), x.prod(1)
        (tensor(24.), tensor([ 2., 12.]))
        """
        dims = normalize_dims(dim, self._data.ndim)
        return R.Prod.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def amax(self, dim=(), keepdim=False):
        """The largest element over ``dim`` (all dims when ``dim=()`` or None).

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``). Ties share the gradient equally; :meth:`max` also gives
        the indices.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 5.0], [3.0, 4.0]])
        >>> x.amax(), x.amax(0)
        (tensor(5.), tensor([3., 5.]))
        """
        return R.Amax.apply(self, _all_dims_of_nonempty(self, dim, "amax"), keepdim)

    def amin(self, dim=(), keepdim=False):
        """The smallest element over ``dim`` (all dims when ``dim=()`` or None).

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``). Ties share the gradient equally; :meth:`min` also gives
        the indices.

        >>> import nanotorch
        >>> nanotorch.tensor([[1.0, 5.0], [3.0, 4.0]]).amin(1, keepdim=True)
        tensor([[1.],
                [3.]])
        """
        return R.Amin.apply(self, _all_dims_of_nonempty(self, dim, "amin"), keepdim)

    def _extreme(self, dim, keepdim, other, kernel, reducer, elementwise):
        if isinstance(dim, tensor_type()):
            other, dim = dim, None
        if other is not None:
            return elementwise(self, other)
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{kernel}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
            return reducer.apply(self, tuple(range(self._data.ndim)), False, True)
        if not self._data.ndim:
            return values_indices(self.clone(), R.argextreme(self, dim, keepdim, "arg" + kernel))
        d = normalize_dim(dim, self._data.ndim)
        if self._data.shape[d] == 0:
            raise IndexError(f"{kernel}(): Expected reduction dim {d} to have non-zero size.")
        backend = self._backend
        values, index = backend.extreme_along(self._data, d, kernel == "max")
        values = R.MaxDim.apply(self, d, keepdim, values, index)
        indices = wrap(backend.expand_dims(index, d) if keepdim else index, backend)
        return values_indices(values, indices)

    def max(self, dim=None, keepdim=False, other=None):
        """The largest element, ``(values, indices)`` along one dim, or the elementwise maximum.

        ``max()``: ``(*)`` -> ``()``, ties share the gradient. ``max(dim)``:
        ``(d0, ..., dn)`` -> a named tuple of ``values`` and int64 ``indices``, each
        with ``dim`` removed (kept as 1 with ``keepdim=True``); the gradient goes to
        the element at the index. ``max(other)`` is :meth:`maximum`.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 5.0], [3.0, 4.0]])
        >>> x.max(), x.max(1).values, x.max(1).indices
        (tensor(5.), tensor([5., 4.]), tensor([1, 1]))
        """
        return self._extreme(dim, keepdim, other, "max", R.Amax, E.Maximum.apply)

    def min(self, dim=None, keepdim=False, other=None):
        """The smallest element, ``(values, indices)`` along one dim, or the elementwise minimum.

        ``min()``: ``(*)`` -> ``()``, ties share the gradient. ``min(dim)``:
        ``(d0, ..., dn)`` -> a named tuple of ``values`` and int64 ``indices``, each
        with ``dim`` removed (kept as 1 with ``keepdim=True``). ``min(other)`` is
        :meth:`minimum`.

        >>> import nanotorch
        >>> values, indices = nanotorch.tensor([[1.0, 5.0], [3.0, 4.0]]).min(0)
        >>> values, indices
        (tensor([1., 4.]), tensor([0, 1]))
        """
        return self._extreme(dim, keepdim, other, "min", R.Amin, E.Minimum.apply)

    def argmax(self, dim=None, keepdim=False):
        """The int64 index of the largest element along ``dim`` (the first of ties).

        ``(d0, ..., dn)`` -> the same with ``dim`` removed (kept as 1 with
        ``keepdim=True``); with ``dim=None`` the index into the flattened tensor.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 5.0], [3.0, 4.0]])
        >>> x.argmax(), x.argmax(1)
        (tensor(1), tensor([1, 1]))
        """
        return R.argextreme(self, dim, keepdim, "argmax")

    def argmin(self, dim=None, keepdim=False):
        """The int64 index of the smallest element along ``dim`` (the first of ties).

        ``(d0, ..., dn)`` -> the same with ``dim`` removed (kept as 1 with
        ``keepdim=True``); with ``dim=None`` the index into the flattened tensor.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1.0, 5.0], [3.0, 4.0]])
        >>> x.argmin(), x.argmin(0)
        (tensor(0), tensor([0, 1]))
        """
        return R.argextreme(self, dim, keepdim, "argmin")

    def argsort(self, dim=-1, descending=False, stable=False):
        """The int64 indices that sort the tensor along ``dim``: ``(*)`` -> ``(*)``.

        The sort is always stable (equal values keep their order), and NaN
        counts as the largest value, as in torch; ``stable`` is accepted for
        torch compatibility.

        >>> import nanotorch
        >>> nanotorch.tensor([[3.0, 1.0, 2.0]]).argsort(descending=True)
        tensor([[0, 2, 1]])
        """
        d = normalize_dim(dim, self._data.ndim)
        if not self._data.ndim:
            return wrap(self._backend.xp.zeros((), dtype="int64"), self._backend)
        return wrap(self._backend.sort_order(self._data, d, bool(descending)), self._backend)

    def sort(self, dim=-1, descending=False, stable=False):
        """The sorted values along ``dim`` and where they came from: ``(values, indices)``.

        ``(*)`` -> a named tuple of two ``(*)`` tensors, ``indices`` int64, in
        :meth:`argsort`'s order. The gradient of ``values`` flows back to the
        elements they came from.

        >>> import nanotorch
        >>> values, indices = nanotorch.tensor([3.0, 1.0, 2.0]).sort()
        >>> values, indices
        (tensor([1., 2., 3.]), tensor([1, 2, 0]))
        """
        indices = self.argsort(dim, descending, stable)
        if not self._data.ndim:
            return values_indices(self.clone(), indices)
        return values_indices(self.gather(dim, indices), indices)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The ``k`` largest (or, with ``largest=False``, smallest) elements along ``dim``.

        ``(..., n, ...)`` -> a named tuple ``(values, indices)`` of
        ``(..., k, ...)`` tensors, in sorted order, ties broken by position.
        ``k`` larger than the dim raises RuntimeError, as in torch.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 4.0, 2.0, 4.0]).topk(2)
        values_indices(values=tensor([4., 4.]), indices=tensor([1, 3]))
        """
        d = normalize_dim(dim, self._data.ndim)
        size = self._data.shape[d] if self._data.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"selected index k out of range (k={k}, size of dim {dim} is {size})")
        if not self._data.ndim:  # a scalar is its own top element
            return self.sort()
        indices = self.argsort(d, descending=largest).narrow(d, 0, k)
        return values_indices(self.gather(d, indices), indices)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The variance over ``dim``: ``sum((x - mean)**2) / (N - correction)``.

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``). ``correction`` is 1 (Bessel's) unless given or
        ``unbiased=False``; floating inputs only.

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.0, 2.0, 3.0, 4.0])
        >>> x.var(), x.var(correction=0)
        (tensor(1.6667), tensor(1.2500))
        """
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        if self._data.dtype.kind not in "fc":
            raise RuntimeError(f"std and var only support floating point and complex dtypes, "
                               f"got {self.dtype}")
        dims = _reduced_dims(self, dim)
        n = 1
        for d in dims:
            n *= self._data.shape[d]
        centred = self - self.mean(dims, keepdim=True)
        return (centred * centred).sum(dims, keepdim=keepdim) / max(n - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """The standard deviation over ``dim``: ``var(...).sqrt()``, same arguments as :meth:`var`.

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``); floating inputs only.

        >>> import nanotorch
        >>> nanotorch.tensor([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).std(correction=0)
        tensor(2.)
        """
        return R.StdFromVar.apply(self.var(dim, unbiased, keepdim, correction=correction))

    def norm(self, p="fro", dim=None, keepdim=False):
        """The vector p-norm ``sum(|x|**p) ** (1/p)`` over ``dim`` (all elements by default).

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``). ``p='fro'`` is 2, ``inf`` the largest ``|x|``, 0 the
        count of nonzeros; floating inputs only.

        >>> import nanotorch
        >>> from math import inf
        >>> x = nanotorch.tensor([3.0, -4.0])
        >>> x.norm(), x.norm(1), x.norm(inf)
        (tensor(5.), tensor(7.), tensor(4.))
        """
        if self._data.dtype.kind not in "fc":
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                               f"as input. Got {self.dtype}")
        if p == "fro" or p is None:
            p = 2
        if p == "nuc":
            raise RuntimeError("nuclear norm is not supported; use nanotorch.linalg.svdvals")
        p = float(p)
        if -math.inf < p <= 0:
            return (self != 0).sum(dim, keepdim).to(self.dtype) if p == 0 else \
                (self.abs() ** p).sum(dim, keepdim) ** (1 / p)
        return R.Norm.apply(self, p, _reduced_dims(self, dim), keepdim)

    def logsumexp(self, dim, keepdim=False):
        """``log(sum(exp(x)))`` over ``dim``, without overflow for large inputs.

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``); integer inputs give the default float dtype. The gradient
        is ``softmax(x)``.

        >>> import nanotorch
        >>> nanotorch.tensor([[1000.0, 1000.0], [0.0, 0.0]]).logsumexp(1)
        tensor([1.0007e+03, 6.9315e-01])
        """
        return R.LogSumExp.apply(self, _reduced_dims(self, dim), keepdim)

    def softmax(self, dim, dtype=None):
        """``exp(x) / sum(exp(x))`` along ``dim``, computed stably: ``(*)`` -> ``(*)``.

        Each slice along ``dim`` is positive and sums to 1; ``dtype`` casts the
        input first.

        >>> import nanotorch
        >>> nanotorch.tensor([[1.0, 2.0, 3.0]]).softmax(dim=1)
        tensor([[0.0900, 0.2447, 0.6652]])
        """
        x = self if dtype is None else self.to(dtype)
        return R.Softmax.apply(x, normalize_dim(dim, self._data.ndim))

    def log_softmax(self, dim, dtype=None):
        """``x - logsumexp(x)`` along ``dim``: the log of :meth:`softmax`, computed stably.

        ``(*)`` -> ``(*)``; ``dtype`` casts the input first.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0, 3.0]).log_softmax(0)
        tensor([-2.4076, -1.4076, -0.4076])
        """
        x = self if dtype is None else self.to(dtype)
        return R.LogSoftmax.apply(x, normalize_dim(dim, self._data.ndim))

    def cumsum(self, dim, *, dtype=None):
        """Running sums along ``dim``: ``(*)`` -> ``(*)``.

        Integer and bool inputs give int64 unless ``dtype`` is given.

        >>> import nanotorch
        >>> nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]]).cumsum(1)
        tensor([[1., 3.],
                [3., 7.]])
        """
        return R.Cumsum.apply(self, normalize_dim(dim, self._data.ndim),
                              None if dtype is None else _dtype.to_dtype(dtype).np)

    def all(self, dim=None, keepdim=False):
        """True when every element over ``dim`` is nonzero (None for all dims), bool.

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``).

        >>> import nanotorch
        >>> x = nanotorch.tensor([[True, False], [True, True]])
        >>> x.all(), x.all(1)
        (tensor(False), tensor([False,  True]))
        """
        axis = None if dim is None else normalize_dims(dim, self._data.ndim)
        return wrap(self._backend.all(self._data, axis=axis, keepdims=keepdim), self._backend)

    def any(self, dim=None, keepdim=False):
        """True when some element over ``dim`` is nonzero (None for all dims), bool.

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed (kept as 1 with
        ``keepdim=True``).

        >>> import nanotorch
        >>> x = nanotorch.tensor([[True, False], [False, False]])
        >>> x.any(), x.any(1)
        (tensor(True), tensor([ True, False]))
        """
        axis = None if dim is None else normalize_dims(dim, self._data.ndim)
        return wrap(self._backend.any(self._data, axis=axis, keepdims=keepdim), self._backend)

    def count_nonzero(self, dim=None):
        """The int64 number of nonzero elements over ``dim`` (an int, a tuple, or None for all).

        ``(d0, ..., dn)`` -> the same with the ``dim`` dims removed.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[0, 1, 2], [0, 0, 3]])
        >>> x.count_nonzero(), x.count_nonzero(1)
        (tensor(3), tensor([2, 1]))
        """
        return (self != 0).sum(dim)

    def sum_to_size(self, *size):
        """Sum the broadcast dims away so the result has shape ``size`` (undoes ``expand``).

        ``(d0, ..., dn)`` -> ``size``, which must broadcast to the input's shape;
        the same tensor is returned when the shapes already match.

        >>> import nanotorch
        >>> nanotorch.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
        """
        size = shape_arg(size)
        if tuple(self._data.shape) == size:
            return self
        try:
            if broadcast_shapes(size, self._data.shape) != tuple(self._data.shape):
                raise RuntimeError
        except RuntimeError:
            raise RuntimeError(f"size {{{list(size)}}} is not expandable to size "
                               f"{{{list(self.shape)}}}.") from None
        return R.SumToSize.apply(self, size)
