"""The math, reduction, shape and indexing methods of ``Tensor``.

Each method validates and normalises its arguments the way torch does, then
calls one op from ``nanotorch.ops``. In-place variants (``add_``, ...) share
one rule (see ``_inplace``): compute out of place, then write the result
into this tensor's memory and bump its version counter.
"""
from __future__ import annotations

import collections

from . import _dtype
from .autograd.function import bump_version
from .autograd.grad_mode import state as _grad_state
from .ops import elementwise as E, index as I, linalg as L, reduce as R, shape as S
from .ops._util import (wrap, as_scalar, normalize_dim, normalize_dims, scalar_type_name, shape_arg,
                        tensor_type, broadcast_shapes)

# The hottest ops, bound once: ``x * y`` is on every model's critical path.
_add, _sub, _mul, _div, _pow, _neg = (E.Add.apply, E.Sub.apply, E.Mul.apply, E.Div.apply,
                                      E.Pow.apply, E.Neg.apply)

values_indices = collections.namedtuple("values_indices", ["values", "indices"])


def _dims_arg(dim, ndim):
    """dim=None, an int, or a tuple: the sorted dims to reduce over."""
    return normalize_dims(dim, ndim)


def _refuse_inplace_on_view(node):
    """An in-place op on a view of a graph tensor: raise rather than return a wrong gradient.

    The view's base keeps its old history, so its gradient would ignore the
    write (torch rebuilds the base's history; nanotorch does not).
    """
    while getattr(node, "is_view", False) and node.next_functions and node.next_functions[0]:
        node = node.next_functions[0][0]
    if node.name() == "AccumulateGrad":
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    raise RuntimeError(
        f"an in-place operation on a view of a tensor made by {node.name()} is not supported "
        "while recording gradients: the base would keep a gradient that ignores the write. "
        "Use an out-of-place op, or clone() the view before modifying it.")


class TensorMethods:
    """Mixin holding Tensor's computing methods (see ``tensor.py`` for the class)."""

    __slots__ = ()

    # --- arithmetic ------------------------------------------------------------
    def __add__(self, other):
        return _add(self, other)

    def __radd__(self, other):
        return _add(other, self)

    def __sub__(self, other):
        return _sub(self, other)

    def __rsub__(self, other):
        return _sub(other, self)

    def __mul__(self, other):
        return _mul(self, other)

    def __rmul__(self, other):
        return _mul(other, self)

    def __truediv__(self, other):
        return _div(self, other)

    def __rtruediv__(self, other):
        return _div(other, self)

    def __floordiv__(self, other):
        return E.FloorDivide.apply(self, other)

    def __rfloordiv__(self, other):
        return E.FloorDivide.apply(other, self)

    def __mod__(self, other):
        return E.Remainder.apply(self, other)

    def __rmod__(self, other):
        return E.Remainder.apply(other, self)

    def __pow__(self, other):
        return _pow(self, other)

    def __rpow__(self, other):
        return _pow(other, self)

    def __matmul__(self, other):
        if not isinstance(other, tensor_type()):
            return NotImplemented
        return L.matmul(self, other)

    def __rmatmul__(self, other):
        if not isinstance(other, tensor_type()):
            return NotImplemented
        return L.matmul(other, self)

    def __neg__(self):
        return _neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return E.Abs.apply(self)

    def __invert__(self):
        if self._data.dtype.kind == "b":
            return self.logical_not()
        if self._data.dtype.kind not in "iu":
            raise TypeError(f"~ (bitwise_not) is only supported for integer and bool tensors, "
                            f"got {self.dtype}")
        return self._unary_raw("bitwise_not")

    def __and__(self, other):
        return E.compare("bitwise_and", self, other)

    __rand__ = __and__

    def __or__(self, other):
        return E.compare("bitwise_or", self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return E.compare("bitwise_xor", self, other)

    __rxor__ = __xor__

    def __lshift__(self, other):
        return E.compare("left_shift", self, other)

    def __rshift__(self, other):
        return E.compare("right_shift", self, other)

    def __rlshift__(self, other):
        return E.compare("left_shift", other, self)

    def __rrshift__(self, other):
        return E.compare("right_shift", other, self)

    def __eq__(self, other):
        return E.compare("equal", self, other)

    def __ne__(self, other):
        return E.compare("not_equal", self, other)

    def __lt__(self, other):
        return E.compare("less", self, other)

    def __le__(self, other):
        return E.compare("less_equal", self, other)

    def __gt__(self, other):
        return E.compare("greater", self, other)

    def __ge__(self, other):
        return E.compare("greater_equal", self, other)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # The rest of torch's augmented assignments write into this tensor too (the
    # result must cast to its dtype), so aliases see the update.
    def __ifloordiv__(self, other):
        return self._inplace(lambda old: old // other, other)

    def __imod__(self, other):
        return self._inplace(lambda old: old % other, other)

    def __ipow__(self, other):
        return self.pow_(other)

    def __iand__(self, other):
        return self._inplace(lambda old: old & other, other)

    def __ior__(self, other):
        return self._inplace(lambda old: old | other, other)

    def __ixor__(self, other):
        return self._inplace(lambda old: old ^ other, other)

    def __ilshift__(self, other):
        return self._inplace(lambda old: old << other, other)

    def __irshift__(self, other):
        return self._inplace(lambda old: old >> other, other)

    def _unary_raw(self, kernel):
        from .ops._util import wrap
        return wrap(getattr(self._backend, kernel)(self._data), self._backend)

    def add(self, other, *, alpha=1):
        """self + alpha * other, broadcasting."""
        return _add(self, other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        """self - alpha * other, broadcasting."""
        return _sub(self, other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other):
        return _mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """True division, or ``rounding_mode='floor'|'trunc'``."""
        if rounding_mode is None:
            return _div(self, other)
        if rounding_mode == "floor":
            return E.FloorDivide.apply(self, other)
        if rounding_mode == "trunc":
            q = _div(self, other).trunc()
            return q if self.is_floating_point() else q.to(self.dtype)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")

    divide = true_divide = div

    def floor_divide(self, other):
        return E.FloorDivide.apply(self, other)

    def remainder(self, other):
        return E.Remainder.apply(self, other)

    def fmod(self, other):
        return E.Fmod.apply(self, other)

    def pow(self, exponent):
        return _pow(self, exponent)

    def float_power(self, exponent):
        return _pow(self.double(), exponent)

    def atan2(self, other):
        return E.Atan2.apply(self, other)

    arctan2 = atan2

    def maximum(self, other):
        return E.Maximum.apply(self, other)

    def minimum(self, other):
        return E.Minimum.apply(self, other)

    def matmul(self, other):
        return L.matmul(self, other)

    def mm(self, mat2):
        """Matrix product of two 2-D tensors: (n, m) @ (m, p) -> (n, p)."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2D tensors, got {self.ndim}D and {mat2.ndim}D")
        return L.matmul(self, mat2)

    def bmm(self, mat2):
        """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
        if self.ndim != 3 or mat2.ndim != 3:
            raise RuntimeError(f"bmm: expected 3D tensors, got {self.ndim}D and {mat2.ndim}D")
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: {self.shape[0]} and {mat2.shape[0]}")
        return L.matmul(self, mat2)

    def dot(self, other):
        """Inner product of two 1-D tensors of the same length."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        if self.shape[0] != other.shape[0]:
            raise RuntimeError("inconsistent tensor size, expected tensor [{}] and src [{}] to have "
                               "the same number of elements, but got {} and {} elements "
                               "respectively".format(self.shape[0], other.shape[0],
                                                     self.shape[0], other.shape[0]))
        return L.matmul(self, other)

    inner = dot

    def outer(self, vec2):
        """Outer product of 1-D tensors: (n,), (m,) -> (n, m)."""
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expected 1D tensors, got {self.ndim}D and {vec2.ndim}D")
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer

    def mv(self, vec):
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"mv: expected a 2D matrix and a 1D vector, got {self.ndim}D and {vec.ndim}D")
        return L.matmul(self, vec)

    # --- maps --------------------------------------------------------------------
    def neg(self):
        return _neg(self)

    negative = neg

    def abs(self):
        return E.Abs.apply(self)

    absolute = abs

    def exp(self):
        return E.Exp.apply(self)

    def expm1(self):
        return E.Expm1.apply(self)

    def log(self):
        return E.Log.apply(self)

    def log2(self):
        return E.Log2.apply(self)

    def log10(self):
        return E.Log10.apply(self)

    def log1p(self):
        return E.Log1p.apply(self)

    def sqrt(self):
        return E.Sqrt.apply(self)

    def rsqrt(self):
        return E.Rsqrt.apply(self)

    def square(self):
        return _mul(self, self)

    def sin(self):
        return E.Sin.apply(self)

    def cos(self):
        return E.Cos.apply(self)

    def tan(self):
        return E.Tan.apply(self)

    def asin(self):
        return E.Asin.apply(self)

    def acos(self):
        return E.Acos.apply(self)

    def atan(self):
        return E.Atan.apply(self)

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self):
        return E.Sinh.apply(self)

    def cosh(self):
        return E.Cosh.apply(self)

    def tanh(self):
        return E.Tanh.apply(self)

    def sigmoid(self):
        return E.Sigmoid.apply(self)

    def relu(self):
        return E.Relu.apply(self)

    def reciprocal(self):
        """1 / x (the lecture's Inv)."""
        return E.Reciprocal.apply(self)

    def sign(self):
        return E.Sign.apply(self)

    sgn = sign

    def floor(self):
        return E.Floor.apply(self)

    def ceil(self):
        return E.Ceil.apply(self)

    def trunc(self):
        return E.Trunc.apply(self)

    fix = trunc

    def round(self, *, decimals=0):
        return E.Round.apply(self, decimals)

    def frac(self):
        return self - self.trunc()

    def clamp(self, min=None, max=None):
        """Limit values to [min, max]; either bound may be None, a number or a tensor."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if min is not None and not isinstance(min, tensor_type()):
            min = as_scalar(min, "min")
        if max is not None and not isinstance(max, tensor_type()):
            max = as_scalar(max, "max")
        return E.Clamp.apply(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return self.clamp(min=min)

    def clamp_max(self, max):
        return self.clamp(max=max)

    def where(self, condition, other):
        """Elements of self where ``condition`` holds, else of ``other``."""
        return E.Where.apply(condition, self, other)

    def masked_fill(self, mask, value):
        """Copy with ``value`` where ``mask`` is True (mask broadcasts to self)."""
        if not isinstance(mask, tensor_type()) or mask._data.dtype.kind != "b":
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{getattr(mask, 'dtype', type(mask).__name__)}")
        broadcast_shapes(mask.shape, self.shape)
        if isinstance(value, tensor_type()):
            if value.ndim:
                raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                                   f"got tensor with {value.ndim} dimension(s).")
            value = value.to(self.dtype)
        else:
            value = as_scalar(value, "value")
        out = E.Where.apply(mask, value, self)
        if out._data.dtype != self._data.dtype:
            out = out.to(self.dtype)
        return out

    def lerp(self, end, weight):
        return self + weight * (end - self)

    def logical_not(self):
        return self._unary_raw("logical_not")

    def logical_and(self, other):
        return E.compare("logical_and", self, other)

    def logical_or(self, other):
        return E.compare("logical_or", self, other)

    def logical_xor(self, other):
        return E.compare("logical_xor", self, other)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self, other):
        """True when both tensors have the same shape and elements."""
        return self.shape == other.shape and bool((self == other).all())

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from .ops._util import wrap
        x, y, backend = E.binary_operands(self, other)
        return wrap(backend.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), backend)

    def isnan(self):
        return self._unary_raw("isnan")

    def isinf(self):
        return self._unary_raw("isinf")

    def isfinite(self):
        return self._unary_raw("isfinite")

    # --- reductions -------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """Sum over ``dim`` (int, tuple or None for all)."""
        dims = _dims_arg(dim, self._data.ndim)
        return R.Sum.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def nansum(self, dim=None, keepdim=False):
        return self.masked_fill(self.isnan(), 0).sum(dim, keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        """Mean over ``dim`` (int, tuple or None for all); floating tensors only."""
        dims = _dims_arg(dim, self._data.ndim)
        return R.Mean.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        dims = _dims_arg(dim, self._data.ndim) if not isinstance(dim, int) else (
            normalize_dim(dim, self._data.ndim),)
        return R.Prod.apply(self, dims, keepdim, None if dtype is None else _dtype.to_dtype(dtype).np)

    def amax(self, dim=(), keepdim=False):
        """Max over dims (all when ``dim=()``); ties share the gradient."""
        dims = _dims_arg(None if dim == () else dim, self._data.ndim)
        return R.Amax.apply(self, dims, keepdim)

    def amin(self, dim=(), keepdim=False):
        dims = _dims_arg(None if dim == () else dim, self._data.ndim)
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
        d = normalize_dim(dim, self._data.ndim)
        indices = R.argextreme(self, d, keepdim=False, kernel="arg" + kernel)
        values = R.MaxDim.apply(self, d, keepdim, indices._data) if self._data.ndim else self.clone()
        if keepdim and self._data.ndim:
            indices = indices.unsqueeze(d)
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
        dims = _dims_arg(dim, self._data.ndim)
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
        return R.Norm.apply(self, p, _dims_arg(dim, self._data.ndim), keepdim)

    def logsumexp(self, dim, keepdim=False):
        """log(sum(exp(x))) over ``dim``, stable for large inputs."""
        return R.LogSumExp.apply(self, _dims_arg(dim, self._data.ndim), keepdim)

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
        from .ops._util import wrap
        axis = None if dim is None else _dims_arg(dim, self._data.ndim)
        return wrap(self._backend.all(self._data, axis=axis, keepdims=keepdim), self._backend)

    def any(self, dim=None, keepdim=False):
        from .ops._util import wrap
        axis = None if dim is None else _dims_arg(dim, self._data.ndim)
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

    # --- shapes ------------------------------------------------------------------
    def view(self, *shape):
        """The same data seen with a new shape (no copy; -1 infers one dim)."""
        if len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type)):
            raise RuntimeError("view(dtype) is not supported; use .to(dtype)")
        return S.Reshape.apply(self, shape_arg(shape), True)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape(self, *shape):
        """A tensor with a new shape: a view when possible, else a copy."""
        shape = shape_arg(shape)
        if shape == self._data.shape:
            return self if not _grad_state.enabled or not self._requires_grad else \
                S.Reshape.apply(self, shape)
        return S.Reshape.apply(self, shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def permute(self, *dims):
        """Reorder dims: ``permute(2, 0, 1)``."""
        dims = shape_arg(dims, "dims")
        n = self._data.ndim
        if len(dims) != n:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                               f"not match the length of the desired ordering of dimensions i.e. "
                               f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
        dims = tuple(normalize_dim(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError(f"permute(): duplicate dims are not allowed, got {list(dims)}")
        return S.Permute.apply(self, dims)

    def transpose(self, dim0, dim1):
        """Swap two dims (a view)."""
        n = self._data.ndim
        d0, d1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
        order = list(range(n))
        order[d0], order[d1] = order[d1], order[d0]
        return S.Permute.apply(self, tuple(order))

    swapaxes = swapdims = transpose

    def t(self):
        """Transpose of a tensor of at most 2 dims."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self if self._data.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self):
        """All dims reversed."""
        return S.Permute.apply(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        """The last two dims swapped (a batch of matrix transposes)."""
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self):
        return self.mT.conj() if self.is_complex() else self.mT

    def conj(self):
        return self._unary_raw("conj") if self.is_complex() else self

    @property
    def real(self):
        return S.Real.apply(self) if self.is_complex() else self

    @property
    def imag(self):
        if not self.is_complex():
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return S.Imag.apply(self)

    def squeeze(self, dim=None):
        """Remove size-1 dims (all, or those in ``dim``)."""
        shape = self._data.shape
        if dim is None:
            dims = tuple(i for i, s in enumerate(shape) if s == 1)
        else:
            dims = tuple(d for d in _dims_arg(dim, self._data.ndim) if shape[d] == 1)
        if not dims:
            return self.view(shape) if self._requires_grad and _grad_state.enabled else self
        return S.Reshape.apply(self, tuple(s for i, s in enumerate(shape) if i not in dims))

    def unsqueeze(self, dim):
        """Insert a size-1 dim at ``dim``."""
        shape = list(self._data.shape)
        shape.insert(normalize_dim(dim, len(shape) + 1), 1)
        return S.Reshape.apply(self, tuple(shape))

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims ``start_dim..end_dim`` into one."""
        shape = self._data.shape
        if not shape:
            return self.reshape(1)
        s, e = normalize_dim(start_dim, len(shape)), normalize_dim(end_dim, len(shape))
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        merged = 1
        for size in shape[s:e + 1]:
            merged *= size
        return self.reshape(shape[:s] + (merged,) + shape[e + 1:])

    def unflatten(self, dim, sizes):
        """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
        shape = self._data.shape
        d = normalize_dim(dim, len(shape))
        sizes = tuple(sizes)
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        if -1 in sizes:
            sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
        elif known != shape[d]:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                               f"size of dim {dim} ({shape[d]}) in the input tensor")
        return self.reshape(shape[:d] + sizes + shape[d + 1:])

    def expand(self, *sizes):
        """Broadcast to ``sizes`` without copying; -1 keeps a dim."""
        sizes = shape_arg(sizes)
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(f"expand({self.dtype}{list(shape)}, size={list(sizes)}): the number "
                               f"of sizes provided ({len(sizes)}) must be greater or equal to the "
                               f"number of dimensions in the tensor ({len(shape)})")
        lead = len(sizes) - len(shape)
        target = []
        for i, s in enumerate(sizes):
            if s == -1:
                if i < lead:
                    raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
                s = shape[i - lead]
            elif i >= lead and shape[i - lead] not in (1, s):
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size "
                    f"({shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                    f"{list(sizes)}.  Tensor sizes: {list(shape)}")
            target.append(s)
        target = tuple(target)
        if target == shape:
            return self
        return S.Expand.apply(self, target)

    def expand_as(self, other):
        return self.expand(other.shape)

    def broadcast_to(self, *shape):
        return self.expand(*shape)

    def repeat(self, *sizes):
        """Tile the tensor ``sizes[i]`` times along each dim (copies)."""
        return S.Repeat.apply(self, shape_arg(sizes))

    def tile(self, *dims):
        dims = shape_arg(dims)
        dims = (1,) * (self._data.ndim - len(dims)) + dims
        return self.repeat(dims)

    def contiguous(self):
        """A C-contiguous tensor (self when already contiguous)."""
        if self._data.flags.c_contiguous:
            return self
        return S.Contiguous.apply(self)

    def clone(self):
        """A copy that stays in the graph."""
        return S.Clone.apply(self)

    def flip(self, *dims):
        """Reverse the order of elements along ``dims``."""
        dims = shape_arg(dims, "dims")
        return S.Flip.apply(self, _dims_arg(dims, self._data.ndim))

    def fliplr(self):
        return self.flip(1)

    def flipud(self):
        return self.flip(0)

    def narrow(self, dim, start, length):
        """The slice ``start:start+length`` of dim ``dim`` (a view)."""
        d = normalize_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if not -size <= start <= size:
            raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                             f"but got {start})")
        if start < 0:
            start += size
        if length < 0:
            raise RuntimeError(f"narrow(): length must be non-negative, got length={length}.")
        if start + length > size:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
        key = (slice(None),) * d + (slice(start, start + length),)
        return I.GetItem.apply(self, key)

    def split(self, split_size_or_sections, dim=0):
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes."""
        d = normalize_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step <= 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {size}" if step == 0 else
                                   f"split expects split_size be non-negative, but got split_size={step}")
            sections = [min(step, size - i) for i in range(0, size, step)] or [0]
        else:
            sections = list(split_size_or_sections)
            if sum(sections) != size:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                                   f"(input tensor's size at dimension {d}), but got "
                                   f"split_sizes={sections}")
        out, start = [], 0
        for length in sections:
            out.append(self.narrow(d, start, length))
            start += length
        return tuple(out)

    def chunk(self, chunks, dim=0):
        """Split into ``chunks`` pieces of equal size (the last may be smaller)."""
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self._data.shape[normalize_dim(dim, self._data.ndim)]
        return self.split(max(-(-size // chunks), 1), dim)

    def unbind(self, dim=0):
        """The slices along ``dim``, as a tuple of tensors with that dim removed."""
        d = normalize_dim(dim, self._data.ndim)
        return tuple(self.select(d, i) for i in range(self._data.shape[d]))

    def select(self, dim, index):
        d = normalize_dim(dim, self._data.ndim)
        return self[(slice(None),) * d + (index,)]

    def movedim(self, source, destination):
        """Move dim(s) ``source`` to position(s) ``destination``; the others keep their order."""
        n = self._data.ndim
        many = isinstance(source, (tuple, list))
        src = [normalize_dim(d, n) for d in (source if many else (source,))]
        dst = [normalize_dim(d, n) for d in
               (destination if isinstance(destination, (tuple, list)) else (destination,))]
        if len(src) != len(dst):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                f"contain the same number of dims as destination ({list(dst)} dims)")
        for name, dims in (("source", src), ("destination", dst)):
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
        rest = iter(i for i in range(n) if i not in src)
        placed = dict(zip(dst, src))
        return self.permute([placed[i] if i in placed else next(rest) for i in range(n)])

    moveaxis = movedim

    # --- indexing ----------------------------------------------------------------
    def __getitem__(self, key):
        key = I.normalize_key(key, self._data.shape, self._backend)
        return I.GetItem.apply(self, key)

    def __setitem__(self, key, value):
        key = I.normalize_key(key, self._data.shape, self._backend)
        T = tensor_type()
        if not isinstance(value, T):
            value = as_scalar(value, "value")
        elif value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)
        self._inplace(lambda old: I.IndexPut.apply(old, key, value), value)

    def gather(self, dim, index):
        """out[i][j] = self[index[i][j]][j] along ``dim`` (index has the same number of dims)."""
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("gather", self, d, index)
        return I.Gather.apply(self, d, index)

    def take_along_dim(self, indices, dim):
        return self.gather(dim, indices.expand(
            tuple(s if i != normalize_dim(dim, self.ndim) else indices.shape[i]
                  for i, s in enumerate(broadcast_shapes(self.shape, indices.shape)))))

    def index_select(self, dim, index):
        """Rows (or slices along ``dim``) at the positions in the 1-D ``index``."""
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if index._data.dtype.kind not in "iu":
            raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got "
                               f"{index.dtype}")
        d = normalize_dim(dim, self._data.ndim)
        return self[(slice(None),) * d + (index.reshape(-1),)]

    def masked_select(self, mask):
        if mask._data.dtype.kind != "b":
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
        return self.expand(broadcast_shapes(self.shape, mask.shape))[mask.expand(
            broadcast_shapes(self.shape, mask.shape))]

    def scatter_add(self, dim, index, src):
        """Copy of self with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("scatter_add", self, d, index)
        return I.ScatterAdd.apply(self, d, index, src)

    def scatter(self, dim, index, src=None, *, value=None):
        """Copy of self with ``src`` (or ``value``) written at ``index`` along ``dim``."""
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("scatter", self, d, index)
        if src is None:
            src = value
        if not isinstance(src, tensor_type()):
            src = as_scalar(src, "value")
        return I.Scatter.apply(self, d, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        d = normalize_dim(dim, self._data.ndim)
        I.check_index_add(self, d, index, source)
        key = (slice(None),) * d + (index._data,)
        return I.IndexPut.apply(self, key, source * alpha if alpha != 1 else source, True)

    def nonzero(self, *, as_tuple=False):
        from .ops._util import wrap
        idx = self._backend.nonzero(self._data)
        if as_tuple:
            return tuple(wrap(i.astype("int64"), self._backend) for i in idx)
        return wrap(self._backend.xp.stack(idx, axis=-1).astype("int64"), self._backend)

    # --- in place ------------------------------------------------------------------
    def _inplace(self, compute, *others):
        """Run ``compute(old_self)`` out of place and write the result into this tensor.

        Recording: the op sees a copy of the old value with this tensor's
        graph identity, and this tensor takes the op's grad_fn. Either way the
        version counter goes up, so stale saved copies are caught in backward.
        """
        T = tensor_type()
        record = _grad_state.enabled and (self._requires_grad or any(
            isinstance(o, T) and o._requires_grad for o in others))
        if record and self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        if record and getattr(self.grad_fn, "is_view", False) and self._data.base is not None:
            _refuse_inplace_on_view(self.grad_fn)
        if record:
            old = T._wrap(self._backend.xp.array(self._data, copy=True), self._backend)
            old._requires_grad = self._requires_grad
            old.grad_fn = self.grad_fn
            old._output_nr = self._output_nr
            result = compute(old)
        else:
            result = compute(self)
        self._write(result._data)
        if record:
            self.grad_fn = result.grad_fn
            self._requires_grad = result._requires_grad
            self._output_nr = result._output_nr
        return self

    def _write(self, array):
        if array.dtype != self._data.dtype:
            src, dst = _dtype.from_numpy_dtype(array.dtype), _dtype.from_numpy_dtype(self._data.dtype)
            if not _dtype.can_cast(src, dst):
                raise RuntimeError(f"result type {scalar_type_name(src)} can't be cast to the "
                                   f"desired output type {scalar_type_name(dst)}")
        if array.shape != self._data.shape:
            try:
                if broadcast_shapes(array.shape, self._data.shape) != self._data.shape:
                    raise RuntimeError
            except RuntimeError:
                raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                                   f"broadcast shape {list(broadcast_shapes(array.shape, self._data.shape))}"
                                   ) from None
        if array is not self._data:
            self._data[...] = array
        bump_version(self)

    def _fast_inplace(self, kernel, other, alpha=1):
        """no-grad ``self op= alpha * other`` straight into memory (optimizer steps take this path)."""
        T = tensor_type()
        if isinstance(other, T):
            y = other._data
            if other._backend is not self._backend:
                from .ops._util import check_same_device
                check_same_device(self, other)
        else:
            y = as_scalar(other)
        if alpha != 1:
            y = y * alpha
        x = self._data
        if x.dtype.kind in "biu" and (getattr(y, "dtype", None) is not None and y.dtype.kind in "fc"
                                      or isinstance(y, float)) or kernel == "true_divide" \
                and x.dtype.kind in "biu":
            dst = scalar_type_name(_dtype.from_numpy_dtype(x.dtype))
            raise RuntimeError(f"result type Float can't be cast to the desired output type {dst}")
        try:
            getattr(self._backend, kernel)(x, y, out=x)
        except ValueError:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                               f"{list(broadcast_shapes(x.shape, getattr(y, 'shape', ())))}") from None
        bump_version(self)
        return self

    def _needs_record(self, other=None):
        return _grad_state.enabled and (self._requires_grad or (
            isinstance(other, tensor_type()) and other._requires_grad))

    def add_(self, other, *, alpha=1):
        if not self._needs_record(other):
            return self._fast_inplace("add", other, alpha)
        if alpha != 1:
            other = other * alpha
        return self._inplace(lambda old: old + other, other)

    def sub_(self, other, *, alpha=1):
        if not self._needs_record(other):
            return self._fast_inplace("subtract", other, alpha)
        if alpha != 1:
            other = other * alpha
        return self._inplace(lambda old: old - other, other)

    def mul_(self, other):
        if not self._needs_record(other):
            return self._fast_inplace("multiply", other)
        return self._inplace(lambda old: old * other, other)

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is None and not self._needs_record(other):
            return self._fast_inplace("true_divide", other)
        return self._inplace(lambda old: old.div(other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        return self._inplace(lambda old: old ** exponent, exponent)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        """self += value * tensor1 * tensor2 (in place)."""
        if not (self._needs_record(tensor1) or self._needs_record(tensor2)):
            x, y, backend = E.binary_operands(tensor1, tensor2)
            return self._fast_inplace("add", wrap(backend.multiply(x, y), backend), value)
        return self.add_(tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        """self += value * tensor1 / tensor2 (in place)."""
        if not (self._needs_record(tensor1) or self._needs_record(tensor2)):
            x, y, backend = E.binary_operands(tensor1, tensor2)
            return self._fast_inplace("add", wrap(backend.true_divide(x, y), backend), value)
        return self.add_(tensor1 / tensor2 * value if value != 1 else tensor1 / tensor2)

    def lerp_(self, end, weight):
        return self._inplace(lambda old: old.lerp(end, weight), end)

    def neg_(self):
        return self._inplace(lambda old: -old)

    def abs_(self):
        return self._inplace(lambda old: old.abs())

    def exp_(self):
        return self._inplace(lambda old: old.exp())

    def log_(self):
        return self._inplace(lambda old: old.log())

    def sqrt_(self):
        return self._inplace(lambda old: old.sqrt())

    def sigmoid_(self):
        return self._inplace(lambda old: old.sigmoid())

    def tanh_(self):
        return self._inplace(lambda old: old.tanh())

    def relu_(self):
        return self._inplace(lambda old: old.relu())

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda old: old.clamp(min, max), min, max)

    clip_ = clamp_

    def clamp_min_(self, min):
        return self.clamp_(min=min)

    def clamp_max_(self, max):
        return self.clamp_(max=max)

    def masked_fill_(self, mask, value):
        return self._inplace(lambda old: old.masked_fill(mask, value), value)

    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda old: old.scatter_add(dim, index, src), src)

    def scatter_(self, dim, index, src=None, *, value=None):
        return self._inplace(lambda old: old.scatter(dim, index, src, value=value), src)

    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace(lambda old: old.index_add(dim, index, source, alpha=alpha), source)

    def zero_(self):
        """Fill with zeros in place."""
        return self.fill_(0)

    def fill_(self, value):
        """Fill with ``value`` in place."""
        if isinstance(value, tensor_type()):
            if value.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            if value._requires_grad and _grad_state.enabled:
                return self._inplace(lambda old: old * 0 + value, value)
            value = value.item()
        else:
            value = as_scalar(value, "value")
        if self._needs_record():
            return self._inplace(lambda old: old * 0 + value)
        self._data[...] = value
        bump_version(self)
        return self

    def copy_(self, src, non_blocking=False):
        """Copy ``src`` (broadcast, converted) into this tensor's memory."""
        T = tensor_type()
        if not isinstance(src, T):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
        if src._backend.device_type != self._backend.device_type or src.device != self.device:
            src = src.to(self.device)
        if self._needs_record(src):
            return self._inplace(lambda old: (old * 0 + src.to(self.dtype)), src)
        try:
            self._data[...] = src._data
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({list(self.shape)}) must match the size of "
                               f"tensor b ({list(src.shape)})") from None
        bump_version(self)
        return self

    def set_(self, source):
        self._data = source._data
        bump_version(self)
        return self

    def _accumulate_(self, other):
        """self += other for gradient accumulation (outside the graph)."""
        self._backend.add(self._data, other._data, out=self._data)

    # --- new tensors like this one ----------------------------------------------------
    def _new(self, array, dtype, requires_grad):
        T = tensor_type()
        out = T._wrap(array, self._backend)
        if requires_grad:
            out.requires_grad = True
        return out

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(shape_arg(size), 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(shape_arg(size), 1, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(shape_arg(size), 0, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new_full(shape_arg((size,)), fill_value, dtype, device, requires_grad)

    def _new_full(self, shape, value, dtype, device, requires_grad):
        from ._creation import full
        return full(shape, value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    # --- random fills (nn.init uses these) ------------------------------------------------
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill in place from U(a, b)."""
        from .random import _generator
        data = _generator(generator).uniform(a, b, self._data.shape)
        return self._fill_from_numpy(data)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill in place from N(mean, std²)."""
        from .random import _generator
        data = _generator(generator).normal(mean, std, self._data.shape)
        return self._fill_from_numpy(data)

    def bernoulli_(self, p=0.5, *, generator=None):
        from .random import _generator
        data = _generator(generator).random(self._data.shape) < p
        return self._fill_from_numpy(data)

    def random_(self, low=0, high=None, *, generator=None):
        from .random import _generator
        if high is None:
            low, high = 0, low if low else 2 ** 24
        data = _generator(generator).integers(low, high, self._data.shape)
        return self._fill_from_numpy(data)

    def exponential_(self, lambd=1.0, *, generator=None):
        from .random import _generator
        return self._fill_from_numpy(_generator(generator).exponential(1.0 / lambd, self._data.shape))

    def _fill_from_numpy(self, data):
        self._data[...] = self._backend.from_numpy(data.astype(self._data.dtype, copy=False))
        bump_version(self)
        return self
