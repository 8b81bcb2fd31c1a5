"""Tensor's reductions: sum, mean, max/min (with indices), var, norm, softmax, ...

``dim`` is None (all dims), an int or a tuple, as in torch; the ops live in
``nanotorch.ops.reduce``.
"""
from __future__ import annotations

import collections

from . import _dtype
from .ops import elementwise as E, reduce as R
from .ops._util import broadcast_shapes, normalize_dim, normalize_dims, shape_arg, tensor_type, wrap

values_indices = collections.namedtuple("values_indices", ["values", "indices"])


class ReductionMethods:
    """Mixin with Tensor's reduction methods (the class is in ``tensor.py``)."""

    __slots__ = ()

    # --- reductions -------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """Sum over ``dim`` (int, tuple or None for all)."""
        dims = normalize_dims(dim, self._data.ndim)
        return R.Sum.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def nansum(self, dim=None, keepdim=False):
        return self.masked_fill(self.isnan(), 0).sum(dim, keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        """Mean over ``dim`` (int, tuple or None for all); floating tensors only."""
        dims = normalize_dims(dim, self._data.ndim)
        return R.Mean.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        dims = normalize_dims(dim, self._data.ndim) if not isinstance(dim, int) else (
            normalize_dim(dim, self._data.ndim),)
        return R.Prod.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def amax(self, dim=(), keepdim=False):
        """Max over dims (all when ``dim=()``); ties share the gradient."""
        dims = normalize_dims(None if dim == () else dim, self._data.ndim)
        return R.Amax.apply(self, dims, keepdim)

    def amin(self, dim=(), keepdim=False):
        dims = normalize_dims(None if dim == () else dim, self._data.ndim)
        return R.Amin.apply(self, dims, keepdim)

    def _extreme(self, dim, keepdim, other, kernel, reducer, elementwise):
        if isinstance(dim, tensor_type()):
            other, dim = dim, None
        if other is not None:
            return elementwise(self, other)
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{kernel}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
            return reducer.apply(self, tuple(range(self._data.ndim)), False)
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
        """``max()`` of all elements, ``max(dim)`` -> (values, indices), or ``max(other)`` elementwise."""
        return self._extreme(dim, keepdim, other, "max", R.Amax, E.Maximum.apply)

    def min(self, dim=None, keepdim=False, other=None):
        """``min()``, ``min(dim)`` -> (values, indices), or ``min(other)`` elementwise."""
        return self._extreme(dim, keepdim, other, "min", R.Amin, E.Minimum.apply)

    def argmax(self, dim=None, keepdim=False):
        return R.argextreme(self, dim, keepdim, "argmax")

    def argmin(self, dim=None, keepdim=False):
        return R.argextreme(self, dim, keepdim, "argmin")

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Variance over ``dim`` with Bessel's ``correction`` (1 unless given)."""
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        if self._data.dtype.kind not in "fc":
            raise RuntimeError(f"std and var only support floating point and complex dtypes, "
                               f"got {self.dtype}")
        dims = normalize_dims(dim, self._data.ndim)
        n = 1
        for d in dims:
            n *= self._data.shape[d]
        centred = self - self.mean(dims, keepdim=True)
        return (centred * centred).sum(dims, keepdim=keepdim) / max(n - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Standard deviation: ``var(...).sqrt()``."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def norm(self, p="fro", dim=None, keepdim=False):
        """The p-norm over ``dim`` (all elements by default); ``'fro'`` is the 2-norm."""
        if self._data.dtype.kind not in "fc":
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                               f"as input. Got {self.dtype}")
        if p == "fro" or p is None:
            p = 2
        if p == "nuc":
            raise RuntimeError("nuclear norm is not supported; use nanotorch.linalg.svdvals")
        p = float(p)
        if p <= 0:
            return (self != 0).sum(dim, keepdim).to(self.dtype) if p == 0 else \
                (self.abs() ** p).sum(dim, keepdim) ** (1 / p)
        return R.Norm.apply(self, p, normalize_dims(dim, self._data.ndim), keepdim)

    def logsumexp(self, dim, keepdim=False):
        """log(sum(exp(x))) over ``dim``, stable for large inputs."""
        return R.LogSumExp.apply(self, normalize_dims(dim, self._data.ndim), keepdim)

    def softmax(self, dim, dtype=None):
        """exp(x) / sum(exp(x)) along ``dim``."""
        x = self if dtype is None else self.to(dtype)
        return R.Softmax.apply(x, normalize_dim(dim, self._data.ndim))

    def log_softmax(self, dim, dtype=None):
        """x - logsumexp(x) along ``dim``."""
        x = self if dtype is None else self.to(dtype)
        return R.LogSoftmax.apply(x, normalize_dim(dim, self._data.ndim))

    def cumsum(self, dim, *, dtype=None):
        return R.Cumsum.apply(self, normalize_dim(dim, self._data.ndim),
                              None if dtype is None else _dtype.to_dtype(dtype).np)

    def all(self, dim=None, keepdim=False):
        axis = None if dim is None else normalize_dims(dim, self._data.ndim)
        return wrap(self._backend.all(self._data, axis=axis, keepdims=keepdim), self._backend)

    def any(self, dim=None, keepdim=False):
        axis = None if dim is None else normalize_dims(dim, self._data.ndim)
        return wrap(self._backend.any(self._data, axis=axis, keepdims=keepdim), self._backend)

    def count_nonzero(self, dim=None):
        return (self != 0).sum(dim)

    def sum_to_size(self, *size):
        """Sum broadcast dims so the result has ``size`` (the reverse of ``expand``)."""
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
