"""The cupy backend: tensors on an NVIDIA GPU as CuPy arrays.

The array namespace is ``cupy`` (matmul goes to cuBLAS through
``cupy.dot`` and ``cupy.matmul``); the fused kernels are CUDA source, written out below as
plain strings so that a test can compile every one of them with ``nvcc``
on a machine without a GPU:

* ``ELEMENTWISE_SOURCES``: ``cupy.ElementwiseKernel`` bodies (broadcasting
  and strides are handled by CuPy), one type ``T`` for every argument;
* ``RAW_SOURCES``: ``cupy.RawKernel`` translation units, compiled once per
  dtype with ``real_t`` defined as ``float`` or ``double``.

Kernel objects are made on first use and memoized per dtype; CuPy compiles
each once per device (and keeps the binary in its on-disk cache). Importing
this module does not import cupy: the backend does when it is created, and
fails with one sentence naming what is missing when it cannot run here.
"""
from __future__ import annotations

import math

import numpy as np

from .._device import device as _device
from .numpy_backend import NumpyBackend

__all__ = ["CupyBackend", "ELEMENTWISE_SOURCES", "RAW_SOURCES", "raw_source"]

# name -> (in_params, out_params, operation) of a cupy.ElementwiseKernel
ELEMENTWISE_SOURCES = {
    "sigmoid": ("T a", "T out",
                "const T e = exp(-fabs(a)); "
                "out = a >= (T)0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e)"),
    "relu_back": ("T a, T d", "T out", "out = a <= (T)0 ? (T)0 : d"),
    "sigmoid_back": ("T s, T d", "T out", "out = d * s * ((T)1 - s)"),
    "tanh_back": ("T t, T d", "T out", "out = d * ((T)1 - t * t)"),
    "inv_back": ("T a, T d", "T out", "out = -d / (a * a)"),
}

# Optimizer steps: the parameter and its state buffers are the kernels' in-out
# arguments (CuPy binds the arrays passed for out_params by reference); each
# variant lists only the buffers it updates. Scalars arrive as T, so the
# arithmetic stays in the parameter's dtype, in the numpy reference's order;
# flags arrive as T that are 0 or 1.
_ADAM = (
    "T d = maximize != (T)0 ? -g : g; "
    "if (weight_decay != (T)0) {{ "
    "if (decoupled != (T)0) p = p * decay_keep; else d = d + weight_decay * p; }} "
    "const T diff = d - m; "
    "m = w_low != (T)0 ? m + diff * w : d - diff * one_minus_w; "
    "v = v * beta2 + one_minus_beta2 * d * d; "
    "{max_update}"
    "p = p + neg_step_size * m / (sqrt({v}) / bias2_sqrt + eps)"
)
_ADAM_SCALARS = ("T g, T neg_step_size, T bias2_sqrt, T beta2, T one_minus_beta2, T w_low, T w, "
                 "T one_minus_w, T eps, T weight_decay, T decay_keep, T maximize, T decoupled")
ELEMENTWISE_SOURCES.update({
    "sgd_step": ("T g, T lr, T weight_decay, T maximize", "T p",
                 "T d = maximize != (T)0 ? -g : g; "
                 "if (weight_decay != (T)0) d = d + weight_decay * p; "
                 "p = p - lr * d"),
    "sgd_momentum_step": ("T g, T lr, T momentum, T keep, T weight_decay, T nesterov, "
                          "T maximize, T first_step", "T p, T buf",
                          "T d = maximize != (T)0 ? -g : g; "
                          "if (weight_decay != (T)0) d = d + weight_decay * p; "
                          "buf = first_step != (T)0 ? d : buf * momentum + keep * d; "
                          "d = nesterov != (T)0 ? d + momentum * buf : buf; "
                          "p = p - lr * d"),
    "adam_step": (_ADAM_SCALARS, "T p, T m, T v", _ADAM.format(max_update="", v="v")),
    "adam_amsgrad_step": (_ADAM_SCALARS, "T p, T m, T v, T vmax", _ADAM.format(
        max_update="if (!(vmax > v) && vmax == vmax) vmax = v; ", v="vmax")),
})
# RMSprop in four variants (centered or not, momentum or not), so that every
# output argument is a buffer the variant really updates.
_RMSPROP_AVG = {
    "": "const T avg = sqrt(sq) + eps; ",
    "_centered": ("const T diff = d - gavg; "
                  "gavg = w_low != (T)0 ? gavg + diff * w : d - diff * one_minus_w; "
                  "const T avg = sqrt(sq - gavg * gavg) + eps; "),
}
_RMSPROP_UPDATE = {
    "": "p = p + neg_lr * d / avg",
    "_momentum": "buf = buf * momentum + d / avg; p = p + neg_lr * buf",
}
ELEMENTWISE_SOURCES.update({
    f"rmsprop{centered}{momentum}_step": (
        "T g, T neg_lr, T alpha, T one_minus_alpha, T w_low, T w, T one_minus_w, T eps, "
        "T weight_decay, T momentum, T maximize",
        "T p, T sq" + (", T gavg" if centered else "") + (", T buf" if momentum else ""),
        "T d = maximize != (T)0 ? -g : g; "
        "if (weight_decay != (T)0) d = d + weight_decay * p; "
        "sq = sq * alpha + one_minus_alpha * d * d; " + avg + update)
    for centered, avg in _RMSPROP_AVG.items() for momentum, update in _RMSPROP_UPDATE.items()
})

# Row kernels: one block of NT_BLOCK threads per row of a contiguous (rows, n)
# array; the block strides over the row, then reduces across warps with
# shuffles. The max keeps NaN, like numpy's.
_ROW_HELPERS = r"""
#define NT_BLOCK 256

__device__ __forceinline__ real_t nt_max(real_t a, real_t b) {
    return (b > a || b != b) ? b : a;
}

__device__ real_t nt_block_max(real_t v, real_t* buf) {
    for (int o = 16; o > 0; o >>= 1) v = nt_max(v, __shfl_xor_sync(0xffffffffu, v, o));
    if ((threadIdx.x & 31) == 0) buf[threadIdx.x >> 5] = v;
    __syncthreads();
    v = buf[threadIdx.x & (NT_BLOCK / 32 - 1)];
    for (int o = NT_BLOCK / 64; o > 0; o >>= 1) v = nt_max(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();
    return v;
}

__device__ real_t nt_block_sum(real_t v, real_t* buf) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    if ((threadIdx.x & 31) == 0) buf[threadIdx.x >> 5] = v;
    __syncthreads();
    v = buf[threadIdx.x & (NT_BLOCK / 32 - 1)];
    for (int o = NT_BLOCK / 64; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();
    return v;
}

__device__ real_t nt_row_max(const real_t* xr, long long n, real_t* buf) {
    real_t m = NT_NEG_INF;
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) m = nt_max(m, xr[j]);
    return nt_block_max(m, buf);
}

/* log(sum(exp(row))), shifted by the row max, or by 0 when that max is infinite */
__device__ real_t nt_row_logsumexp(const real_t* xr, long long n, real_t* buf) {
    real_t m = nt_row_max(xr, n, buf);
    if (isinf(m)) m = (real_t)0;
    real_t s = (real_t)0;
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) s += exp(xr[j] - m);
    return log(nt_block_sum(s, buf)) + m;
}
"""

RAW_SOURCES = {
    "softmax_rows": _ROW_HELPERS + r"""
extern "C" __global__ void nt_softmax_rows(const real_t* __restrict__ x, real_t* __restrict__ y,
                                           const long long n) {
    __shared__ real_t buf[NT_BLOCK / 32];
    const real_t* xr = x + (long long)blockIdx.x * n;
    real_t* yr = y + (long long)blockIdx.x * n;
    const real_t m = nt_row_max(xr, n, buf);
    real_t s = (real_t)0;
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) {
        const real_t e = exp(xr[j] - m);
        yr[j] = e;
        s += e;
    }
    const real_t inv = (real_t)1 / nt_block_sum(s, buf);
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) yr[j] *= inv;
}
""",
    "log_softmax_rows": _ROW_HELPERS + r"""
extern "C" __global__ void nt_log_softmax_rows(const real_t* __restrict__ x,
                                               real_t* __restrict__ y, const long long n) {
    __shared__ real_t buf[NT_BLOCK / 32];
    const real_t* xr = x + (long long)blockIdx.x * n;
    real_t* yr = y + (long long)blockIdx.x * n;
    /* the max subtracted first, as torch: exact for large logits; +inf or all -inf gives nan */
    const real_t m = nt_row_max(xr, n, buf);
    real_t s = (real_t)0;
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) s += exp(xr[j] - m);
    const real_t lse = log(nt_block_sum(s, buf));
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) yr[j] = (xr[j] - m) - lse;
}
""",
    "logsumexp_rows": _ROW_HELPERS + r"""
extern "C" __global__ void nt_logsumexp_rows(const real_t* __restrict__ x,
                                             real_t* __restrict__ y, const long long n) {
    __shared__ real_t buf[NT_BLOCK / 32];
    const real_t lse = nt_row_logsumexp(x + (long long)blockIdx.x * n, n, buf);
    if (threadIdx.x == 0) y[blockIdx.x] = lse;
}
""",
    "softmax_back_rows": _ROW_HELPERS + r"""
/* out = y * (g - sum(g * y)), y the softmax output */
extern "C" __global__ void nt_softmax_back_rows(const real_t* __restrict__ y,
                                                const real_t* __restrict__ g,
                                                real_t* __restrict__ out, const long long n) {
    __shared__ real_t buf[NT_BLOCK / 32];
    const long long base = (long long)blockIdx.x * n;
    real_t s = (real_t)0;
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) s += g[base + j] * y[base + j];
    s = nt_block_sum(s, buf);
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK)
        out[base + j] = y[base + j] * (g[base + j] - s);
}
""",
    "log_softmax_back_rows": _ROW_HELPERS + r"""
/* out = g - exp(y) * sum(g), y the log-softmax output */
extern "C" __global__ void nt_log_softmax_back_rows(const real_t* __restrict__ y,
                                                    const real_t* __restrict__ g,
                                                    real_t* __restrict__ out, const long long n) {
    __shared__ real_t buf[NT_BLOCK / 32];
    const long long base = (long long)blockIdx.x * n;
    real_t s = (real_t)0;
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK) s += g[base + j];
    s = nt_block_sum(s, buf);
    for (long long j = threadIdx.x; j < n; j += NT_BLOCK)
        out[base + j] = g[base + j] - exp(y[base + j]) * s;
}
""",
    "index_add_rows": r"""
/* out[index[i], j] += rows[i, j]; negative indices count from the end, and an
   index out of range is skipped rather than written out of bounds (the
   embedding forward has already rejected it). */
extern "C" __global__ void nt_index_add_rows(real_t* __restrict__ out,
                                             const long long* __restrict__ index,
                                             const real_t* __restrict__ rows,
                                             const long long num, const long long count,
                                             const long long width) {
    const long long total = count * width;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < total; k += stride) {
        const long long i = k / width;
        long long r = index[i];
        if (r < 0) r += num;
        if (r >= 0 && r < num) atomicAdd(out + r * width + (k - i * width), rows[k]);
    }
}
""",
}

_PRELUDES = {
    "float": "typedef float real_t;\n#define NT_NEG_INF __int_as_float(0xff800000)\n",
    "double": "typedef double real_t;\n#define NT_NEG_INF __longlong_as_double(0xfff0000000000000LL)\n",
}
_REAL_NAMES = {"f": "float", "d": "double"}


def raw_source(name, real="float"):
    """The complete CUDA source of raw kernel ``name`` for ``real`` (``"float"`` or ``"double"``).

    >>> "typedef double real_t;" in raw_source("softmax_rows", "double")
    True
    """
    return _PRELUDES[real] + RAW_SOURCES[name]


_BLOCK = 256
_MAX_GRID = 65535 * 16  # grid-stride loops cover any size with at most this many blocks


def _unavailable(what):
    from . import BackendUnavailable
    return BackendUnavailable(what)


class CupyBackend(NumpyBackend):
    """GPU backend: cupy arrays, cuBLAS matmul, fused kernels in CUDA.

    Created by ``get_backend("cupy")``; raises :class:`BackendUnavailable`
    when CuPy, the CUDA driver or a GPU is missing.

    >>> from nanotorch.backends.cupy_backend import CupyBackend
    >>> CupyBackend.device_type
    'cuda'
    """

    name = "cupy"
    device_type = "cuda"

    def __init__(self):
        try:
            import cupy
        except ImportError as err:
            raise _unavailable(
                f"the 'cupy' backend needs CuPy, which could not be imported ({err}); install it "
                "with pip install \"nanotorch[cuda]\" for CUDA 12 or \"nanotorch[cuda13]\" for "
                "CUDA 13") from None
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as err:  # CUDARuntimeError: no driver, driver too old, no device
            raise _unavailable(
                f"the 'cupy' backend found CuPy but no usable CUDA GPU ({err}); run on a machine "
                "with an NVIDIA GPU and its driver, or choose NANOTORCH_BACKEND=numpy") from None
        if count == 0:
            raise _unavailable(
                "the 'cupy' backend found CuPy but no CUDA GPU on this machine; run on a machine "
                "with an NVIDIA GPU, or choose NANOTORCH_BACKEND=numpy")
        self.cupy = cupy
        self._devices = [_device("cuda", i) for i in range(count)]
        self._elementwise = {}
        self._raw = {}
        super().__init__(cupy)

    def scalar(self, value, dtype):
        """A Python number as a numpy scalar of ``dtype``: cupy passes it to the kernel by value.

        Not a cached 0-d array as on the CPU: that array would live on the GPU
        that was current when it was made, and an op on another GPU would read
        it across devices.

        >>> CupyBackend.scalar(None, 1.5, "float32")  # no GPU needed to see what it gives
        np.float32(1.5)
        """
        return np.dtype(dtype).type(value)

    # --- memory and devices -------------------------------------------------
    def device_of(self, array):
        """``device(type='cuda', index=i)`` of the GPU holding ``array`` (the current one for None)."""
        index = array.device.id if array is not None else self.cupy.cuda.runtime.getDevice()
        return self._devices[index]

    def _index(self, dev):
        if dev is None or dev.index is None:
            return self.cupy.cuda.runtime.getDevice()
        if dev.index >= len(self._devices):
            raise RuntimeError(
                f"CUDA error: invalid device ordinal (cuda:{dev.index} requested, "
                f"{len(self._devices)} GPU(s) present)")
        return dev.index

    def asarray(self, data, dtype=None, copy=None):
        """A cupy array from Python data, numpy or cupy, on the current GPU."""
        if copy is True:
            return self.cupy.array(data, dtype=dtype)
        return self.cupy.asarray(data, dtype=dtype)

    def from_numpy(self, array, device=None):
        """Copy a numpy array to the GPU ``device`` (the current GPU when None or ``cuda``)."""
        with self.cupy.cuda.Device(self._index(device)):
            return self.cupy.asarray(array)

    def to_numpy(self, array):
        """Copy a cupy array back to host memory as numpy."""
        return self.cupy.asnumpy(array)

    def is_array(self, value):
        return isinstance(value, self.cupy.ndarray)

    def owns_dense(self, array):
        flags = array.flags  # cupy arrays are always writable
        return flags.owndata and flags.c_contiguous

    def data_ptr(self, array):
        return array.data.ptr

    def synchronize(self):
        """Wait until the current GPU has finished all queued work (for timing)."""
        self.cupy.cuda.runtime.deviceSynchronize()

    # --- compiled kernels, made once per dtype ---------------------------------
    def _ew(self, name):
        kernel = self._elementwise.get(name)
        if kernel is None:
            in_params, out_params, operation = ELEMENTWISE_SOURCES[name]
            kernel = self.cupy.ElementwiseKernel(in_params, out_params, operation, f"nt_{name}")
            self._elementwise[name] = kernel
        return kernel

    def _rawk(self, name, dtype):
        key = (name, dtype.char)
        kernel = self._raw.get(key)
        if kernel is None:
            kernel = self.cupy.RawKernel(raw_source(name, _REAL_NAMES[dtype.char]), f"nt_{name}")
            self._raw[key] = kernel
        return kernel

    # --- masking ------------------------------------------------------------
    def masked_fill(self, x, mask, value):
        """``where(mask, value, x)``: one kernel, and the host never waits for the GPU.

        The CPU backend's faster boolean-index assignment would make cupy count
        the mask's True entries on the host first, a device sync in every
        forward and backward of a masked pooling.

        >>> import types, numpy
        >>> CupyBackend.masked_fill(types.SimpleNamespace(cupy=numpy),  # numpy stands in for cupy
        ...                         numpy.ones((2, 2)), numpy.array([True, False]), -1.0)
        array([[-1.,  1.],
               [-1.,  1.]])
        """
        return self.cupy.where(mask, np.dtype(x.dtype).type(value), x)

    # --- elementwise (map and zip) ------------------------------------------
    def sigmoid_map(self, a):
        if a.dtype.char in "fd":
            return self._ew("sigmoid")(a)
        return super().sigmoid_map(a)

    def _zip(self, name, a, d, fallback):
        if a.dtype == d.dtype and a.dtype.char in "fd":
            return self._ew(name)(a, d)
        return fallback(a, d)

    def relu_back_zip(self, a, d):
        return self._zip("relu_back", a, d, super().relu_back_zip)

    def sigmoid_back_zip(self, out, d):
        return self._zip("sigmoid_back", out, d, super().sigmoid_back_zip)

    def tanh_back_zip(self, out, d):
        return self._zip("tanh_back", out, d, super().tanh_back_zip)

    def inv_back_zip(self, a, d):
        return self._zip("inv_back", a, d, super().inv_back_zip)

    # --- row kernels along one axis -----------------------------------------
    def _last(self, a, axis):
        """``a`` with ``axis`` moved last, C-contiguous, as the row kernels need."""
        if axis not in (-1, a.ndim - 1):
            a = self.cupy.moveaxis(a, axis, -1)
        return self.cupy.ascontiguousarray(a)

    def _back(self, out, axis):
        if axis in (-1, out.ndim - 1):
            return out
        return self.cupy.ascontiguousarray(self.cupy.moveaxis(out, -1, axis))

    def _launch_rows(self, name, out, *arrays):
        n = out.shape[-1] if name != "logsumexp_rows" else arrays[0].shape[-1]
        rows = arrays[0].size // n
        if rows:
            self._rawk(name, out.dtype)((rows,), (_BLOCK,), (*arrays, out, np.int64(n)))
        return out

    @staticmethod
    def _rows_ok(a, axis):
        return a.dtype.char in "fd" and a.ndim > 0 and a.size > 0 and isinstance(axis, int)

    def softmax(self, a, axis):
        if not self._rows_ok(a, axis):
            return super().softmax(a, axis)
        x = self._last(a, axis)
        return self._back(self._launch_rows("softmax_rows", self.cupy.empty_like(x), x), axis)

    def log_softmax(self, a, axis):
        if not self._rows_ok(a, axis):
            return super().log_softmax(a, axis)
        x = self._last(a, axis)
        return self._back(self._launch_rows("log_softmax_rows", self.cupy.empty_like(x), x), axis)

    def logsumexp(self, a, axis, keepdims=False):
        one = axis[0] if isinstance(axis, tuple) and len(axis) == 1 else axis
        if not self._rows_ok(a, one):
            return super().logsumexp(a, axis, keepdims)
        x = self._last(a, one)
        out = self._launch_rows("logsumexp_rows", self.cupy.empty(x.shape[:-1], dtype=x.dtype), x)
        return self.cupy.expand_dims(out, one % a.ndim) if keepdims else out

    def _row_back(self, name, out, g, axis, fallback):
        if not (self._rows_ok(out, axis) and out.dtype == g.dtype and out.shape == g.shape):
            return fallback(out, g, axis)
        y, gl = self._last(out, axis), self._last(g, axis)
        return self._back(self._launch_rows(name, self.cupy.empty_like(y), y, gl), axis)

    def softmax_back(self, out, g, axis):
        return self._row_back("softmax_back_rows", out, g, axis, super().softmax_back)

    def log_softmax_back(self, out, g, axis):
        return self._row_back("log_softmax_back_rows", out, g, axis, super().log_softmax_back)

    # --- embedding backward: scatter-add with atomics ------------------------
    def index_add(self, num_rows, indices, values):
        cp = self.cupy
        if values.dtype.char not in "fd" or indices.dtype.kind not in "iu":
            return super().index_add(num_rows, indices, values)
        flat = cp.ascontiguousarray(indices.reshape(-1), dtype=cp.int64)
        tail = values.shape[indices.ndim:]
        width = int(np.prod(tail, dtype=np.int64))
        rows = cp.ascontiguousarray(values).reshape(flat.shape[0], width)
        out = cp.zeros((num_rows, width), dtype=values.dtype)
        total = flat.shape[0] * width
        if total:
            grid = min((total + _BLOCK - 1) // _BLOCK, _MAX_GRID)
            self._rawk("index_add_rows", values.dtype)(
                (grid,), (_BLOCK,),
                (out, flat, rows, np.int64(num_rows), np.int64(flat.shape[0]), np.int64(width)))
        return out.reshape((num_rows,) + tail)

    # --- optimizer kernels: one fused elementwise pass per parameter ------------
    def _step_ok(self, param, grad, *state):
        return param.dtype.char in "fd" and grad.dtype == param.dtype and all(
            a is None or a.dtype == param.dtype for a in state)

    def sgd_step(self, param, grad, momentum_buffer, lr, momentum, dampening, nesterov,
                 weight_decay, maximize, first_step):
        if not self._step_ok(param, grad, momentum_buffer):
            return super().sgd_step(param, grad, momentum_buffer, lr, momentum, dampening,
                                    nesterov, weight_decay, maximize, first_step)
        t = param.dtype.type
        if momentum != 0:
            self._ew("sgd_momentum_step")(grad, t(lr), t(momentum), t(1 - dampening),
                                          t(weight_decay), t(bool(nesterov)), t(bool(maximize)),
                                          t(bool(first_step)), param, momentum_buffer)
        else:
            self._ew("sgd_step")(grad, t(lr), t(weight_decay), t(bool(maximize)), param)

    def adam_step(self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1,
                  beta2, eps, weight_decay, amsgrad, maximize, decoupled):
        if not self._step_ok(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq):
            return super().adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr,
                                     beta1, beta2, eps, weight_decay, amsgrad, maximize,
                                     decoupled)
        t, w = param.dtype.type, 1 - beta1
        scalars = (t(-lr / (1 - beta1 ** step)), t(math.sqrt(1 - beta2 ** step)), t(beta2),
                   t(1 - beta2), t(w < 0.5), t(w), t(1 - w), t(eps), t(weight_decay),
                   t(1 - lr * weight_decay), t(bool(maximize)), t(bool(decoupled)))
        if amsgrad:
            self._ew("adam_amsgrad_step")(grad, *scalars, param, exp_avg, exp_avg_sq,
                                          max_exp_avg_sq)
        else:
            self._ew("adam_step")(grad, *scalars, param, exp_avg, exp_avg_sq)

    def rmsprop_step(self, param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps,
                     weight_decay, momentum, centered, maximize):
        if not self._step_ok(param, grad, square_avg, grad_avg, momentum_buffer):
            return super().rmsprop_step(param, grad, square_avg, grad_avg, momentum_buffer, lr,
                                        alpha, eps, weight_decay, momentum, centered, maximize)
        t, w = param.dtype.type, 1 - alpha
        state = [a for a in (grad_avg, momentum_buffer) if a is not None]
        name = "rmsprop" + "_centered" * bool(centered) + "_momentum" * (momentum > 0) + "_step"
        self._ew(name)(grad, t(-lr), t(alpha), t(1 - alpha), t(w < 0.5), t(w), t(1 - w), t(eps),
                       t(weight_decay), t(momentum), t(bool(maximize)), param, square_avg, *state)
