"""Backend conformance: every backend that can run here must agree with the numpy reference.

Two layers are checked on every backend (numpy, numba, cupy; cupy skips
with the reason when no GPU is usable):

* every kernel of the backend contract, called on raw arrays, against the
  numpy backend's kernel on the same inputs (including the cases a fast
  backend hands back to the reference: broadcasting, wide rows, strides);
* a list of tensor programs, forward values and gradients, against the same
  programs on the numpy backend.
"""
import os
import subprocess
import sys
import types

import numpy as np
import pytest

import nanotorch
from nanotorch import backends
from nanotorch.backends import BackendUnavailable, NumpyBackend, get_backend

from helpers import default_backend

BACKENDS = ["numpy", "numba", "cupy"]
REF = get_backend("numpy")


def _require(name):
    try:
        return get_backend(name)
    except BackendUnavailable as err:
        pytest.skip(f"backend {name!r} cannot run here: {err}")


@pytest.fixture(params=BACKENDS)
def backend(request):
    return _require(request.param)


# --- kernels ----------------------------------------------------------------------
def _u(rng, shape, dtype, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _away0(rng, shape, dtype):
    x = _u(rng, shape, dtype)
    return np.where(np.abs(x) < 0.3, 0.3 * np.sign(x) + (x == 0) * 0.3, x).astype(dtype)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# kernel name -> list of (label, make(rng, dtype) -> args). Array args go to the
# backend under test; other args (axes, counts, None) are passed as they are.
KERNEL_CASES = {
    "inv_map": [("vec", lambda r, t: (_away0(r, (7,), t),))],
    "rsqrt": [("vec", lambda r, t: (r.uniform(0.1, 4.0, (7,)).astype(t),))],
    "neg_map": [("mat", lambda r, t: (_u(r, (3, 4), t),))],
    "relu_map": [("mat", lambda r, t: (_u(r, (3, 4), t),))],
    "sign": [("nan_and_zeros", lambda r, t: (np.array([-2.0, -0.0, 0.0, np.nan, 3.0], dtype=t),))],
    # numba compiles small contiguous arrays and leaves large or strided ones to numpy
    "sigmoid_map": [("mat", lambda r, t: (_u(r, (3, 4), t, -30, 30),)),
                    ("saturated", lambda r, t: (np.array([-1e4, -100, 0, 100, 1e4], dtype=t),)),
                    ("large", lambda r, t: (_u(r, (40, 50), t, -30, 30),)),
                    ("strided", lambda r, t: (_u(r, (5, 4), t, -30, 30).T,)),
                    ("scalar", lambda r, t: (np.asarray(0.5, dtype=t),))],
    "id_map": [("mat", lambda r, t: (_u(r, (3, 4), t),))],
    "add_zip": [("broadcast", lambda r, t: (_u(r, (3, 4), t), _u(r, (4,), t)))],
    "mul_zip": [("broadcast", lambda r, t: (_u(r, (3, 1), t), _u(r, (1, 4), t)))],
    "mul_map": [("same", lambda r, t: (_u(r, (3, 4), t), _u(r, (3, 4), t)))],
}
for _name in ("inv_back_zip", "relu_back_zip", "sigmoid_back_zip", "tanh_back_zip"):
    KERNEL_CASES[_name] = [
        ("same", lambda r, t: (_away0(r, (33, 65), t), _u(r, (33, 65), t))),
        ("broadcast", lambda r, t: (_away0(r, (4, 5), t), _u(r, (5,), t))),
        ("strided", lambda r, t: (_away0(r, (5, 4), t).T, _u(r, (4, 5), t))),
        ("empty", lambda r, t: (_u(r, (0, 3), t), _u(r, (0, 3), t))),
    ]
KERNEL_CASES["relu_back_zip"].append(  # torch zeroes where a <= 0 only: NaN lets d through
    ("nan", lambda r, t: (np.array([[np.nan, -1.0], [0.0, 2.0]], dtype=t), _u(r, (2, 2), t))))
KERNEL_CASES["sum_reduce"] = [("dim1", lambda r, t: (_u(r, (3, 4), t), 1))]
KERNEL_CASES["scalar"] = [("float", lambda r, t: (1.5, np.dtype(t))), ("int", lambda r, t: (-2, np.dtype(t)))]
KERNEL_CASES["cumsum"] = [("rows", lambda r, t: (_u(r, (3, 4), t), 1)),
                          ("long", lambda r, t: (_u(r, (3, 9000), t), 1))]
KERNEL_CASES["sum_to_shape"] = [
    ("lead_and_stretched", lambda r, t: (_u(r, (2, 3, 4), t), (3, 1))),
    ("unchanged", lambda r, t: (_u(r, (3, 4), t), (3, 4))),
    ("to_scalar", lambda r, t: (_u(r, (3, 4), t), ())),
]
KERNEL_CASES["broadcast_zip"] = [
    (f"{name}_{label}", lambda r, t, name=name, make=make: (name,) + make(r, t))
    for name in ("add", "subtract", "multiply", "true_divide")
    for label, make in (("rows", lambda r, t: (_u(r, (32, 40, 7), t), _away0(r, (32, 40, 1), t))),
                        ("rows_first", lambda r, t: (_away0(r, (32, 40, 1), t), _away0(r, (32, 40, 7), t))),
                        ("bias", lambda r, t: (_u(r, (5, 4), t), _away0(r, (4,), t))))
] + [("power", lambda r, t: ("power", r.uniform(0.5, 2, (3, 4)).astype(t), _u(r, (4,), t)))]
KERNEL_CASES["matmul"] = [
    ("matrices", lambda r, t: (_u(r, (5, 3), t), _u(r, (3, 4), t))),
    ("outer", lambda r, t: (_u(r, (6, 1), t), _u(r, (1, 7), t))),
    ("transposed", lambda r, t: (_u(r, (3, 5), t).T, _u(r, (4, 3), t).T)),
    ("batched_broadcast", lambda r, t: (_u(r, (2, 1, 5, 3), t), _u(r, (4, 3, 2), t))),
    ("vector", lambda r, t: (_u(r, (3,), t), _u(r, (3, 4), t))),
]
KERNEL_CASES["mean"] = [
    ("all", lambda r, t: (_u(r, (64, 1), t),)),
    ("middle_keepdims", lambda r, t: (_u(r, (6, 41, 9), t), (1,), None, True)),
    ("two_dims", lambda r, t: (_u(r, (6, 41, 9), t), (0, 2))),
    ("to_float64", lambda r, t: (_u(r, (5, 4), t), 1, np.float64)),
    ("half", lambda r, t: (_u(r, (5, 4), t).astype(np.float16), 0)),
]
KERNEL_CASES["spread"] = [
    ("small_copy", lambda r, t: (_u(r, (3, 1), t), (2, 3, 4))),
    ("large_view", lambda r, t: (_u(r, (1, 50), t), (400, 50))),
    ("scalar", lambda r, t: (np.asarray(2.0, dtype=t), (3,))),
]
KERNEL_CASES["masked_fill"] = [
    ("leading_dims", lambda r, t: (_u(r, (4, 5, 3), t), r.random((4, 5, 1)) > 0.5, -np.inf)),
    ("trailing_dims", lambda r, t: (_u(r, (4, 5, 3), t), r.random((5, 3)) > 0.5, 2.0)),
    ("full", lambda r, t: (_u(r, (4, 3), t), r.random((4, 3)) > 0.5, 0.0)),
    ("scalar_mask", lambda r, t: (_u(r, (2, 3), t), np.asarray(True), 1.0)),
]
KERNEL_CASES["sort_order"] = [
    ("ties_ascending", lambda r, t: (np.array([[3, 1, 3, 2], [0, 5, 5, -1]], dtype=t), 1, False)),
    ("ties_descending", lambda r, t: (np.array([[3, 1, 3, 2], [0, 5, 5, -1]], dtype=t), 1, True)),
    ("nan_descending", lambda r, t: (np.array([2, np.nan, 1, np.nan], dtype=t), 0, True)),
    ("first_dim", lambda r, t: (_u(r, (6, 4), t), 0, True)),
]
KERNEL_CASES["extreme_along"] = [
    ("middle_max", lambda r, t: (_u(r, (4, 7, 5), t), 1, True)),
    ("last_min", lambda r, t: (_u(r, (4, 7), t), 1, False)),
    ("first_max", lambda r, t: (_u(r, (6, 3), t), 0, True)),
    ("ties_and_nan", lambda r, t: (np.array([[1, 3, 3, 0], [2, np.nan, 5, np.nan]], dtype=t), 1, True)),
    ("strided", lambda r, t: (_u(r, (5, 6), t).T, 1, True)),
    ("channels_last", lambda r, t: (_u(r, (3, 8, 5), t).transpose(0, 2, 1), 2, True)),
    ("rows_nan_first", lambda r, t: (np.array([[np.nan, 3, 4], [4, 1, 4]], dtype=t), 1, False)),
]
# np.sum's positional order: (a, axis, dtype, out, keepdims). numba adds one axis before
# the last in its own loop; the other cases must reach the reference.
KERNEL_CASES["sum"] = [
    ("middle", lambda r, t: (_u(r, (64, 50, 50), t), (1,))),
    ("middle_keepdims", lambda r, t: (_u(r, (6, 41, 9), t), (1,), None, None, True)),
    ("middle_negative_int", lambda r, t: (_u(r, (6, 41, 9), t), -2)),
    ("middle_own_dtype", lambda r, t: (_u(r, (6, 41, 9), t), (1,), t)),
    ("first_of_2d", lambda r, t: (_u(r, (300, 7), t), (0,))),
    ("rows_of_a_small_matrix", lambda r, t: (_u(r, (50, 10), t), 0)),
    ("rows_keepdims", lambda r, t: (_u(r, (3, 10), t), 0, None, None, True)),
    ("rows_of_negative_zeros", lambda r, t: (np.full((5, 3), -0.0, dtype=t), 0)),
    ("rows_of_an_empty_matrix", lambda r, t: (np.zeros((0, 4), dtype=t), 0)),
    ("first_of_4d_keepdims", lambda r, t: (_u(r, (5, 6, 7, 8), t), (0,), None, None, True)),
    ("long_axis", lambda r, t: (_u(r, (2, 20000, 3), t), (1,))),
    ("long_rows", lambda r, t: (_u(r, (20000, 3), t), 0)),
    ("long_strided_all", lambda r, t: (_u(r, (3, 20000), t).T, None)),
    ("size_one_axis", lambda r, t: (_u(r, (4, 1, 6), t), (1,))),
    ("strided", lambda r, t: (_u(r, (9, 41, 6), t).transpose(2, 1, 0), (1,))),
    ("last_axis", lambda r, t: (_u(r, (6, 41, 9), t), (2,))),
    ("then_size_one_dims", lambda r, t: (_u(r, (6, 41, 1), t), (1,), None, None, True)),
    ("two_dims", lambda r, t: (_u(r, (6, 41, 9), t), (0, 1))),
    ("all", lambda r, t: (_u(r, (6, 41, 9), t), None)),
    ("to_float64", lambda r, t: (_u(r, (6, 41, 9), t), (1,), np.float64)),
    ("empty_axis", lambda r, t: (_u(r, (3, 0, 4), t), (1,))),
]
_ROWS = [
    ("narrow_last", lambda r, t: (_u(r, (6, 10), t, -5, 5), -1)),
    ("narrow_last_3d", lambda r, t: (_u(r, (2, 3, 4), t, -5, 5), 2)),
    ("wide_last", lambda r, t: (_u(r, (3, 300), t, -5, 5), 1)),
    ("dim0", lambda r, t: (_u(r, (5, 4), t, -5, 5), 0)),
    ("strided", lambda r, t: (_u(r, (4, 6), t, -5, 5).T, -1)),
    ("with_inf", lambda r, t: (np.array([[0.0, -np.inf, 1.0], [-np.inf] * 3], dtype=t), -1)),
]
KERNEL_CASES["softmax"] = _ROWS
KERNEL_CASES["log_softmax"] = _ROWS
KERNEL_CASES["logsumexp"] = [
    (label + kd, (lambda make, keep: lambda r, t: (make(r, t)[0], (make(r, t)[1],), keep))(make, keep))
    for label, make in _ROWS for kd, keep in (("", False), ("_keepdim", True))
] + [("two_dims", lambda r, t: (_u(r, (2, 3, 4), t), (0, 2), False))]


def _back_case(shape, axis, log):
    def make(r, t):
        y = _softmax(_u(r, shape, t, -3, 3), axis).astype(t)
        return (np.log(y) if log else y), _u(r, shape, t), axis
    return make


_BACK = [("narrow_last", (8, 10), -1), ("wide_last", (3, 300), 1), ("dim0", (5, 4), 0),
         ("3d_last", (2, 3, 5), 2)]
KERNEL_CASES["softmax_back"] = [(lbl, _back_case(s, a, False)) for lbl, s, a in _BACK]
KERNEL_CASES["log_softmax_back"] = [(lbl, _back_case(s, a, True)) for lbl, s, a in _BACK]
KERNEL_CASES["index_add"] = [
    ("repeats", lambda r, t: (6, np.array([[0, 5, 2, 0], [5, 5, 1, 3]]), _u(r, (2, 4, 3), t))),
    ("negative", lambda r, t: (4, np.array([-1, 0, -1]), _u(r, (3, 2, 2), t))),
    ("vector_rows", lambda r, t: (3, np.array([2, 2, 0]), _u(r, (3,), t))),
    ("empty", lambda r, t: (3, np.zeros((0,), dtype=np.int64), _u(r, (0, 4), t))),
]
KERNEL_CASES["linear"] = [
    ("bias", lambda r, t: (_u(r, (4, 3), t), _u(r, (5, 3), t), _u(r, (5,), t))),
    ("batched_no_bias", lambda r, t: (_u(r, (2, 4, 3), t), _u(r, (5, 3), t), None)),
]
KERNEL_CASES["binary_cross_entropy"] = [
    ("probs", lambda r, t: (_u(r, (4, 3), t, 0.01, 0.99), (r.uniform(size=(4, 3)) > 0.5).astype(t))),
    ("saturated", lambda r, t: (np.array([0.0, 1.0, 0.5], dtype=t), np.array([1.0, 0.0, 1.0], dtype=t))),
    ("soft_targets", lambda r, t: (_u(r, (6, 1), t, 0, 1), _u(r, (6, 1), t, 0, 1))),
    ("strided", lambda r, t: (_u(r, (3, 4), t, 0.01, 0.99).T, _u(r, (4, 3), t, 0, 1))),
    ("mean", lambda r, t: (_u(r, (64, 1), t, 0.01, 0.99), (r.uniform(size=(64, 1)) > 0.5).astype(t),
                           "mean")),
    ("sum_saturated", lambda r, t: (np.array([0.0, 1.0, 0.5], dtype=t), np.array([1.0, 0.0, 1.0], dtype=t),
                                    "sum")),
    ("mean_of_nothing", lambda r, t: (np.zeros((0, 1), dtype=t), np.zeros((0, 1), dtype=t), "mean")),
]
KERNEL_CASES["binary_cross_entropy_back"] = [
    ("probs", lambda r, t: (_u(r, (4, 3), t, 0.01, 0.99), (r.uniform(size=(4, 3)) > 0.5).astype(t),
                            _u(r, (4, 3), t))),
    ("saturated", lambda r, t: (np.array([0.0, 1.0, 0.5], dtype=t), np.array([1.0, 0.0, 1.0], dtype=t),
                                np.array([1.0, 2.0, 3.0], dtype=t))),
    ("saturated_broadcast_grad", lambda r, t: (np.array([0.0, 1.0, 0.5], dtype=t),
                                               np.array([1.0, 0.0, 1.0], dtype=t),
                                               np.asarray(0.25, dtype=t))),
    ("mean_grad_and_scale", lambda r, t: (_u(r, (64, 1), t, 0.01, 0.99),
                                          (r.uniform(size=(64, 1)) > 0.5).astype(t),
                                          np.asarray(0.5, dtype=t), 1 / 64)),
]
KERNEL_CASES["binary_cross_entropy_with_logits"] = [
    ("plain", lambda r, t: (_u(r, (4, 3), t, -40, 40), (r.uniform(size=(4, 3)) > 0.5).astype(t), None)),
    ("pos_weight", lambda r, t: (_u(r, (4, 3), t), (r.uniform(size=(4, 3)) > 0.5).astype(t),
                                 _u(r, (3,), t, 0.5, 2))),
]
KERNEL_CASES["erf"] = [("range", lambda r, t: (_u(r, (50,), t, -7, 7),))]


def _out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


# convolution geometry: (spatial, kernel, stride, padding, dilation)
_CONV = [("1d", (9,), (3,), (1,), (0,), (1,)),
         ("1d_pad_stride_dilation", (11,), (3,), (2,), (2,), (2,)),
         ("2d", (6, 5), (3, 2), (2, 1), (1, 0), (1, 2))]


def _conv_case(spatial, kernel, stride, padding, dilation, which):
    out = tuple(_out(*g) for g in zip(spatial, kernel, stride, padding, dilation))
    shape = (2, 3, *spatial)

    def make(r, t):
        if which == "im2col":
            return _u(r, shape, t), kernel, stride, padding, dilation, out
        if which == "col2im":
            cols = _u(r, (2, 3 * int(np.prod(kernel)), int(np.prod(out))), t)
            return cols, shape, kernel, stride, padding, dilation, out
        if which == "im2row":  # channels-last memory, the layout the row path is taken for
            x = _u(r, (2, *spatial, 3), t).transpose(0, len(spatial) + 1, *range(1, len(spatial) + 1))
            return x, kernel, stride, padding, dilation, out
        if which == "row2im":
            rows = _u(r, (2, int(np.prod(out)), int(np.prod(kernel)) * 3), t)
            return rows, shape, kernel, stride, padding, dilation, out
        return _u(r, shape, t), kernel, stride, padding, dilation, out
    return make


def _max_pool_back_case(spatial, kernel, stride, padding, dilation):
    def make(r, t):
        x = _u(r, (2, 3, *spatial), t)
        out = tuple(_out(*g) for g in zip(spatial, kernel, stride, padding, dilation))
        _, idx = REF.max_pool(x, kernel, stride, padding, dilation, out)
        return _u(r, idx.shape, t), idx, x.shape
    return make


def _avg_case(spatial, kernel, stride, padding, back, include_pad, divisor):
    out = tuple(_out(n, k, s, p, 1) for n, k, s, p in zip(spatial, kernel, stride, padding))
    shape = (2, 3, *spatial)

    def make(r, t):
        if back:
            return _u(r, (2, 3, *out), t), shape, kernel, stride, padding, out, include_pad, divisor
        return _u(r, shape, t), kernel, stride, padding, out, include_pad, divisor
    return make


for _which in ("im2col", "col2im", "im2row", "row2im", "max_pool"):
    KERNEL_CASES[_which] = [(lbl, _conv_case(*g, _which)) for lbl, *g in _CONV]
KERNEL_CASES["max_pool_back"] = [(lbl, _max_pool_back_case(*g)) for lbl, *g in _CONV]
for _name, _back in (("avg_pool", False), ("avg_pool_back", True)):
    KERNEL_CASES[_name] = [
        ("1d", _avg_case((9,), (3,), (2,), (1,), _back, True, None)),
        ("2d_exclude_pad", _avg_case((6, 5), (3, 2), (2, 2), (1, 1), _back, False, None)),
        ("divisor_override", _avg_case((8,), (2,), (2,), (0,), _back, True, 3)),
    ]
KERNEL_CASES["adaptive_max_pool1d"] = [
    ("uneven", lambda r, t: (_u(r, (2, 3, 10), t), 4)),
    ("longer_output", lambda r, t: (_u(r, (3, 5), t), 7)),
]
KERNEL_CASES["adaptive_avg_windows"] = [
    ("uneven", lambda r, t: (10, 4)),
    ("longer_output", lambda r, t: (5, 7)),
]


# Optimizer kernels update some of their array arguments in place and return
# None; these are the positions compared after the call.
IN_PLACE = {"sgd_step": (0, 2), "adam_step": (0, 2, 3, 4), "rmsprop_step": (0, 2, 3, 4)}


def _state(r, t, shape=(5, 7)):
    """(param, grad, first buffer, second buffer): the buffers as after a few steps (v >= m²)."""
    m = _u(r, shape, t, -0.5, 0.5)
    return _u(r, shape, t), _u(r, shape, t), m, (m * m + _u(r, shape, t, 0.01, 1)).astype(t)


def _sgd(**kw):
    o = dict(lr=0.1, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0,
             maximize=False, first_step=False, grad=None)
    o.update(kw)

    def make(r, t):
        p, g, buf, _ = _state(r, t)
        g = g if o["grad"] is None else o["grad"](r, t)
        return (p, g, buf if o["momentum"] else None, o["lr"], o["momentum"], o["dampening"],
                o["nesterov"], o["weight_decay"], o["maximize"], o["first_step"])
    return make


def _adam(**kw):
    o = dict(step=3, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             maximize=False, decoupled=False, grad=None)
    o.update(kw)

    def make(r, t):
        p, g, m, v = _state(r, t)
        g = g if o["grad"] is None else o["grad"](r, t)
        vmax = (v * _u(r, v.shape, t, 0.5, 1.5)).astype(t) if o["amsgrad"] else None
        return (p, g, m, v, vmax, o["step"], o["lr"], *o["betas"], o["eps"], o["weight_decay"],
                o["amsgrad"], o["maximize"], o["decoupled"])
    return make


def _rmsprop(**kw):
    o = dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
             maximize=False, grad=None)
    o.update(kw)

    def make(r, t):
        p, g, m, v = _state(r, t)
        g = g if o["grad"] is None else o["grad"](r, t)
        buf = _u(r, p.shape, t) if o["momentum"] else None
        return (p, g, v, m if o["centered"] else None, buf, o["lr"], o["alpha"], o["eps"],
                o["weight_decay"], o["momentum"], o["centered"], o["maximize"])
    return make


_BROADCAST_GRAD = lambda r, t: _u(r, (7,), t)        # noqa: E731  # the reference handles it
_STRIDED_GRAD = lambda r, t: _u(r, (7, 5), t).T      # noqa: E731
KERNEL_CASES["sgd_step"] = [
    ("plain", _sgd(momentum=0.0)),
    ("momentum_first_step", _sgd(first_step=True, weight_decay=0.1)),
    ("dampening_decay", _sgd(dampening=0.3, weight_decay=0.01)),
    ("nesterov_maximize", _sgd(nesterov=True, maximize=True)),
    ("broadcast_grad", _sgd(grad=_BROADCAST_GRAD)),
    ("strided_grad", _sgd(momentum=0.0, grad=_STRIDED_GRAD)),
    # plain SGD runs numba's loop only from 8,192 elements: numpy's two ufuncs win below
    ("plain_large", lambda r, t: (_u(r, (9000,), t), _u(r, (9000,), t), None, 0.1, 0.0, 0.0,
                                  False, 0.0, False, False)),
]
KERNEL_CASES["adam_step"] = [
    ("first_step", _adam(step=1)),
    ("amsgrad_l2", _adam(amsgrad=True, weight_decay=0.1)),
    ("adamw_maximize", _adam(decoupled=True, weight_decay=0.01, maximize=True)),
    ("low_beta1", _adam(betas=(0.3, 0.9))),  # lerp weight above 0.5: torch's other formula
    ("broadcast_grad", _adam(grad=_BROADCAST_GRAD)),
]
KERNEL_CASES["rmsprop_step"] = [
    ("plain", _rmsprop()),
    ("centered_momentum_decay", _rmsprop(centered=True, momentum=0.9, weight_decay=0.1)),
    ("low_alpha_maximize", _rmsprop(alpha=0.3, centered=True, maximize=True)),
    ("strided_grad", _rmsprop(momentum=0.5, grad=_STRIDED_GRAD)),
]

# Methods of the contract that are memory management, not kernels.
NOT_KERNELS = {"device_of", "asarray", "from_numpy", "to_numpy", "is_array", "owns_dense", "synchronize"}


def contract_kernels():
    """Every kernel the numpy reference defines (the backend contract), as names."""
    names = set()
    for klass in NumpyBackend.__mro__:
        if klass is object:
            continue
        names |= {n for n, v in vars(klass).items() if callable(v) and not n.startswith("_")}
    return sorted(names - NOT_KERNELS)


def test_every_kernel_of_the_contract_has_a_conformance_case():
    missing = [n for n in contract_kernels() if n not in KERNEL_CASES]
    assert not missing, f"add conformance cases to KERNEL_CASES for: {missing}"


def _kernel_params():
    return [pytest.param(name, label, make, id=f"{name}-{label}")
            for name, cases in KERNEL_CASES.items() for label, make in cases]


def _to(backend, value):
    return backend.from_numpy(value) if isinstance(value, np.ndarray) else value


def _host(backend, value):
    return np.asarray(backend.to_numpy(value)) if backend.is_array(value) else np.asarray(value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,label,make", _kernel_params())
def test_kernel_matches_numpy_reference(backend, name, label, make, dtype):
    args = make(np.random.default_rng(0), dtype)
    if name in IN_PLACE:
        # each backend updates its own copy, made by the same seeded draw
        mine = [_to(backend, a) for a in make(np.random.default_rng(0), dtype)]
        assert getattr(REF, name)(*args) is None and getattr(backend, name)(*mine) is None
        expected = tuple(args[i] for i in IN_PLACE[name] if args[i] is not None)
        got = tuple(mine[i] for i in IN_PLACE[name] if mine[i] is not None)
    else:
        with np.errstate(all="ignore"):  # the -inf and saturated cases: nan and inf are the answer
            expected = getattr(REF, name)(*args)
            got = getattr(backend, name)(*[_to(backend, a) for a in args])
    if not isinstance(expected, tuple):  # max pooling returns (values, indices)
        got, expected = (got,), (expected,)
    assert len(got) == len(expected)
    tol = dict(rtol=2e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-13)
    for g, e in zip(got, expected):
        g, e = _host(backend, g), np.asarray(e)
        assert g.shape == e.shape
        assert g.dtype == e.dtype
        np.testing.assert_allclose(g, e, **tol)


def test_kernel_inputs_are_not_modified(backend):
    rng = np.random.default_rng(1)
    a, d = _u(rng, (8, 9), np.float32), _u(rng, (8, 9), np.float32)
    ba, bd = backend.from_numpy(a.copy()), backend.from_numpy(d.copy())
    for name in ("relu_back_zip", "sigmoid_back_zip", "tanh_back_zip", "inv_back_zip"):
        getattr(backend, name)(ba, bd)
    backend.softmax_back(ba, bd, -1)
    backend.log_softmax(ba, -1)
    np.testing.assert_array_equal(_host(backend, ba), a)
    np.testing.assert_array_equal(_host(backend, bd), d)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("bad", [1.5, -0.25, float("nan")])
def test_binary_cross_entropy_rejects_a_probability_outside_0_1(backend, reduction, bad):
    p = backend.from_numpy(np.array([0.5, bad, 0.25], dtype=np.float32))
    y = backend.from_numpy(np.ones(3, dtype=np.float32))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        backend.binary_cross_entropy(p, y, reduction)


def test_owns_dense_is_true_only_for_fresh_contiguous_arrays(backend):
    fresh = backend.from_numpy(np.zeros((3, 4), np.float32))
    assert backend.owns_dense(fresh)
    assert not backend.owns_dense(fresh.T)
    assert not backend.owns_dense(fresh[:, :2])
    assert not backend.owns_dense(fresh.reshape(12))


def test_numba_takes_its_compiled_path_and_checks_indices():
    numba_backend = _require("numba")
    from nanotorch.backends import numba_kernels
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    big = np.linspace(-1, 1, 4096)  # smaller arrays go to numpy: dispatch would cost more
    numba_backend.relu_back_zip(big, big)
    numba_backend.softmax(x, -1)
    numba_backend.index_add(3, np.array([0, 2, 2]), x[:, :2].copy())
    for loop in (numba_kernels.relu_back, numba_kernels.softmax_rows, numba_kernels.index_add_rows):
        assert loop.signatures, f"{loop.__name__} was never compiled: the fast path was not taken"
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0 with size 3"):
        numba_backend.index_add(3, np.array([0, 7]), x[:2, :2].copy())


def test_numba_sums_a_middle_axis_in_its_compiled_loop_with_numpys_rounding():
    numba_backend = _require("numba")
    from nanotorch.backends import numba_kernels
    x = np.random.default_rng(0).uniform(-2, 2, (64, 50, 50)).astype(np.float32)
    got = numba_backend.sum(x, axis=(1,), keepdims=True)
    assert numba_kernels.sum_along.signatures, "sum_along was never compiled: the fast path was not taken"
    # numpy adds a middle axis row after row too, so the float32 results agree bit for bit
    np.testing.assert_array_equal(got, np.sum(x, axis=(1,), keepdims=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel", ["add", "subtract", "multiply", "true_divide"])
def test_numba_zips_rows_in_its_loop_and_leaves_other_broadcasts_to_numpy(kernel, dtype):
    numba_backend = _require("numba")
    from nanotorch.backends import numba_kernels
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 2, (64, 50, 50)).astype(dtype)
    s = rng.uniform(0.5, 2, (64, 50, 1)).astype(dtype)
    ufunc = getattr(np, kernel)
    for a, b in ((x, s), (s, x)):  # the same IEEE operation per element: bit for bit
        np.testing.assert_array_equal(numba_backend.broadcast_zip(kernel, a, b), ufunc(a, b))
    assert numba_kernels.zip_rows.signatures, "zip_rows was never compiled: the fast path was not taken"
    # shapes, layouts, dtypes and kernels the loop is not written for: numpy's answer
    for name, a, b in ((kernel, x, s.reshape(64, 1, 50)), (kernel, x.transpose(0, 2, 1), s),
                       (kernel, x, s[0]), (kernel, x, s.astype(np.float16)), (kernel, x[:2], s[:2]),
                       ("power", x, s)):
        got, want = numba_backend.broadcast_zip(name, a, b), getattr(np, name)(a, b)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_tensor_ops_that_broadcast_reach_the_backends_broadcast_zip(monkeypatch):
    backend = get_backend("numpy")
    seen = []
    monkeypatch.setattr(backend, "broadcast_zip",
                        lambda kernel, a, b: seen.append(kernel) or getattr(backend, kernel)(a, b),
                        raising=False)
    with default_backend("numpy"):
        x, s, same = nanotorch.ones(4, 3), nanotorch.full((4, 1), 2.0), nanotorch.ones(4, 3)
        assert (x * s).tolist() == [[2.0] * 3] * 4 and (s - x).tolist() == [[1.0] * 3] * 4
        _ = x * same, x * 2.0, x / same
        mask = nanotorch.tensor([[True], [False], [True], [True]])  # promoted first, then zipped
        assert (x * mask).sum().item() == 9.0
        assert (nanotorch.arange(12).reshape(4, 3) / nanotorch.full((4, 1), 2)).shape == (4, 3)
    assert seen == ["multiply", "subtract", "multiply", "true_divide"]


def test_numba_optimizer_kernels_take_their_compiled_loops():
    numba_backend = _require("numba")
    from nanotorch.backends import numba_kernels
    for name, cases in (("sgd_step", KERNEL_CASES["sgd_step"][1:2]),
                        ("adam_step", KERNEL_CASES["adam_step"][:1]),
                        ("rmsprop_step", KERNEL_CASES["rmsprop_step"][:1])):
        args = cases[0][1](np.random.default_rng(0), np.float32)
        getattr(numba_backend, name)(*args)
        assert getattr(numba_kernels, name).signatures, f"{name}: the fast path was not taken"


# --- tensor programs: forward and gradient ----------------------------------------
def _pos(shape):
    return lambda r: r.uniform(0.5, 2.0, size=shape)


def _kinkless(shape):
    """Values kept 0.2 away from 0, 0.7 and -0.5 (the kinks of relu, abs and the clamp below)."""
    def make(r):
        x = r.uniform(-2, 2, size=shape)
        for p in (0.0, 0.7, -0.5):
            near = np.abs(x - p) < 0.2
            x[near] = p + np.where(x[near] >= p, 0.2, -0.2)
        return x
    return make


def _distinct(shape):
    return lambda r: (r.permutation(int(np.prod(shape))).reshape(shape) - 3.0) * 0.37


def _index(values, dtype=np.int64):
    return lambda r: np.array(values, dtype=dtype)


class Inv(nanotorch.Function):
    """The lecture's Inv written with the backend kernels ``t.f.inv_map`` / ``d.f.inv_back_zip``."""

    @staticmethod
    def forward(ctx, t1):
        ctx.save_for_backward(t1)
        return t1.f.inv_map(t1)

    @staticmethod
    def backward(ctx, d):
        (t1,) = ctx.saved_values
        return d.f.inv_back_zip(t1, d)


def _second_derivative(a):
    (g,) = nanotorch.autograd.grad(a.tanh().sum(), a, create_graph=True)
    return g * a


def _embedding(table, idx):
    import nanotorch.nn.functional as F
    if not hasattr(F, "embedding"):
        return table[idx]  # plain advanced indexing until nn.functional.embedding lands
    return F.embedding(idx, table)


PROGRAMS = [
    ("add_broadcast", lambda a, b: a + b, [(3, 4), (4,)]),
    ("sub_outer_broadcast", lambda a, b: a - b, [(3, 1), (1, 4)]),
    ("mul_div", lambda a, b: a * b / (b + 3), [(2, 3), _pos((2, 3))]),
    ("pow", lambda a, b: a ** 3 + b ** a.abs(), [(5,), _pos((5,))]),
    ("exp_log", lambda a: (a.exp() + 1).log() + a.log1p().sum() * 0, [_pos((4, 3))]),
    ("sqrt_rsqrt", lambda a: a.sqrt() + a.rsqrt(), [_pos((6,))]),
    ("trig_hyperbolic", lambda a: a.sin() * a.cos() + a.tanh() + a.atan(), [(3, 5)]),
    ("sigmoid", lambda a: a.sigmoid(), [(17, 33)]),
    ("relu", lambda a: a.relu() * a, [_kinkless((17, 33))]),
    ("reciprocal", lambda a: a.reciprocal(), [_kinkless((4, 4))]),
    ("lecture_inv", lambda a: Inv.apply(a), [_kinkless((4, 4))]),
    ("abs_clamp", lambda a: a.abs() + a.clamp(-0.5, 0.7), [_kinkless((5, 5))]),
    ("where_maximum", lambda a, b: nanotorch.where(a > b, a, b * 2) + nanotorch.maximum(a, b),
     [_distinct((3, 4)), lambda r: _distinct((3, 4))(r)[::-1].copy() + 0.1]),
    ("sum_mean", lambda a: a.sum(1) + a.mean(1) + a.sum(), [(3, 4)]),
    ("amax_max_dim", lambda a: a.amax(0).sum() + a.max(1)[0], [_distinct((4, 3))]),
    ("logsumexp", lambda a: nanotorch.logsumexp(a, 1), [(3, 5)]),
    ("softmax_narrow", lambda a: nanotorch.softmax(a, -1), [(6, 10)]),
    ("softmax_wide", lambda a: nanotorch.softmax(a, 1), [(3, 40)]),
    ("softmax_dim0", lambda a: nanotorch.softmax(a, 0), [(4, 3)]),
    ("log_softmax_narrow", lambda a: nanotorch.log_softmax(a, -1), [(6, 10)]),
    ("log_softmax_dim0", lambda a: nanotorch.log_softmax(a, 0), [(4, 3)]),
    ("cross_entropy_by_hand", lambda a, t: -nanotorch.log_softmax(a, -1).gather(1, t).mean(),
     [(4, 10), _index([[1], [0], [9], [1]])]),
    ("cumsum_prod", lambda a: a.cumsum(1) + a.prod(1, keepdim=True), [_pos((3, 4))]),
    ("norm_var", lambda a: a.norm() + a.var(0).sum() + a.std(), [(4, 3)]),
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 5)]),
    ("matmul_batched_broadcast", lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
    ("mv_outer", lambda a, v: a.mv(v).unsqueeze(1) * nanotorch.outer(v, v)[:3], [(3, 4), (4,)]),
    ("lecture_mlp", lambda x, w1, b1, w2, b2, w3, b3:
     ((((x @ w1.T + b1).relu() @ w2.T + b2).relu() @ w3.T + b3).sigmoid()),
     [(8, 2), (10, 2), (10,), (10, 10), (10,), (1, 10), (1,)]),
    ("reshape_permute", lambda a: a.reshape(4, 6).permute(1, 0) * 2, [(2, 3, 4)]),
    ("transpose_expand", lambda a: a.t().unsqueeze(0).expand(2, 4, 3) * 1.5, [(3, 4)]),
    ("cat_stack", lambda a, b: nanotorch.cat([a, b], 0) * nanotorch.stack([a, b]).sum(0).repeat(2, 1),
     [(2, 3), (2, 3)]),
    ("getitem_basic", lambda a: a[1:, ::2], [(4, 5)]),
    ("getitem_repeated_index", lambda a: a[[0, 2, 0]], [(3, 4)]),
    ("index_select", lambda a, i: a.index_select(0, i), [(5, 3), _index([4, 0, 4])]),
    ("masked_fill", lambda a: a.masked_fill(a > 0, 0.5), [_kinkless((3, 4))]),
    ("embedding", _embedding, [(7, 3), _index([[1, 6, 1], [0, 6, 6]])]),
    # large enough (10,240 elements) for numba's row loop behind broadcast_zip
    ("masked_mean_and_row_ops", lambda e, m, n: ((e * m).sum(1) / m.sum(1)).sum()
     + ((e - n) / n + n * e - (n + e)).mean(1), [(16, 32, 20), _pos((16, 32, 1)), _pos((16, 32, 1))]),
    ("second_derivative", _second_derivative, [(4,)]),
]


def _run(backend_name, fn, specs, seed=0):
    """fn on fresh float64 leaves made on ``backend_name``: (output, grads) as numpy."""
    rng = np.random.default_rng(seed)
    arrays = [s(rng) if callable(s) else rng.uniform(-2, 2, size=s) for s in specs]
    with default_backend(backend_name):
        leaves = [nanotorch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        out = fn(*leaves)
        weight = nanotorch.tensor(np.random.default_rng(seed + 1).uniform(0.5, 1.5, out.shape))
        (out * weight).sum().backward()
    assert out.device == get_backend(backend_name).device_of(out._data)
    grads = [None if t.grad is None else t.grad.cpu().numpy() for t in leaves]
    return out.detach().cpu().numpy(), grads


@pytest.mark.parametrize("name,fn,specs", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_program_forward_and_gradient_match_numpy(backend, name, fn, specs):
    expected_out, expected_grads = _run("numpy", fn, specs)
    out, grads = _run(backend.name, fn, specs)
    np.testing.assert_allclose(out, expected_out, rtol=1e-10, atol=1e-12)
    for got, want in zip(grads, expected_grads):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "sigmoid", "tanh", "relu", "reciprocal"])
def test_fused_kernels_pass_gradcheck(backend, op):
    rng = np.random.default_rng(3)
    fn = {"softmax": lambda t: nanotorch.softmax(t, -1),
          "log_softmax": lambda t: nanotorch.log_softmax(t, -1)}.get(op, lambda t: getattr(t, op)())
    with default_backend(backend.name):
        x = nanotorch.tensor(_kinkless((3, 5))(rng), requires_grad=True)
        assert nanotorch.autograd.gradcheck(fn, (x,))
        assert nanotorch.autograd.gradgradcheck(fn, (x,))


def test_float32_training_step_matches_numpy(backend):
    """One float32 MLP step (the shapes where numba's fast paths engage) agrees with numpy."""
    def step(name):
        rng = np.random.default_rng(5)
        with default_backend(name):
            x = nanotorch.tensor(rng.standard_normal((64, 20)), dtype=nanotorch.float32)
            w1 = nanotorch.tensor(rng.standard_normal((20, 32)) * 0.3, dtype=nanotorch.float32,
                                  requires_grad=True)
            w2 = nanotorch.tensor(rng.standard_normal((32, 10)) * 0.3, dtype=nanotorch.float32,
                                  requires_grad=True)
            target = nanotorch.tensor(rng.integers(0, 10, size=(64, 1)))
            h = (x @ w1).tanh() + (x @ w1).relu() + (x @ w1).sigmoid()
            loss = -nanotorch.log_softmax(h @ w2, -1).gather(1, target).mean()
            loss.backward()
        return loss.item(), w1.grad.cpu().numpy(), w2.grad.cpu().numpy()

    ref, got = step("numpy"), step(backend.name)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-5)
    for a, b in zip(got[1:], ref[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


# --- selection, devices, errors ---------------------------------------------------
def test_mixing_devices_raises_torchs_error():
    class FakeGpu(NumpyBackend):
        """Arrays in host memory that claim to live on cuda:0: enough to test the device check."""
        name = "fake-gpu"
        device_type = "cuda"

        def device_of(self, array):
            return nanotorch.device("cuda", 0)

    gpu_tensor = nanotorch.Tensor._wrap(np.ones(3), FakeGpu())
    cpu_tensor = nanotorch.ones(3, dtype=nanotorch.float64)
    message = "Expected all tensors to be on the same device, but found at least two devices"
    with pytest.raises(RuntimeError, match=message):
        cpu_tensor + gpu_tensor
    with pytest.raises(RuntimeError, match=message):
        gpu_tensor * cpu_tensor


def test_cpu_tensors_of_different_cpu_backends_mix():
    with default_backend("numpy"):
        a = nanotorch.ones(3)
    b = nanotorch.ones(3)
    assert (a + b).device == nanotorch.device("cpu")


def _python(code, backend_value):
    env = dict(os.environ)
    if backend_value is None:
        env.pop("NANOTORCH_BACKEND", None)
    else:
        env["NANOTORCH_BACKEND"] = backend_value
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


def test_unknown_backend_in_environment_fails_with_one_sentence():
    proc = _python("import nanotorch; nanotorch.zeros(1)", "bogus")
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last == ("ValueError: NANOTORCH_BACKEND='bogus' is not a nanotorch backend; "
                    "valid values are: cupy, numba, numpy")


def test_environment_picks_the_backend_and_default_is_fastest_installed():
    code = "import nanotorch; print(nanotorch.zeros(1)._backend.name)"
    assert _python(code, "numpy").stdout.strip() == "numpy"
    expected = "numba" if "numba" in backends.available_backends() else "numpy"
    assert _python(code, None).stdout.strip() == expected


def test_importing_nanotorch_does_not_import_numba():
    proc = _python("import sys, nanotorch; nanotorch.ones(2) * 2; print('numba' in sys.modules)",
                   None)
    assert proc.stdout.strip() == "False"


def test_missing_cupy_fails_with_one_sentence_saying_what_to_install():
    try:
        get_backend("cupy")
    except BackendUnavailable as err:
        message = str(err)
    else:
        pytest.skip("cupy runs here, so it is not missing")
    assert "\n" not in message and message.count(". ") == 0
    assert "nanotorch[cuda" in message or "GPU" in message
    proc = _python("import nanotorch; nanotorch.zeros(1)", "cupy")
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1] == f"nanotorch.backends.BackendUnavailable: {message}"


def test_register_a_third_party_backend():
    class Counting(NumpyBackend):
        """The numpy backend, counting its relu backward calls."""
        name = "counting"
        calls = 0

        def relu_back_zip(self, a, d):
            Counting.calls += 1
            return super().relu_back_zip(a, d)

    backends.register_backend("counting", Counting)
    try:
        with default_backend("counting"):
            x = nanotorch.tensor([-1.0, 2.0], requires_grad=True)
            x.relu().sum().backward()
        assert Counting.calls == 1
        assert x.grad.tolist() == [0.0, 1.0]
        assert "counting" in backends.available_backends()
    finally:
        backends._FACTORIES.pop("counting")
        backends._INSTANCES.pop("counting", None)


# --- GPU: devices end to end ------------------------------------------------------
@pytest.fixture
def cuda():
    return _require("cupy")


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop"])
def test_optimizer_step_count_stays_on_the_cpu(cuda, name):
    """As in torch, ``state["step"]`` is a CPU tensor: the update reads it as a Python number,
    which on the GPU would wait for the device once per parameter and step."""
    w = nanotorch.nn.Parameter(nanotorch.ones(3, device="cuda"))
    opt = getattr(nanotorch.optim, name)([w])
    (w * w).sum().backward()
    opt.step()
    assert opt.state[w]["step"].device == nanotorch.device("cpu")
    assert opt.state[w]["step"].item() == 1.0
    assert opt.state[w]["exp_avg" if name != "RMSprop" else "square_avg"].device == w.device


def test_cuda_factories_and_moves(cuda):
    cuda_device = nanotorch.device("cuda", 0)
    x = nanotorch.ones(2, 3, device="cuda")
    assert x.device == cuda_device and x.is_cuda
    assert nanotorch.zeros(2, device="cuda:0").device == cuda_device
    assert nanotorch.arange(4, device=cuda_device).device == cuda_device
    assert nanotorch.randn(3, device="cuda").device == cuda_device
    y = nanotorch.tensor([1.0, 2.0]).cuda()
    assert y.device == cuda_device and y.to("cuda") is y
    assert y.cpu().device == nanotorch.device("cpu")
    assert y.cpu().tolist() == [1.0, 2.0]
    assert nanotorch.zeros_like(y).device == cuda_device
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        y.numpy()
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        y + nanotorch.tensor([1.0, 2.0])


def test_gradient_flows_back_across_devices(cuda):
    x = nanotorch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (x.cuda() * 2).relu().sum()
    y.backward()
    assert x.grad.device == nanotorch.device("cpu")
    assert x.grad.tolist() == [2.0, 0.0, 2.0]


def test_module_to_cuda(cuda):
    nn = pytest.importorskip("nanotorch.nn")
    model = nn.Linear(3, 2).to("cuda")
    assert all(p.device == nanotorch.device("cuda", 0) for p in model.parameters())
    out = model(nanotorch.ones(4, 3, device="cuda"))
    out.sum().backward()
    assert model.weight.grad.device == nanotorch.device("cuda", 0)
    assert model.cpu().weight.device == nanotorch.device("cpu")


def test_cached_scalars_are_shared_and_read_only():
    """backend.scalar hands the same 0-d array to every op using a number: nothing may write it."""
    from nanotorch.backends import get_backend
    backend = get_backend("numpy")
    one_half = backend.scalar(1.5, np.dtype(np.float32))
    assert backend.scalar(1.5, np.dtype(np.float32)) is one_half
    assert not one_half.flags.writeable
    y = nanotorch.ones(()) * 1.5  # a 0-d product: numpy returns a scalar, the tensor gets a new array
    y.add_(1.0)
    assert float(one_half) == 1.5 and y.item() == 2.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label,make", KERNEL_CASES["masked_fill"])
def test_cupy_masked_fill_formula_matches_the_reference(label, make, dtype):
    """cupy's masked_fill is one ``where`` (no device sync): run with numpy standing in for
    cupy, it gives the reference's result on every case (the GPU run checks cupy itself)."""
    from nanotorch.backends.cupy_backend import CupyBackend
    x, mask, value = make(np.random.default_rng(0), dtype)
    got = CupyBackend.masked_fill(types.SimpleNamespace(cupy=np), x, mask, value)
    assert got.dtype == x.dtype and got.shape == x.shape
    np.testing.assert_array_equal(got, REF.masked_fill(x, mask, value))

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cached_zero_keeps_its_sign(backend, dtype):
    """0.0 and -0.0 are equal as dict keys, but x / -0.0 is -inf where x / 0.0 is inf."""
    data = np.array([1.0, -2.0, 0.5], dtype=dtype)
    with default_backend(backend.name), np.errstate(divide="ignore"):
        x = nanotorch.tensor(data)
        nanotorch.relu(x)  # caches the +0 of this dtype first
        for name, got, want in [("x / -0.0", x / -0.0, data / -0.0),
                                ("x * -0.0", x * -0.0, data * -0.0),
                                ("x / 0.0", x / 0.0, data / 0.0),
                                ("x - 0.0", x - 0.0, data - 0.0)]:
            got = got.cpu().numpy()
            assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want)), name
