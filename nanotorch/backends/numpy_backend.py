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
    "sum", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "mean", "var", "std",
    "cumsum", "cumprod", "any", "all", "sort", "argsort", "matmul", "tensordot", "einsum",
    "reshape", "transpose", "broadcast_to", "expand_dims", "squeeze", "concatenate", "stack",
    "flip", "tile", "take", "take_along_axis", "put_along_axis", "nonzero", "zeros",
    "ones", "empty", "full", "arange", "linspace", "eye", "zeros_like", "ones_like",
    "empty_like", "full_like", "ascontiguousarray", "tril", "triu", "unique", "diff",
    "searchsorted", "isclose", "count_nonzero", "pad", "roll", "diagonal", "trace", "outer",
    "floor_divide", "fmod",
)


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
        for kernel in NAMESPACE_KERNELS:
            if hasattr(xp, kernel) and not hasattr(type(self), kernel):
                setattr(self, kernel, getattr(xp, kernel))
        self.linalg = xp.linalg

    def __repr__(self):
        return f"<nanotorch backend {self.name!r}>"

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

    def synchronize(self):
        """Wait for queued work; nothing to wait for on the CPU."""

    # --- map kernels (one input) --------------------------------------------
    def inv_map(self, a):
        """1 / a, the lecture's Inv forward."""
        return self.xp.reciprocal(a)

    def neg_map(self, a):
        return self.xp.negative(a)

    def relu_map(self, a):
        return self.xp.maximum(a, 0)

    def sigmoid_map(self, a):
        """1 / (1 + exp(-a)), computed without overflow for large |a|."""
        xp = self.xp
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))

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
        """d * -1/a², the lecture's Inv backward."""
        return -d / (a * a)

    def relu_back_zip(self, a, d):
        """d where a > 0, else 0."""
        return self.xp.where(a > 0, d, 0).astype(d.dtype, copy=False)

    def sigmoid_back_zip(self, out, d):
        """d * s * (1 - s) given the forward output s."""
        return d * out * (1 - out)

    def tanh_back_zip(self, out, d):
        """d * (1 - t²) given the forward output t."""
        return d * (1 - out * out)

    # --- reduce kernels -----------------------------------------------------
    def sum_reduce(self, a, dim):
        """Sum along ``dim`` keeping it as size 1, the lecture's reduce shape."""
        return self.xp.sum(a, axis=dim, keepdims=True)

    def logsumexp(self, a, axis, keepdims=False):
        """log(sum(exp(a))) along ``axis``, shifted by the max so nothing overflows."""
        xp = self.xp
        m = xp.max(a, axis=axis, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        out = xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True)) + m
        return out if keepdims else xp.squeeze(out, axis=axis)

    # --- fused kernels ------------------------------------------------------
    def softmax(self, a, axis):
        xp = self.xp
        e = xp.exp(a - xp.max(a, axis=axis, keepdims=True))
        return e / xp.sum(e, axis=axis, keepdims=True)

    def log_softmax(self, a, axis):
        return a - self.logsumexp(a, axis, keepdims=True)

    def softmax_back(self, out, g, axis):
        """Gradient of softmax given its output: out * (g - sum(g * out))."""
        return out * (g - self.xp.sum(g * out, axis=axis, keepdims=True))

    def log_softmax_back(self, out, g, axis):
        """Gradient of log-softmax given its output: g - exp(out) * sum(g)."""
        return g - self.xp.exp(out) * self.xp.sum(g, axis=axis, keepdims=True)

    def index_add(self, num_rows, indices, values):
        """Scatter-add rows: ``out[indices[i]] += values[i]``; out has ``num_rows`` rows.

        The embedding backward. ``np.add.at`` is slow, so the rows are sorted
        by index and each run of equal indices is summed with ``add.reduceat``.
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
