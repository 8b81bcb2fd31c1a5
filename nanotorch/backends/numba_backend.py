"""The numba backend: numpy plus compiled loops for the kernels numpy does in several passes.

It subclasses :class:`NumpyBackend` and overrides only the kernels where a
single fused loop beats numpy's chain of temporaries (measured, see
``docs/backends.rst``): the sigmoid map on small arrays, the activation
backward zips, binary cross-entropy and its backward, softmax, log-softmax
and softmax's backward along a narrow last axis, logsumexp along the last
axis, the sum over one middle axis, the embedding scatter-add, max pooling
(1-d and 2-d) and its backward, and the 1-d convolution's col2im. Matmul
stays on numpy's BLAS; im2col stays a numpy strided view.

Each override takes the compiled path only for what the loops are written
for (float32/float64, C-contiguous, the last axis, equal shapes) and hands
everything else to the numpy reference, so results never depend on whether
the fast path was taken. Importing this module does not import numba: the
loops in ``numba_kernels`` are imported and compiled (or loaded from numba's
on-disk cache) on the first call of each kernel.

>>> import numpy as np
>>> from nanotorch.backends import get_backend
>>> b = get_backend("numba")
>>> b.relu_back_zip(np.array([-1.0, 2.0]), np.array([5.0, 5.0]))
array([0., 5.])
"""
from __future__ import annotations

import functools
import importlib.util
import math

import numpy as np

from .numpy_backend import LONG_SUM, NumpyBackend, long_sequential_sum, probabilities_error

_FLOAT_CHARS = "fd"  # float32, float64: the dtypes the loops are compiled for
# Rows at most this wide go to the softmax-family loops. numba's scalar exp and
# in-order sums lose to numpy's SIMD exp and pairwise sums on wider rows (at 32
# columns numpy is already ahead); on classifier logits (10 classes) the single
# pass wins. Measured in docs/backends.rst.
_NARROW = 16


def _flat_pair(a, d):
    """Whether two arrays suit one elementwise loop: ndarrays of one shape and float dtype, both
    C-contiguous. These checks are most of the call's cost on a small array: each is a cheap one."""
    return (type(a) is np.ndarray and type(d) is np.ndarray and a.shape == d.shape
            and a.dtype is d.dtype and a.dtype.char in _FLOAT_CHARS
            and a.flags.c_contiguous and d.flags.c_contiguous)


# The sigmoid map is the one loop that pays on small arrays only (see NumbaBackend.sigmoid_map).
_SIGMOID_LOOP_MAX_SIZE = 1024

# Plain SGD is two ufunc calls in numpy, which beat the loop's dispatch up to
# about 8,000 elements; with momentum (or Adam, RMSprop) the loop saves more
# calls and wins from ~100 elements (measured in docs/backends.rst).
_PLAIN_SGD_LOOP_MIN_SIZE = 8192

# A stand-in for an optimizer state buffer a loop does not read (no momentum, no
# amsgrad). Passing the parameter itself instead would alias two arguments, and
# LLVM then gives up vectorizing the loop (measured: 14x slower on 5,000 floats).
_UNUSED = {char: np.empty(0, dtype=char) for char in _FLOAT_CHARS}


def _flat_arrays(param, *others):
    """Whether ``param`` and ``others`` (None: a buffer the step does not use) suit a flat in-place
    loop: float ndarrays of one shape and dtype, all C-contiguous, ``param`` writable (a
    broadcast gradient, say, goes to numpy)."""
    if not (type(param) is np.ndarray and param.dtype.char in _FLOAT_CHARS
            and param.flags.c_contiguous and param.flags.writeable):
        return False
    shape, dtype = param.shape, param.dtype
    for a in others:
        if a is not None and not (type(a) is np.ndarray and a.shape == shape and a.dtype == dtype
                and a.flags.c_contiguous):
            return False
    return True


def _last_axis(a, axis):
    """Whether ``axis`` (an int or a 1-tuple) is the last, narrow axis of a contiguous float array."""
    if type(axis) is tuple:
        if len(axis) != 1:
            return False
        axis = axis[0]
    return (type(a) is np.ndarray and a.ndim > 0 and a.size > 0 and a.dtype.char in _FLOAT_CHARS
            and axis in (-1, a.ndim - 1) and a.shape[-1] <= _NARROW and a.flags.c_contiguous)


def _rows(a):
    return a.reshape(-1, a.shape[-1])


# Below this many elements numpy's reduce beats the loop's dispatch (0.7 against 1.4 us on 16
# floats); from about 1,000 on the loop wins, by 4.7x on a (64, 50, 50) batch.
_SUM_LOOP_MIN_SIZE = 1024


def _summed_middle_axis(a, axis, dtype, out):
    """The axis of ``sum(a, axis, dtype, out)``, made non-negative, when the compiled loop suits
    the call, else None: one axis with more than one element after it in memory, of a
    C-contiguous float array summed in its own dtype into a new array. The last axis (or
    one followed only by size-1 dims) is a contiguous run that numpy sums pairwise and fast."""
    if not (type(a) is np.ndarray and a.size >= _SUM_LOOP_MIN_SIZE):  # asked first: small is common
        return None
    if type(axis) is tuple and len(axis) == 1:
        axis = axis[0]
    if type(axis) is not int:
        return None
    if axis < 0:
        axis += a.ndim
    if not (0 <= axis < a.ndim - 1 and out is None and a.dtype.char in _FLOAT_CHARS
            and a.flags.c_contiguous and (dtype is None or dtype == a.dtype)):
        return None
    return axis if math.prod(a.shape[axis + 1:]) > 1 else None


# The four arithmetic zips that ``zip_rows`` runs, by backend kernel name.
_ROW_OPS = {"add": 0, "subtract": 1, "multiply": 2, "true_divide": 3}

# From this many elements in the larger operand, ``(..., n)`` with ``(..., 1)`` goes to the
# loop. numpy runs its inner loop once per row there, n long: on a masked (64, 50, 50)
# embedding batch that is 27.6 against 12.1 us. Below it the dispatch is not repaid.
_ZIP_ROWS_MIN_SIZE = 8192


def _row_broadcast(a, b):
    """``(x, s, s_first)`` when ``a`` and ``b`` are a C-contiguous float array ``x`` and ``s``, of
    ``x``'s shape with 1 last (one number per row), in either order (``s_first``: ``s`` is
    ``a``); else None."""
    if type(b) is not np.ndarray or type(a) is not np.ndarray or a.ndim != b.ndim or a.ndim < 2:
        return None
    s_first = a.shape[-1] == 1
    x, s = (b, a) if s_first else (a, b)
    if not (s.shape[-1] == 1 and x.shape[-1] > 1 and x.shape[:-1] == s.shape[:-1]
            and x.dtype is s.dtype and x.dtype.char in _FLOAT_CHARS
            and x.flags.c_contiguous and s.flags.c_contiguous):
        return None
    return x, s, s_first


class NumbaBackend(NumpyBackend):
    """CPU backend with numba-compiled fused kernels; everything else is the numpy reference.

    >>> import nanotorch
    >>> from nanotorch.backends import get_backend
    >>> get_backend("numba").device_type
    'cpu'
    """

    name = "numba"

    def __init__(self):
        if importlib.util.find_spec("numba") is None:
            raise ModuleNotFoundError("numba", name="numba")
        super().__init__(np)

    @functools.cached_property
    def _loops(self):
        """The ``numba_kernels`` module, imported on first use so ``import nanotorch`` stays fast
        (after that, a plain attribute of the backend)."""
        from . import numba_kernels
        return numba_kernels

    # --- sigmoid ----------------------------------------------------------------
    def sigmoid_map(self, a):
        """One compiled pass on small arrays, numpy's five SIMD passes on large ones.

        Under ``_SIGMOID_LOOP_MAX_SIZE`` elements numpy's fixed cost per pass
        dominates (2.0 us against 0.9 us on 100 floats); above it numba's
        scalar ``exp`` loses to numpy's vectorized one (measured in
        docs/backends.rst).
        """
        if (type(a) is np.ndarray and a.size < _SIGMOID_LOOP_MAX_SIZE
                and a.dtype.char in _FLOAT_CHARS and a.flags.c_contiguous):
            out = np.empty_like(a)
            self._loops.sigmoid(a, out)
            return out
        return NumpyBackend.sigmoid_map(self, a)

    def broadcast_zip(self, kernel, a, b):
        op = _ROW_OPS.get(kernel)
        if op is not None and (a.size >= _ZIP_ROWS_MIN_SIZE or b.size >= _ZIP_ROWS_MIN_SIZE):
            rows = _row_broadcast(a, b)
            if rows is not None:
                x, s, s_first = rows
                out = np.empty_like(x)
                self._loops.zip_rows(_rows(x), s.reshape(-1), _rows(out), op, s_first)
                return out
        return getattr(self, kernel)(a, b)

    # --- fused activation backward zips -------------------------------------
    # One loop beats numpy's three passes at every size, 100 floats included
    # (0.6 against 0.93 us). Arguments the loops are not written for go to
    # NumpyBackend's kernels, called by name: ``super()`` would add 0.1 us.
    def _zip(self, loop, a, d):
        out = np.empty_like(d)
        loop(a, d, out)
        return out

    def relu_back_zip(self, a, d):
        if _flat_pair(a, d):
            return self._zip(self._loops.relu_back, a, d)
        return NumpyBackend.relu_back_zip(self, a, d)

    def sigmoid_back_zip(self, out, d):
        if _flat_pair(out, d):
            return self._zip(self._loops.sigmoid_back, out, d)
        return NumpyBackend.sigmoid_back_zip(self, out, d)

    def tanh_back_zip(self, out, d):
        if _flat_pair(out, d):
            return self._zip(self._loops.tanh_back, out, d)
        return NumpyBackend.tanh_back_zip(self, out, d)

    def inv_back_zip(self, a, d):
        if _flat_pair(a, d):
            return self._zip(self._loops.inv_back, a, d)
        return NumpyBackend.inv_back_zip(self, a, d)

    # --- binary cross-entropy: ten numpy passes (and an errstate block) in one loop ---------
    def binary_cross_entropy(self, p, y, reduction="none"):
        if not _flat_pair(p, y):
            return NumpyBackend.binary_cross_entropy(self, p, y, reduction)
        # the range check rides along in the loop, and a reduced loss needs no array
        if reduction == "none":
            out = np.empty_like(p)
            if not self._loops.binary_cross_entropy(p, y, out):
                raise probabilities_error()
            return out
        ok, total = self._loops.binary_cross_entropy_sum(p, y)
        if not ok:
            raise probabilities_error()
        if reduction == "mean":
            total = total / p.size if p.size else math.nan
        return np.array(total, dtype=p.dtype)

    def binary_cross_entropy_back(self, p, y, g, scale=1.0):
        if _flat_pair(p, y) and (_flat_pair(p, g) or type(g) is np.ndarray and g.size == 1
                                 and g.dtype is p.dtype):
            out = np.empty_like(p)  # one g (a reduced loss's) is read as it is: no division
            self._loops.binary_cross_entropy_back(p, y, g, scale, out)
            return out
        return NumpyBackend.binary_cross_entropy_back(self, p, y, g, scale)

    # --- softmax family along the last axis ---------------------------------
    def softmax(self, a, axis):
        if _last_axis(a, axis):
            out = np.empty_like(a)
            self._loops.softmax_rows(_rows(a), _rows(out))
            return out
        return super().softmax(a, axis)

    def log_softmax(self, a, axis):
        if _last_axis(a, axis):
            out = np.empty_like(a)
            self._loops.log_softmax_rows(_rows(a), _rows(out))
            return out
        return super().log_softmax(a, axis)

    def logsumexp(self, a, axis, keepdims=False):
        if _last_axis(a, axis):
            out = np.empty(a.shape[:-1] + ((1,) if keepdims else ()), dtype=a.dtype)
            self._loops.logsumexp_rows(_rows(a), out.reshape(-1))
            return out
        return super().logsumexp(a, axis, keepdims)

    def softmax_back(self, out, g, axis):
        if _flat_pair(out, g) and _last_axis(out, axis):
            grad = np.empty_like(g)
            self._loops.softmax_back_rows(_rows(out), _rows(g), _rows(grad))
            return grad
        return super().softmax_back(out, g, axis)

    # --- sum over a middle axis -----------------------------------------------
    def sum(self, a, axis=None, dtype=None, out=None, keepdims=False):
        """numpy's ``sum``, with one compiled pass when a single axis before the last is summed.

        ``(d0, ..., dn)`` -> the same without dim ``axis`` (kept as 1 with
        ``keepdims``). numpy sums a middle axis, dim 1 of a ``(B, L, D)``
        batch say, by entering its add loop once per ``D``-row; ``sum_along``
        adds the rows in the same order in one loop: 4.7x as fast on
        ``(64, 50, 50)`` float32, with numpy's float32 rounding. A matrix
        summed over its rows (a batch's bias gradient) takes ``sum_rows``:
        0.5 against 1.3 us on (50, 10). More than ``LONG_SUM`` terms added in
        that order go to the reference, which accumulates them in float64.
        """
        if a.size > LONG_SUM and dtype is None and out is None and long_sequential_sum(a, axis):
            return NumpyBackend.sum(self, a, axis, dtype, out, keepdims)
        if ((axis == 0 or axis == (0,)) and type(a) is np.ndarray and a.ndim == 2 and out is None
                and dtype is None and a.dtype.char in _FLOAT_CHARS and a.flags.c_contiguous
                and a.shape[1] > 1):
            summed = np.empty(a.shape[1], dtype=a.dtype)
            self._loops.sum_rows(a, summed)
            return summed.reshape(1, -1) if keepdims else summed
        at = _summed_middle_axis(a, axis, dtype, out)
        if at is None:  # np.sum's own reduce, without its Python wrapper (0.9 us)
            return np.add.reduce(a, axis, dtype, out, keepdims)
        outer, n = math.prod(a.shape[:at]), a.shape[at]
        summed = np.empty(a.shape[:at] + ((1,) if keepdims else ()) + a.shape[at + 1:],
                          dtype=a.dtype)
        self._loops.sum_along(a.reshape(outer, n, -1), summed.reshape(outer, -1))
        return summed

    # --- embedding backward -------------------------------------------------
    def index_add(self, num_rows, indices, values):
        if not (type(values) is np.ndarray and values.dtype.char in _FLOAT_CHARS
                and indices.dtype.kind in "iu"):
            return super().index_add(num_rows, indices, values)
        flat = np.ascontiguousarray(indices.reshape(-1), dtype=np.int64)
        tail = values.shape[indices.ndim:]
        width = int(np.prod(tail, dtype=np.int64))
        rows = np.ascontiguousarray(values).reshape(flat.shape[0], width)
        out = np.zeros((num_rows, width), dtype=values.dtype)
        bad = self._loops.index_add_rows(out, flat, rows)
        if bad >= 0:
            raise IndexError(f"index {int(flat[bad])} is out of bounds for dimension 0 with size {num_rows}")
        return out.reshape((num_rows,) + tail)

    # --- pooling and the convolution's fold -----------------------------------
    def max_pool(self, x, kernel, stride, padding, dilation, out_size):
        if not (type(x) is np.ndarray and x.dtype.char in _FLOAT_CHARS and len(kernel) in (1, 2)
                and x.size and math.prod(out_size)):
            return super().max_pool(x, kernel, stride, padding, dilation, out_size)
        planes = np.ascontiguousarray(x).reshape(-1, *x.shape[2:])
        out = np.empty((planes.shape[0], *out_size), dtype=x.dtype)
        index = np.empty(out.shape, dtype=np.int64)
        if len(kernel) == 1:
            self._loops.max_pool1d(planes, kernel[0], stride[0], padding[0], dilation[0], out, index)
        else:
            self._loops.max_pool2d(planes, *kernel, *stride, *padding, *dilation, out, index)
        shape = (*x.shape[:2], *out_size)
        return out.reshape(shape), index.reshape(shape)

    def extreme_along(self, a, axis, largest):
        # numpy's argmax over a middle axis walks memory with a stride: about 20x slower
        if not (type(a) is np.ndarray and a.dtype.char in _FLOAT_CHARS and a.ndim
                and a.shape[axis] and a.size):
            return super().extreme_along(a, axis, largest)
        axis %= a.ndim
        # a permuted view of C-contiguous memory (a transposed or channels-last tensor) is
        # reduced in memory order, and the results are permuted back
        order = sorted(range(a.ndim), key=lambda d: -a.strides[d])
        mem = a.transpose(order)
        if not mem.flags.c_contiguous:
            return super().extreme_along(a, axis, largest)
        at = order.index(axis)
        outer, n, inner = math.prod(mem.shape[:at]), mem.shape[at], math.prod(mem.shape[at + 1:])
        values = np.empty((outer, inner), dtype=a.dtype)
        index = np.empty((outer, inner), dtype=np.int64)
        if inner == 1:
            self._loops.extreme_rows(mem.reshape(outer, n), largest, values.reshape(-1),
                              index.reshape(-1))
        else:
            self._loops.extreme_along(mem.reshape(outer, n, inner), largest, values, index)
        kept = [d for d in order if d != axis]
        shape = mem.shape[:at] + mem.shape[at + 1:]
        back = sorted(range(len(kept)), key=kept.__getitem__)
        return values.reshape(shape).transpose(back), index.reshape(shape).transpose(back)

    def max_pool_back(self, g, indices, input_shape):
        if not (type(g) is np.ndarray and g.dtype.char in _FLOAT_CHARS and g.shape == indices.shape
                and g.ndim >= 2 and g.size):
            return super().max_pool_back(g, indices, input_shape)
        rows = math.prod(input_shape[:2])
        out = np.zeros((rows, math.prod(input_shape[2:])), dtype=g.dtype)
        self._loops.max_pool_back(np.ascontiguousarray(g).reshape(rows, -1),
                           np.ascontiguousarray(indices, dtype=np.int64).reshape(rows, -1), out)
        return out.reshape(input_shape)

    def col2im(self, cols, input_shape, kernel, stride, padding, dilation, out_size):
        # 1-d only: in 2-d numpy's one strided add per kernel offset beats a scalar loop
        if not (type(cols) is np.ndarray and cols.dtype.char in _FLOAT_CHARS and len(kernel) == 1):
            return super().col2im(cols, input_shape, kernel, stride, padding, dilation, out_size)
        out = np.zeros(input_shape, dtype=cols.dtype)
        self._loops.col2im1d(np.ascontiguousarray(cols), input_shape[1], kernel[0], stride[0], padding[0],
                      dilation[0], out)
        return out

    # --- optimizer kernels: one fused loop per parameter --------------------------
    def sgd_step(self, param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
                 weight_decay, maximize, first_step):
        use_momentum = momentum != 0
        buf = momentum_buffer if use_momentum else None
        if param.size < _PLAIN_SGD_LOOP_MIN_SIZE and not (use_momentum or weight_decay or maximize):
            param -= lr * grad  # numpy's two ufuncs: the plain update, whose formula this is
            return
        if not _flat_arrays(param, grad, buf):
            return NumpyBackend.sgd_step(self, param, grad, momentum_buffer, lr, momentum,
                                         dampening, nesterov, weight_decay, maximize, first_step)
        c = np.array((lr, momentum, 1 - dampening, weight_decay), dtype=param.dtype)
        unused = _UNUSED[param.dtype.char]
        self._loops.sgd_step(param, grad, unused if buf is None else buf, c, bool(nesterov),
                      bool(maximize), bool(first_step), use_momentum)

    def adam_step(self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1,
                  beta2, eps, weight_decay, amsgrad, maximize, decoupled):
        max_sq = max_exp_avg_sq if amsgrad else None
        if not _flat_arrays(param, grad, exp_avg, exp_avg_sq, max_sq):
            return super().adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr,
                                     beta1, beta2, eps, weight_decay, amsgrad, maximize,
                                     decoupled)
        w = 1 - beta1
        c = np.array((-lr / (1 - beta1 ** step), math.sqrt(1 - beta2 ** step), beta2, 1 - beta2,
                      w, 1 - w, eps, weight_decay, 1 - lr * weight_decay), dtype=param.dtype)
        unused = _UNUSED[param.dtype.char]
        self._loops.adam_step(param, grad, exp_avg, exp_avg_sq, unused if max_sq is None else max_sq, c,
                       w < 0.5, bool(amsgrad), bool(maximize), bool(decoupled))

    def rmsprop_step(self, param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps,
                     weight_decay, momentum, centered, maximize):
        use_momentum = momentum > 0
        gavg = grad_avg if centered else None
        buf = momentum_buffer if use_momentum else None
        if not _flat_arrays(param, grad, square_avg, gavg, buf):
            return super().rmsprop_step(param, grad, square_avg, grad_avg, momentum_buffer, lr,
                                        alpha, eps, weight_decay, momentum, centered, maximize)
        w = 1 - alpha
        c = np.array((-lr, alpha, 1 - alpha, w, 1 - w, eps, weight_decay, momentum),
                     dtype=param.dtype)
        unused = _UNUSED[param.dtype.char]
        self._loops.rmsprop_step(param, grad, square_avg, unused if gavg is None else gavg,
                          unused if buf is None else buf, c, w < 0.5, bool(centered),
                          bool(maximize), use_momentum)
