"""The numpy backend: the reference every other backend is tested against.

A backend owns an array namespace ``xp`` (numpy here, cupy on a GPU; both
speak the Python Array API) and a table of named kernels. Ops in
``nanotorch.ops`` never touch numpy directly: they call ``backend.<kernel>``,
so a faster backend only has to override the kernels it speeds up.

The kernels come in the lecture's four shapes plus a few fused ones:

* map (one input): ``exp``, ``log``, ``inv_map`` (1/x), ``relu_map``, ...
* zip (two inputs): ``add``, ``mul_zip``, ``inv_back_zip`` (-d/x²), ``relu_back_zip``, ...
* reduce (along axes): ``sum``, ``max``, ``amax``, ``prod``, ``cumsum``, ...
* matmul: ``matmul``.
* fused: softmax and log-softmax forward/backward, embedding scatter-add,
  im2col / col2im for convolutions and pooling.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from .._device import CPU

# Functions the array namespace already provides under the same name; every
# backend gets them bound from its own ``xp`` (numpy or cupy).
NAMESPACE_KERNELS = (
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder",
    "power", "negative", "abs", "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan",
    "tanh", "sinh", "cosh", "arcsin", "arccos", "arctan", "arctan2", "arcsinh", "arccosh",
    "arctanh", "sign", "floor", "ceil", "round", "trunc", "reciprocal", "maximum", "minimum",
    "fmax", "fmin", "clip", "where", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "isnan",
    "isinf", "isfinite", "square", "log2", "log10", "exp2", "copysign", "hypot", "logaddexp",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert",
    "left_shift", "right_shift", "conj", "real", "imag", "angle", "signbit", "nextafter",
    "sum", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
    "cumsum", "cumprod", "any", "all", "sort", "argsort", "tensordot", "einsum",
    "reshape", "transpose", "broadcast_to", "expand_dims", "squeeze", "concatenate", "stack",
    "flip", "tile", "take", "take_along_axis", "put_along_axis", "nonzero", "zeros",
    "ones", "empty", "full", "arange", "linspace", "eye", "zeros_like", "ones_like",
    "empty_like", "full_like", "ascontiguousarray", "tril", "triu", "unique", "diff",
    "searchsorted", "isclose", "count_nonzero", "pad", "roll", "diagonal", "trace", "outer",
    "floor_divide", "fmod",
)


# Up to this many elements a filled copy is cheaper than a broadcast view (see ``spread``).
_SPREAD_COPY_MAX_SIZE = 16384

# Above this many terms a float16/float32 sum that numpy would add one term after another
# accumulates in float64 instead (see ``NumpyBackend.sum``).
LONG_SUM = 4096


def long_sequential_sum(a, axis):
    """Whether numpy would sum more than ``LONG_SUM`` float16/float32 terms of ``a`` over
    ``axis`` one after another (not pairwise): an axis other than the contiguous last one."""
    if a.size <= LONG_SUM or a.dtype.char not in "ef":
        return False
    if type(axis) is tuple and len(axis) == 1:
        axis = axis[0]
    if type(axis) is int:  # the common case, answered first: one axis, most often short
        if a.shape[axis] <= LONG_SUM:
            return False
        axes = [axis % a.ndim]
    else:
        axes = sorted(d % a.ndim for d in (range(a.ndim) if axis is None else axis))
        if math.prod(a.shape[d] for d in axes) <= LONG_SUM:
            return False
    contiguous = getattr(a, "flags", None) is not None and a.flags.c_contiguous
    # pairwise: the last axis alone, or every axis, of a C-contiguous array
    return not (contiguous and (axes == [a.ndim - 1] or axes == list(range(a.ndim))))


def probabilities_error():
    """torch's error for a binary cross-entropy input outside [0, 1]."""
    return RuntimeError("all elements of input should be between 0 and 1")


class NumpyBackend:
    """Reference CPU backend: every kernel in plain numpy.

    Subclass it and override single kernels to make a faster backend; see
    ``nanotorch.backends.register_backend``.

    >>> from nanotorch.backends import get_backend
    >>> b = get_backend("numpy")
    >>> b.inv_map(b.xp.asarray([2.0, 4.0]))
    array([0.5 , 0.25])
    """

    name = "numpy"
    device_type = "cpu"

    def __init__(self, xp=np):
        self.xp = xp
        self._scalars = {}
        for kernel in NAMESPACE_KERNELS:
            if hasattr(xp, kernel) and not hasattr(type(self), kernel):
                setattr(self, kernel, getattr(xp, kernel))
        self.linalg = xp.linalg

    def __repr__(self):
        return f"<nanotorch backend {self.name!r}>"

    def scalar(self, value, dtype):
        """A Python number as an operand for arrays of ``dtype``: a 0-d array, made once and kept.

        numpy converts a Python number operand on every call, which costs as
        much as the arithmetic itself on a small array; a 0-d array of the
        array's dtype gives the same result (a Python float is "weak": it
        takes the array's dtype) at half the cost.

        >>> from nanotorch.backends import get_backend
        >>> get_backend("numpy").scalar(1.5, "float32")
        array(1.5, dtype=float32)
        """
        key = (value, dtype)
        if not value and type(value) is float:  # 0.0 == -0.0 as keys, but 1 / -0.0 is -inf
            key = (value, dtype, math.copysign(1.0, value))
        const = self._scalars.get(key)
        if const is None:
            if len(self._scalars) >= 1024:  # a script with ever-new numbers must not grow this
                self._scalars.clear()
            const = self._scalars[key] = self.xp.asarray(value, dtype=dtype)
            if isinstance(const, np.ndarray):
                const.flags.writeable = False  # shared by every op that uses this number
        return const

    # --- memory and devices -------------------------------------------------
    def device_of(self, array):
        """The :class:`nanotorch.device` an array of this backend lives on."""
        return CPU

    def asarray(self, data, dtype=None, copy=None):
        """Make an array of this backend from Python data, numpy or another array."""
        return np.asarray(data, dtype=dtype) if copy is not True else np.array(data, dtype=dtype)

    def from_numpy(self, array, device=None):
        """Move a numpy array onto this backend (no copy on the CPU)."""
        return array

    def to_numpy(self, array):
        """Return the array as numpy (no copy on the CPU)."""
        return array

    def is_array(self, value):
        return isinstance(value, np.ndarray)

    def owns_dense(self, array):
        """Whether ``array`` owns its memory, C-contiguous and writable: no view, no read-only constant.

        The engine hands such a gradient to a leaf as its ``.grad`` without a
        copy when nothing else refers to it (torch's AccumulateGrad does too).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> a = b.xp.zeros((2, 3))
        >>> b.owns_dense(a), b.owns_dense(a.T), b.owns_dense(a[:1])
        (True, False, False)
        """
        flags = array.flags
        return flags.owndata and flags.c_contiguous and flags.writeable

    def synchronize(self):
        """Wait for queued work; nothing to wait for on the CPU."""

    def broadcast_zip(self, kernel, a, b):
        """The zip named ``kernel`` (``"add"``, ``"multiply"``, ...) on two arrays whose shapes differ.

        Elementwise ops call it when their operands broadcast, so a backend
        can take shapes numpy is slow on, such as a batch times one number
        per row (``(..., n) * (..., 1)``, a padding mask); here it is the
        kernel itself. Shapes: broadcastable ``a``, ``b`` -> their broadcast.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.broadcast_zip("multiply", b.xp.ones((2, 3)), b.xp.asarray([[2.0], [3.0]]))
        array([[2., 2., 2.],
               [3., 3., 3.]])
        """
        return getattr(self, kernel)(a, b)

    # --- map kernels (one input) --------------------------------------------
    def inv_map(self, a):
        """1 / a, the lecture's Inv forward."""
        return self.xp.reciprocal(a)

    def rsqrt(self, a):
        """1 / sqrt(a)."""
        return self.xp.reciprocal(self.xp.sqrt(a))

    def neg_map(self, a):
        return self.xp.negative(a)

    def relu_map(self, a):
        return self.xp.maximum(a, self.scalar(0, a.dtype))

    def sigmoid_map(self, a):
        """1 / (1 + exp(-a)), in place on one buffer.

        Where exp(-a) overflows to inf the result is 0, as torch's: the
        overflow is silent (nanotorch silences numpy's warnings from its own code).
        """
        xp = self.xp
        out = xp.negative(a, out=xp.empty_like(a))  # an array even for 0-d input, so out= works
        xp.exp(out, out=out)
        xp.add(out, self.scalar(1, out.dtype), out=out)
        return xp.reciprocal(out, out=out)

    def sign(self, a):
        """-1, 0 or 1 by the sign of ``a``; 0 for NaN, as torch (numpy's sign keeps the NaN).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.sign(b.xp.asarray([-2.0, 0.0, float("nan"), 3.0]))
        array([-1.,  0.,  0.,  1.])
        """
        xp = self.xp
        out = xp.sign(a)
        if out.dtype.kind == "f":
            out = xp.where(xp.isnan(out), self.scalar(0, out.dtype), out)
        return out

    def id_map(self, a):
        return a

    # --- zip kernels (two inputs) -------------------------------------------
    def add_zip(self, a, b):
        return a + b

    def mul_zip(self, a, b):
        return a * b

    # The lecture writes ``t.f.mul_map(t1, t2)``: keep that spelling working.
    mul_map = mul_zip

    def inv_back_zip(self, a, d):
        """``d * -1/a²``, the lecture's Inv backward."""
        return -d / (a * a)

    def relu_back_zip(self, a, d):
        """d where a > 0, else 0; where a is NaN, d passes (torch zeroes only where ``a <= 0``).

        A multiply by the mask: at 512x1024, 16 times faster than ``where``.
        """
        return (~(a <= self.scalar(0, a.dtype))).astype(d.dtype) * d

    def sigmoid_back_zip(self, out, d):
        """``d * s * (1 - s)`` given the forward output ``s``."""
        return d * out * (self.scalar(1, out.dtype) - out)

    def tanh_back_zip(self, out, d):
        """``d * (1 - t²)`` given the forward output ``t``."""
        return d * (self.scalar(1, out.dtype) - out * out)

    def masked_fill(self, x, mask, value):
        """A copy of ``x`` with ``value`` where ``mask`` (broadcastable to ``x``) is True.

        A mask over leading dims (``(B, L, 1)`` against ``(B, L, D)``, the padding
        mask of a batch of sentences) is applied as one boolean-index assignment,
        about 3x faster than ``where``.
        """
        xp = self.xp
        out = xp.array(x, copy=True)
        full = mask.reshape((1,) * (x.ndim - mask.ndim) + mask.shape)
        lead = full.ndim
        while lead and full.shape[lead - 1] == 1 and x.shape[lead - 1] != 1:
            lead -= 1
        if lead < full.ndim and full.shape[:lead] == x.shape[:lead]:
            out[full.reshape(x.shape[:lead])] = value
        else:
            xp.copyto(out, xp.asarray(value, dtype=out.dtype), where=full)
        return out

    # --- reduce kernels -----------------------------------------------------
    def sort_order(self, a, axis, descending):
        """The int64 indices that sort ``a`` along ``axis``, in torch's order: stable, NaN largest.

        Equal values keep their order either way. Descending is the stable
        ascending order of the flipped array, flipped back: no negation, so it
        also holds for unsigned and bool arrays and the most negative integer.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.sort_order(b.xp.asarray([2.0, float("nan"), 1.0, 2.0]), 0, True)
        array([1, 0, 3, 2])
        """
        xp = self.xp
        if not descending:
            return xp.argsort(a, axis=axis, kind="stable").astype("int64", copy=False)
        order = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
        return (a.shape[axis] - 1 - xp.flip(order, axis)).astype("int64", copy=False)

    def extreme_along(self, a, axis, largest):
        """Values and first indices of the max (``largest``) or min along ``axis``.

        The kernel of ``torch.max(x, dim)``: ``(d0, ..., dn)`` -> two arrays
        without dim ``axis``; NaN wins, as in torch.
        """
        xp = self.xp
        index = (xp.argmax if largest else xp.argmin)(a, axis=axis)
        values = xp.take_along_axis(a, xp.expand_dims(index, axis), axis=axis)
        return xp.squeeze(values, axis=axis), index.astype(xp.int64, copy=False)

    def sum_reduce(self, a, dim):
        """Sum along ``dim`` keeping it as size 1, the lecture's reduce shape."""
        return self.xp.sum(a, axis=dim, keepdims=True)

    def sum_to_shape(self, a, shape):
        """Sum the dims that broadcasting added or stretched, so the result has ``shape``.

        The lecture's reduce gradient: a gradient in a broadcast output's
        shape, brought back to the shape of the input that was broadcast.
        ``shape`` must broadcast to ``a.shape``.
        """
        lead = a.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(shape) if n == 1 and a.shape[i + lead] != 1)
        return (self.sum(a, axis=dims, keepdims=True) if dims else a).reshape(shape)

    def sum(self, a, axis=None, dtype=None, out=None, keepdims=False):
        """numpy's sum: ``(d0, ..., dn)`` -> the same without the dims ``axis`` (None: all; kept
        as 1 with ``keepdims``), accumulated in float64 where numpy would lose precision.

        numpy adds pairwise only along a contiguous last axis (or over all of a
        contiguous array); over another axis it adds term after term in the
        array's own dtype, which leaves a float32 sum of 10**6 terms 1% off.
        A float16 or float32 sum of more than ``LONG_SUM`` terms in that order
        accumulates in float64 and rounds once, as accurate as torch's cascade.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> float(b.sum(b.xp.full((100_000, 2), 0.1, dtype="float32"), 0)[0])
        10000.0
        """
        if dtype is None and out is None and long_sequential_sum(a, axis):
            return self.xp.sum(a, axis=axis, dtype="float64", keepdims=keepdims).astype(a.dtype)
        return self.xp.sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def cumsum(self, a, axis=None, dtype=None):
        """numpy's cumsum, in float64 for a float16/float32 run of more than ``LONG_SUM`` terms
        (numpy's running total in float32 drifts: 9998.56 for 10**5 times 0.1).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> float(b.cumsum(b.xp.full(100_000, 0.1, dtype="float32"), 0)[-1])
        10000.0
        """
        if (dtype is None and a.dtype.char in "ef" and axis is not None
                and a.shape[axis] > LONG_SUM):
            return self.xp.cumsum(a, axis=axis, dtype="float64").astype(a.dtype)
        return self.xp.cumsum(a, axis=axis, dtype=dtype)

    def mean(self, a, axis=None, dtype=None, keepdims=False):
        """The mean over ``axis`` (None: all), as the backend's ``sum`` divided by the count.

        ``xp.mean`` spends 2 us in its Python wrapper on a small array (a
        loss's reduction); float16 (which numpy sums in float32) and an
        explicit ``dtype`` still go to it. The mean of nothing is nan, without
        numpy's warning (torch gives none).

        >>> from nanotorch.backends import get_backend
        >>> get_backend("numpy").mean(get_backend("numpy").xp.asarray([[1.0, 2.0], [3.0, 5.0]]), 0)
        array([2. , 3.5])
        """
        if dtype is not None or a.dtype.char not in "fd":
            return self.xp.mean(a, axis=axis, dtype=dtype, keepdims=keepdims)
        total = self.sum(a, axis=axis, keepdims=keepdims)
        if not a.size:
            with np.errstate(invalid="ignore"):
                return total / 0 if total.size else total
        return total / (a.size // total.size)

    def spread(self, a, shape):
        """``a`` broadcast to ``shape``, as a gradient that is only read: a reduction's backward.

        A large result is a view (no copy); a small one is a filled copy,
        since numpy's ``broadcast_to`` takes 1.8 us and filling 100 floats 0.26 us.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.spread(b.xp.asarray([[1.0], [2.0]]), (2, 3))
        array([[1., 1., 1.],
               [2., 2., 2.]])
        """
        if math.prod(shape) > _SPREAD_COPY_MAX_SIZE:
            return self.xp.broadcast_to(a, shape)
        out = self.xp.empty(shape, dtype=a.dtype)
        out[...] = a
        return out

    def logsumexp(self, a, axis, keepdims=False):
        """log(sum(exp(a))) along ``axis``, shifted by the max so nothing overflows (by 0 where
        the max is infinite, as torch: an all -inf slice gives -inf, one with +inf gives +inf).
        Over an empty axis the sum is empty: -inf."""
        xp = self.xp
        axes = axis if isinstance(axis, tuple) else (axis,)
        if a.ndim and not all(a.shape[d] for d in axes):
            shape = tuple(1 if d in axes or d - a.ndim in axes else n
                          for d, n in enumerate(a.shape))
            out = xp.full(shape, -np.inf, dtype=a.dtype)
        else:
            m = xp.max(a, axis=axis, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            with np.errstate(divide="ignore"):  # an all -inf slice sums to 0: log(0) is -inf
                out = xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True)) + m
        return out if keepdims else xp.squeeze(out, axis=axis)

    # --- fused kernels ------------------------------------------------------
    def softmax(self, a, axis):
        xp = self.xp
        if not a.size:
            return xp.empty_like(a)
        e = xp.exp(a - xp.max(a, axis=axis, keepdims=True))
        return e / xp.sum(e, axis=axis, keepdims=True)

    def log_softmax(self, a, axis):
        """``(a - max) - log(sum(exp(a - max)))``, torch's formula: subtracting the max first keeps
        large logits exact (``a - (max + log(sum))`` rounds the log away at 1e17), and a slice
        holding +inf or only -inf is nan."""
        xp = self.xp
        if not a.size:
            return xp.empty_like(a)
        shifted = a - xp.max(a, axis=axis, keepdims=True)
        with np.errstate(invalid="ignore"):  # inf - inf: the nan torch gives too
            shifted -= xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))
        return shifted

    def softmax_back(self, out, g, axis):
        """Gradient of softmax given its output: ``out * (g - sum(g * out))``."""
        return out * (g - self.xp.sum(g * out, axis=axis, keepdims=True))

    def log_softmax_back(self, out, g, axis):
        """Gradient of log-softmax given its output: ``g - exp(out) * sum(g)``."""
        return g - self.xp.exp(out) * self.xp.sum(g, axis=axis, keepdims=True)

    def index_add(self, num_rows, indices, values):
        """Scatter-add rows: ``out[indices[i]] += values[i]``; out has ``num_rows`` rows.

        The embedding backward. ``np.add.at`` is slow, so the rows are sorted
        by index and each run of equal indices is summed with ``add.reduceat``.
        Measured for a 400,000 x 50 float32 table and 64 x 50 ids (one thread):
        the sums take 0.26 ms (Zipf-like ids) to 0.49 ms (uniform ids), against
        1.1 ms for ``np.add.at``, 0.4-1.4 ms for one ``bincount`` over the
        distinct rows, 3-14 ms for a one-hot matmul over them and 55-95 ms for
        a ``bincount`` per column. Filling the fresh 80 MB zero table costs
        more than any of them (~3.5 ms of page faults).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.index_add(3, b.xp.asarray([2, 0, 2]), b.xp.ones((3, 2)))
        array([[1., 1.],
               [0., 0.],
               [2., 2.]])
        """
        xp = self.xp
        flat = indices.reshape(-1)
        tail = values.shape[indices.ndim:]
        rows = values.reshape((flat.shape[0],) + tail)
        out = xp.zeros((num_rows,) + tail, dtype=values.dtype)
        if flat.shape[0] == 0:
            return out
        order = xp.argsort(flat, kind="stable")
        ordered = flat[order]
        starts = xp.flatnonzero(xp.concatenate([xp.ones(1, dtype=bool), ordered[1:] != ordered[:-1]]))
        out[ordered[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
        return out

    # --- convolution and pooling kernels (im2col / col2im, max and average pooling) ---
    # ``x`` is (N, C, *spatial) with any number of spatial dims (ops use 1 and 2).
    # ``kernel``, ``stride``, ``dilation``, ``padding`` and ``out_size`` hold one
    # int per spatial dim. ``padding`` is what is added before each dim; after
    # it exactly what the last window reaches is added, which is more than
    # ``padding`` for ceil_mode pooling and for an even 'same' convolution.

    def _pad_after(self, size, kernel, stride, padding, dilation, out_size):
        return [max(0, (o - 1) * s + d * (k - 1) + 1 - p - n) for n, k, s, p, d, o in
                zip(size, kernel, stride, padding, dilation, out_size)]

    def _windows(self, x, kernel, stride, padding, dilation, out_size, value):
        """A strided view ``(N, C, *out_size, *kernel)`` of every window of ``x`` padded with ``value``."""
        xp = self.xp
        after = self._pad_after(x.shape[2:], kernel, stride, padding, dilation, out_size)
        if any(padding) or any(after):
            x = xp.pad(x, [(0, 0), (0, 0), *zip(padding, after)], constant_values=value)
        inner = x.strides[2:]
        strides = (*x.strides[:2], *(t * s for t, s in zip(inner, stride)),
                   *(t * d for t, d in zip(inner, dilation)))
        return xp.lib.stride_tricks.as_strided(x, (*x.shape[:2], *out_size, *kernel), strides)

    def _fold(self, part, dtype, input_shape, kernel, stride, padding, dilation, out_size):
        """Sum windows back onto a zero input: ``part(k)`` ``(N, C, *out_size)`` lands at offset ``k``."""
        xp = self.xp
        size = input_shape[2:]
        after = self._pad_after(size, kernel, stride, padding, dilation, out_size)
        out = xp.zeros((*input_shape[:2], *(n + p + a for n, p, a in zip(size, padding, after))),
                       dtype=dtype)
        # one vectorised add per kernel offset: 9 for a 3x3 kernel, however large the input
        for k in itertools.product(*map(range, kernel)):
            key = tuple(slice(j * d, j * d + (o - 1) * s + 1, s)
                        for j, d, o, s in zip(k, dilation, out_size, stride))
            out[(slice(None), slice(None), *key)] += part(k)
        return out[(slice(None), slice(None), *(slice(p, p + n) for p, n in zip(padding, size)))]

    def im2col(self, x, kernel, stride, padding, dilation, out_size):
        """Unfold every convolution window into a column: the input of a matmul.

        (N, C, *spatial) -> (N, C * prod(kernel), prod(out_size)). Row ``(c, k...)``
        and column ``(o...)`` of sample n hold ``x[n, c, o * stride + k * dilation - padding]``
        (zero outside ``x``), so ``weight.reshape(O, -1) @ cols`` is the convolution.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.im2col(b.xp.arange(4.0).reshape(1, 1, 4), (2,), (1,), (0,), (1,), (3,))
        array([[[0., 1., 2.],
                [1., 2., 3.]]])
        """
        n = len(kernel)
        windows = self._windows(x, kernel, stride, padding, dilation, out_size, 0)
        order = (0, 1, *range(2 + n, 2 + 2 * n), *range(2, 2 + n))
        return windows.transpose(order).reshape(x.shape[0], x.shape[1] * math.prod(kernel),
                                                math.prod(out_size))

    def col2im(self, cols, input_shape, kernel, stride, padding, dilation, out_size):
        """Fold columns back onto the input, adding where windows overlap (im2col's adjoint).

        (N, C * prod(kernel), prod(out_size)) -> ``input_shape`` (N, C, *spatial).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.col2im(b.xp.ones((1, 2, 3)), (1, 1, 4), (2,), (1,), (0,), (1,), (3,))
        array([[[1., 2., 2., 1.]]])
        """
        blocks = cols.reshape((*input_shape[:2], *kernel, *out_size))
        return self._fold(lambda k: blocks[(slice(None), slice(None), *k)], cols.dtype,
                          input_shape, kernel, stride, padding, dilation, out_size)

    def im2row(self, x, kernel, stride, padding, dilation, out_size):
        """Unfold every convolution window into a row, channels last: im2col for channels-last inputs.

        (N, C, *spatial) -> (N, prod(out_size), prod(kernel) * C). Row ``o`` of
        sample n holds window ``o`` with the kernel offset slower and the channel
        faster, so ``rows @ weight.movedim(1, -1).reshape(O, -1).T`` is the
        convolution with its output channels last. When ``x`` is a channels-last
        view (memory ordered (N, *spatial, C), like an embedded sentence
        transposed for ``Conv1d``) a 1-d window is one contiguous run: for
        (64, 50, 50) inputs and a width-3 kernel this copy takes 0.04 ms
        against 0.11 ms for ``im2col``.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.im2row(b.xp.arange(6.0).reshape(1, 2, 3), (2,), (1,), (0,), (1,), (2,))
        array([[[0., 3., 1., 4.],
                [1., 4., 2., 5.]]])
        """
        n = len(kernel)
        windows = self._windows(x, kernel, stride, padding, dilation, out_size, 0)
        order = (0, *range(2, 2 + 2 * n), 1)
        return windows.transpose(order).reshape(x.shape[0], math.prod(out_size),
                                                math.prod(kernel) * x.shape[1])

    def row2im(self, rows, input_shape, kernel, stride, padding, dilation, out_size):
        """Fold rows back onto the input, adding where windows overlap (im2row's adjoint).

        (N, prod(out_size), prod(kernel) * C) -> ``input_shape`` (N, C, *spatial).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.row2im(b.xp.ones((1, 3, 2)), (1, 1, 4), (2,), (1,), (0,), (1,), (3,))
        array([[[1., 2., 2., 1.]]])
        """
        n = len(kernel)
        blocks = rows.reshape((input_shape[0], *out_size, *kernel, input_shape[1]))
        channels_first = (0, 1 + n, *range(1, 1 + n))
        return self._fold(
            lambda k: blocks[(slice(None),) * (1 + n) + k].transpose(channels_first),
            rows.dtype, input_shape, kernel, stride, padding, dilation, out_size)

    def max_pool(self, x, kernel, stride, padding, dilation, out_size):
        """The max of every window and where it is: ``(N, C, *spatial)`` -> two ``(N, C, *out_size)``.

        Padding is -inf, so it never wins. The indices are int64 positions in
        the flattened, unpadded spatial dims (torch's ``return_indices``).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.max_pool(b.xp.asarray([[[1.0, 3.0, 2.0, 5.0]]]), (2,), (2,), (0,), (1,), (2,))
        (array([[[3., 5.]]]), array([[[1, 3]]]))
        """
        xp = self.xp
        n = len(kernel)
        windows = self._windows(x, kernel, stride, padding, dilation, out_size, -xp.inf)
        flat = windows.reshape((*windows.shape[:2 + n], math.prod(kernel)))
        arg = xp.argmax(flat, axis=-1)
        out = xp.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
        # window offset -> input position, last spatial dim fastest in both; a window whose
        # max is -inf points at its first real element, as torch's (argmax may pick padding)
        index = xp.zeros(arg.shape, dtype=xp.int64)
        first = xp.zeros(out_size, dtype=xp.int64)
        size = x.shape[2:]
        for d in reversed(range(n)):
            arg, k = xp.divmod(arg, kernel[d])
            start = (xp.arange(out_size[d]) * stride[d] - padding[d]).reshape(
                (-1,) + (1,) * (n - 1 - d))
            index += (start + k * dilation[d]) * math.prod(size[d + 1:])
            skipped = xp.maximum(-start + dilation[d] - 1, 0) // dilation[d]  # taps in padding
            first += (start + skipped * dilation[d]) * math.prod(size[d + 1:])
        return out, xp.where(out == -xp.inf, first, index)

    def max_pool_back(self, g, indices, input_shape):
        """Add each gradient into the input position its max came from (windows may share one).

        g, indices (N, C, *out) -> (N, C, *spatial) = ``input_shape``.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.max_pool_back(b.xp.asarray([[[1.0, 2.0]]]), b.xp.asarray([[[1, 1]]]), (1, 1, 3))
        array([[[0., 3., 0.]]])
        """
        xp = self.xp
        plane = math.prod(input_shape[2:])
        rows = xp.arange(math.prod(input_shape[:2])).reshape(
            (*input_shape[:2], *(1,) * (indices.ndim - 2))) * plane
        # bincount is a one-pass scatter-add; np.add.at is several times slower
        total = xp.bincount((indices + rows).reshape(-1), weights=g.reshape(-1),
                            minlength=math.prod(input_shape))
        return total.astype(g.dtype, copy=False).reshape(input_shape)

    def _pool_divisor(self, size, kernel, stride, padding, out_size, count_include_pad):
        """How many elements each average-pooling window divides by, shaped like out_size."""
        xp = self.xp
        div = 1
        for d, (n, k, s, p, o) in enumerate(zip(size, kernel, stride, padding, out_size)):
            start = xp.arange(o) * s - p
            end = xp.minimum(start + k, n + p)
            if not count_include_pad:
                start, end = xp.maximum(start, 0), xp.minimum(end, n)
            div = div * (end - start).reshape((-1,) + (1,) * (len(size) - 1 - d))
        return div

    def avg_pool(self, x, kernel, stride, padding, out_size, count_include_pad=True,
                 divisor_override=None):
        """The mean of every window: ``(N, C, *spatial)`` -> ``(N, C, *out_size)``.

        Zero padding counts in the divisor when ``count_include_pad`` (torch's
        default); ``divisor_override`` replaces the divisor.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.avg_pool(b.xp.asarray([[[1.0, 3.0, 2.0, 5.0]]]), (2,), (2,), (0,), (2,))
        array([[[2. , 3.5]]])
        """
        n = len(kernel)
        windows = self._windows(x, kernel, stride, padding, (1,) * n, out_size, 0)
        total = windows.sum(axis=tuple(range(-n, 0)))
        div = divisor_override or self._pool_divisor(x.shape[2:], kernel, stride, padding,
                                                     out_size, count_include_pad)
        return (total / div).astype(x.dtype, copy=False)

    def avg_pool_back(self, g, input_shape, kernel, stride, padding, out_size,
                      count_include_pad=True, divisor_override=None):
        """avg_pool's adjoint: each window's gradient / divisor spread over the window.

        (N, C, *out_size) -> ``input_shape``.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.avg_pool_back(b.xp.asarray([[[2.0, 4.0]]]), (1, 1, 3), (2,), (1,), (0,), (2,))
        array([[[1., 3., 2.]]])
        """
        n = len(kernel)
        div = divisor_override or self._pool_divisor(input_shape[2:], kernel, stride, padding,
                                                     out_size, count_include_pad)
        share = (g / div).astype(g.dtype, copy=False)
        return self._fold(lambda k: share, g.dtype, input_shape, kernel, stride, padding,
                          (1,) * n, out_size)

    def _adaptive_bounds(self, length, output_size):
        """torch's adaptive windows: window i is [floor(i L / O), ceil((i + 1) L / O))."""
        i = self.xp.arange(output_size)
        return (i * length) // output_size, -((-(i + 1) * length) // output_size)

    def adaptive_max_pool1d(self, x, output_size):
        """Max over torch's adaptive windows of the last dim, and where it is.

        (..., L) -> two (..., output_size): the values and int64 positions in L.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.adaptive_max_pool1d(b.xp.asarray([1.0, 3.0, 2.0, 5.0, 4.0]), 3)
        (array([3., 5., 5.]), array([1, 3, 3]))
        """
        xp = self.xp
        length = x.shape[-1]
        start, end = self._adaptive_bounds(length, output_size)
        width = int((end - start).max()) if output_size else 0
        pos = start[:, None] + xp.arange(width)
        # positions past a window's end read -inf; the first entry is always inside
        values = xp.where(pos < end[:, None], x[..., xp.minimum(pos, length - 1)], -xp.inf)
        arg = xp.argmax(values, axis=-1)
        return xp.take_along_axis(values, arg[..., None], axis=-1)[..., 0], start + arg

    def adaptive_avg_windows(self, length, output_size):
        """torch's adaptive windows over ``length`` as gather indices: ``columns`` and ``inside``
        (output_size, widest window), where ``inside`` marks the real places of each window
        (the rest repeat its last column), and each window's ``width`` (output_size,).

        >>> from nanotorch.backends import get_backend
        >>> columns, inside, width = get_backend("numpy").adaptive_avg_windows(3, 2)
        >>> columns.tolist(), inside.tolist(), width.tolist()
        ([[0, 1], [1, 2]], [[True, True], [True, True]], [2, 2])
        """
        xp = self.xp
        start, end = self._adaptive_bounds(length, output_size)
        width = end - start
        offsets = xp.arange(int(width.max()))
        inside = offsets < width[:, None]
        columns = xp.minimum(start[:, None] + offsets, (end - 1)[:, None])
        return columns, inside, width

    def matmul(self, a, b):
        """``a @ b`` with numpy's broadcasting rules: (..., m, k), (..., k, n) -> (..., m, n).

        Two matrices go through ``dot``, which reaches the same BLAS call
        without the matmul ufunc's setup (0.3 us less on small matrices) and
        without its slow loop for an outer product, ``k == 1`` (1.2 against
        6.8 us for ``(64, 1) @ (1, 100)``, a 1-output Linear's input gradient).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.matmul(b.xp.ones((2, 1)), b.xp.asarray([[1.0, 2.0, 3.0]]))
        array([[1., 2., 3.],
               [1., 2., 3.]])
        """
        if a.ndim == 2 and b.ndim == 2:
            return self.xp.dot(a, b)
        return self.xp.matmul(a, b)

    def linear(self, x, w, b):
        """x @ w.T + b in one call: (..., in), (out, in), (out,) or None -> (..., out)."""
        out = self.matmul(x, w.T)
        if b is not None:
            out += b
        return out

    def binary_cross_entropy(self, p, y, reduction="none"):
        """-(y log p + (1 - y) log(1 - p)), each log clamped at -100 like torch: p, y (*) -> (*),
        or with ``reduction`` "mean" or "sum" a 0-d array.

        Raises torch's RuntimeError when some p lies outside [0, 1] or is nan.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.binary_cross_entropy(b.xp.asarray([0.5, 0.9]), b.xp.asarray([1.0, 0.0]))
        array([0.69314718, 2.30258509])
        """
        if p.size and not (p.min() >= 0 and p.max() <= 1):  # nan fails too, as in torch
            raise probabilities_error()
        xp = self.xp
        with np.errstate(divide="ignore"):  # p of exactly 0 or 1 (a saturated sigmoid) is clamped
            loss = -(y * xp.maximum(xp.log(p), -100) + (1 - y) * xp.maximum(xp.log1p(-p), -100))
        if reduction == "none":
            return loss
        return self.mean(loss) if reduction == "mean" else self.sum(loss)

    def binary_cross_entropy_back(self, p, y, g, scale=1.0):
        """BCE's gradient in p: ``scale * g * (p - y) / max(p * (1 - p), 1e-12)``, like torch's.

        ``g`` is shaped like ``p``, or is one number (the gradient of the
        losses' mean, with ``scale`` 1 / count, or of their sum).

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> b.binary_cross_entropy_back(b.xp.asarray([0.5, 1.0]), b.xp.asarray([1.0, 0.0]),
        ...                             b.xp.asarray([1.0, 1.0]))
        array([-2.e+00,  1.e+12])
        """
        d = g * (p - y) if scale == 1.0 else (p - y) * scale * g
        return d / self.xp.maximum((1 - p) * p, 1e-12)

    def binary_cross_entropy_with_logits(self, x, y, pos_weight):
        """``(1 - y) x + (1 + (pw - 1) y) softplus(-x)``, with softplus kept finite for any ``|x|``."""
        xp = self.xp
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        return (1 - y) * x + weight * softplus_neg

    def erf(self, x):
        """The error function to ~1e-15 relative, computed in float64 (numpy has no erf).

        |x| < 2: erf(x) = 2/sqrt(pi) exp(-x²) sum_n (2x²)^n x / (1·3···(2n+1)), whose
        terms are all positive (no cancellation). 2 <= |x| < 6: 1 - erfc(x) with
        erfc from its continued fraction. Beyond 6, erf(x) = ±1 in double precision.
        """
        xp = self.xp
        a = xp.abs(xp.asarray(x, dtype=xp.float64))
        out = xp.ones_like(a)
        small = a < 2
        s = a[small]
        two_s2, term = 2 * s * s, s
        total = s
        for k in range(1, 30):
            term = term * two_s2 / (2 * k + 1)
            total = total + term
        out[small] = 1.1283791670955126 * xp.exp(-s * s) * total
        mid = ~small & (a < 6)
        m = a[mid]
        f = m
        for k in range(40, 0, -1):
            f = m + (k / 2) / f
        out[mid] = 1 - xp.exp(-m * m) / (1.7724538509055159 * f)
        return (xp.sign(x) * out).astype(x.dtype, copy=False)

    # --- optimizer kernels ------------------------------------------------------
    # One training step of an optimizer for one parameter, written into the raw
    # arrays in place: ``param`` and the state buffers change, ``grad`` is only
    # read (it may be any array that broadcasts to ``param``). The formulas and
    # their order of rounding are torch's single-tensor ones; scratch space is
    # at most two arrays the size of ``param``.

    def sgd_step(self, param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
                 weight_decay, maximize, first_step):
        """One ``torch.optim.SGD`` update of ``param`` (and ``momentum_buffer``) in place.

        ``g = ±grad + weight_decay * param``; with momentum: ``buf = g`` on the
        first step, else ``buf = momentum * buf + (1 - dampening) * g``, and
        ``g = g + momentum * buf`` (nesterov) or ``g = buf``; then
        ``param -= lr * g``. ``momentum_buffer`` is None when ``momentum`` is 0.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> p, buf = b.xp.asarray([1.0, 2.0]), b.xp.zeros(2)
        >>> b.sgd_step(p, b.xp.asarray([1.0, -1.0]), buf, 0.5, 0.9, 0.0, False, 0.0, False, True)
        >>> p, buf
        (array([0.5, 2.5]), array([ 1., -1.]))
        """
        xp = self.xp
        g = xp.negative(grad) if maximize else grad
        if weight_decay != 0:
            g = g + weight_decay * param
        if momentum != 0:
            buf = momentum_buffer
            if first_step:
                buf[...] = g
            else:
                buf *= momentum
                buf += g if dampening == 0 else (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        param -= lr * g

    def adam_step(self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1,
                  beta2, eps, weight_decay, amsgrad, maximize, decoupled):
        """One ``torch.optim.Adam`` (``decoupled``: AdamW) update at step ``step`` (from 1), in place.

        ``g = ±grad`` (+ ``weight_decay * param``, or ``param *= 1 - lr * weight_decay``
        when ``decoupled``); ``m = lerp(m, g, 1 - beta1)``;
        ``v = beta2 * v + (1 - beta2) * g * g``; ``amsgrad``: ``v_max = max(v_max, v)``
        is used for v; ``param += -lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``.
        ``max_exp_avg_sq`` is None unless ``amsgrad``.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> p, m, v = b.xp.asarray([1.0]), b.xp.zeros(1), b.xp.zeros(1)
        >>> b.adam_step(p, b.xp.asarray([3.0]), m, v, None, 1, 0.1, 0.9, 0.999, 1e-8, 0.0,
        ...             False, False, False)
        >>> p.round(6), m, v.round(6)
        (array([0.9]), array([0.3]), array([0.009]))
        """
        xp = self.xp
        g = xp.negative(grad) if maximize else grad
        if weight_decay != 0:
            if decoupled:
                param *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * param
        self._lerp_(exp_avg, g, 1 - beta1)
        self._add_weighted_square_(exp_avg_sq, beta2, g)
        if amsgrad:
            xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = xp.sqrt(max_exp_avg_sq if amsgrad else exp_avg_sq)
        denom /= math.sqrt(1 - beta2 ** step)
        denom += eps
        update = xp.multiply(exp_avg, -lr / (1 - beta1 ** step))
        update /= denom
        param += update

    def rmsprop_step(self, param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps,
                     weight_decay, momentum, centered, maximize):
        """One ``torch.optim.RMSprop`` update of ``param`` and its state, in place.

        ``g = ±grad + weight_decay * param``; ``v = alpha * v + (1 - alpha) * g * g``;
        ``centered``: ``m = lerp(m, g, 1 - alpha)``, ``avg = sqrt(v - m * m) + eps``,
        else ``avg = sqrt(v) + eps``; with momentum ``buf = momentum * buf + g / avg``
        and ``param -= lr * buf``, else ``param += -lr * g / avg``. ``grad_avg`` is
        None unless ``centered``, ``momentum_buffer`` None when ``momentum`` is 0.

        >>> from nanotorch.backends import get_backend
        >>> b = get_backend("numpy")
        >>> p, v = b.xp.asarray([1.0]), b.xp.zeros(1)
        >>> b.rmsprop_step(p, b.xp.asarray([3.0]), v, None, None, 0.01, 0.99, 1e-8, 0.0, 0.0,
        ...                False, False)
        >>> p.round(6), v.round(6)
        (array([0.9]), array([0.09]))
        """
        xp = self.xp
        g = xp.negative(grad) if maximize else grad
        if weight_decay != 0:
            g = g + weight_decay * param
        self._add_weighted_square_(square_avg, alpha, g)
        avg = xp.empty_like(square_avg)  # an array even for a 0-d parameter, so out= works
        if centered:
            self._lerp_(grad_avg, g, 1 - alpha)
            xp.multiply(grad_avg, grad_avg, out=avg)
            xp.subtract(square_avg, avg, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(square_avg, out=avg)
        avg += eps
        if momentum > 0:
            momentum_buffer *= momentum
            momentum_buffer += xp.divide(g, avg, out=avg)
            param -= lr * momentum_buffer
        else:
            update = xp.multiply(g, -lr)
            update /= avg
            param += update

    def _lerp_(self, a, end, weight):
        """a <- lerp(a, end, weight) in place, with torch's two formulas (exact at both ends)."""
        diff = self.xp.subtract(end, a)
        if weight < 0.5:
            diff *= weight
            a += diff
        else:
            diff *= 1 - weight
            self.xp.subtract(end, diff, out=a)

    def _add_weighted_square_(self, avg, keep, g):
        """avg <- keep * avg + (1 - keep) * g * g in place (torch's ``mul_(keep).addcmul_(g, g)``)."""
        square = self.xp.multiply(g, 1 - keep)
        square *= g
        avg *= keep
        avg += square
