"""The numba backend's compiled loops (imported on the first kernel call, never at import).

Every function is ``@njit(cache=True, error_model="numpy")``: numba compiles it on its first call
for the argument types it sees (float32 and float64 here) and stores the
machine code in ``__pycache__``, so later processes load it instead of
compiling again (once per dtype and number of dims). The loops take
C-contiguous arrays. Elementwise kernels take any shape and walk it flat;
row kernels see 2-D ``(rows, n)`` arrays and work along the last axis, where
a row is one contiguous run of memory; ``(outer, n, inner)`` kernels reduce
the middle axis. Sums along a row accumulate in float64 so float32 rows lose no more
precision than numpy's pairwise sums; ``sum_along`` adds in the array's own
dtype, in numpy's order, so its results are numpy's bit for bit.
"""
from __future__ import annotations

import math

import numpy as np

from numba import njit

# --- elementwise: the sigmoid map, the fused activation backwards, binary cross-entropy ------
# They take C-contiguous arrays of any shape and walk them flat: ``ravel`` of a
# C-contiguous array is a view, and doing it here instead of in Python saves a
# reshape call per argument (0.08 us each, a sixth of the kernel on 100 floats).


@njit(cache=True, error_model="numpy")
def sigmoid(a, out):
    """out = 1 / (1 + exp(-a)); where exp(-a) overflows to inf the result is 0, as it should be."""
    a, o = a.ravel(), out.ravel()
    for i in range(o.size):
        o[i] = 1 / (1 + np.exp(-a[i]))


@njit(cache=True, error_model="numpy")
def relu_back(a, d, out):
    """out = 0 where a <= 0, else d (so a NaN in a lets d through, as in torch)."""
    a, d, o = a.ravel(), d.ravel(), out.ravel()
    for i in range(o.size):
        o[i] = 0 if a[i] <= 0 else d[i]


@njit(cache=True, error_model="numpy")
def sigmoid_back(s, d, out):
    """out = d * s * (1 - s), s the sigmoid output."""
    s, d, o = s.ravel(), d.ravel(), out.ravel()
    for i in range(o.size):
        o[i] = d[i] * s[i] * (1 - s[i])


@njit(cache=True, error_model="numpy")
def tanh_back(t, d, out):
    """out = d * (1 - t * t), t the tanh output."""
    t, d, o = t.ravel(), d.ravel(), out.ravel()
    for i in range(o.size):
        o[i] = d[i] * (1 - t[i] * t[i])


@njit(cache=True, error_model="numpy")
def inv_back(a, d, out):
    """out = -d / (a * a), the lecture's Inv backward."""
    a, d, o = a.ravel(), d.ravel(), out.ravel()
    for i in range(o.size):
        o[i] = -d[i] / (a[i] * a[i])


@njit(cache=True, error_model="numpy")
def _bce(p, y):
    """One sample's -(y log p + (1 - y) log(1 - p)), each log clamped at -100 (torch's rule)."""
    return -(y * max(np.log(p), -100.0) + (1 - y) * max(np.log1p(-p), -100.0))


@njit(cache=True, error_model="numpy")
def binary_cross_entropy(p, y, out):
    """out = the loss of each sample (``_bce``). Returns False, at once, when some p is outside
    [0, 1] or nan (torch's error)."""
    p, y, o = p.ravel(), y.ravel(), out.ravel()
    for i in range(o.size):
        if not 0.0 <= p[i] <= 1.0:
            return False
        o[i] = _bce(p[i], y[i])
    return True


@njit(cache=True, error_model="numpy")
def binary_cross_entropy_sum(p, y):
    """(ok, the sum of the losses of ``binary_cross_entropy``, added in float64): a reduced loss
    without the elementwise array. ``ok`` is False, at once, for a p outside [0, 1] or nan."""
    p, y = p.ravel(), y.ravel()
    total = 0.0
    for i in range(p.size):
        if not 0.0 <= p[i] <= 1.0:
            return False, 0.0
        total += _bce(p[i], y[i])
    return True, total


@njit(cache=True, error_model="numpy")
def binary_cross_entropy_back(p, y, g, scale, out):
    """out = scale g (p - y) / max(p (1 - p), 1e-12), BCE's gradient in p; ``g`` has p's size or
    one element (a mean's or a sum's gradient, whose 1 / count is ``scale``)."""
    p, y, g, o = p.ravel(), y.ravel(), g.ravel(), out.ravel()
    step = 1 if g.size == o.size else 0
    for i in range(o.size):
        o[i] = g[i * step] * scale * (p[i] - y[i]) / max((1 - p[i]) * p[i], 1e-12)


@njit(cache=True, error_model="numpy")
def zip_rows(x, s, out, op, s_first):
    """out[i, j] = x[i, j] (op) s[i], or s[i] (op) x[i, j] when ``s_first``: a (rows, n) array and
    one number per row. ``op``: 0 add, 1 subtract, 2 multiply, 3 divide (numpy's true_divide)."""
    rows, n = x.shape
    for i in range(rows):
        k = s[i]
        if op == 0:
            for j in range(n):
                out[i, j] = x[i, j] + k
        elif op == 2:
            for j in range(n):
                out[i, j] = x[i, j] * k
        elif op == 1 and not s_first:
            for j in range(n):
                out[i, j] = x[i, j] - k
        elif op == 1:
            for j in range(n):
                out[i, j] = k - x[i, j]
        elif not s_first:
            for j in range(n):
                out[i, j] = x[i, j] / k
        else:
            for j in range(n):
                out[i, j] = k / x[i, j]


# --- softmax family along the last axis (rows) ----------------------------------------


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call per row cost 8%
def _row_max(x, r):
    """The largest value of x[r]; NaN wins, as in numpy's max."""
    m = -math.inf
    for j in range(x.shape[1]):
        if x[r, j] > m or math.isnan(x[r, j]):
            m = x[r, j]
    return m


@njit(cache=True, error_model="numpy")
def softmax_rows(x, out):
    """out[r] = exp(x[r] - max) / sum(exp(x[r] - max))."""
    rows, n = x.shape
    for r in range(rows):
        m = _row_max(x, r)
        s = 0.0
        for j in range(n):
            e = math.exp(x[r, j] - m)
            out[r, j] = e
            s += e
        inv = 1.0 / s
        for j in range(n):
            out[r, j] = out[r, j] * inv


@njit(cache=True, error_model="numpy")
def logsumexp_rows(x, out):
    """out[r] = log(sum(exp(x[r]))), shifted by the row max (by 0 when that max is infinite)."""
    rows, n = x.shape
    for r in range(rows):
        m = _row_max(x, r)
        if math.isinf(m):
            m = 0.0
        s = 0.0
        for j in range(n):
            s += math.exp(x[r, j] - m)
        out[r] = math.log(s) + m


@njit(cache=True, error_model="numpy")
def log_softmax_rows(x, out):
    """out[r] = (x[r] - max) - log(sum(exp(x[r] - max))): the max subtracted first, as torch does
    (exact for large logits; a row holding +inf, or only -inf, is nan)."""
    rows, n = x.shape
    for r in range(rows):
        m = _row_max(x, r)
        s = 0.0
        for j in range(n):
            s += math.exp(x[r, j] - m)
        lse = math.log(s)
        for j in range(n):
            out[r, j] = (x[r, j] - m) - lse


@njit(cache=True, error_model="numpy")
def softmax_back_rows(y, g, out):
    """out[r] = y[r] * (g[r] - sum(g[r] * y[r])), y the softmax output."""
    rows, n = y.shape
    for r in range(rows):
        s = 0.0
        for j in range(n):
            s += g[r, j] * y[r, j]
        for j in range(n):
            out[r, j] = y[r, j] * (g[r, j] - s)


# --- embedding backward: scatter-add rows ---------------------------------------------


@njit(cache=True, error_model="numpy")
def index_add_rows(out, index, rows):
    """out[index[i]] += rows[i] for every i; returns the first bad index's position or -1.

    Negative indices count from the end, like numpy's. An index out of range
    stops the loop before it writes out of bounds.
    """
    num = out.shape[0]
    width = rows.shape[1]
    for i in range(index.shape[0]):
        r = index[i]
        if r < 0:
            r += num
        if r < 0 or r >= num:
            return i
        for j in range(width):
            out[r, j] += rows[i, j]
    return -1


# --- pooling and convolution folds (rows = N * C planes) -------------------------------


@njit(cache=True, error_model="numpy")
def max_pool1d(x, k, s, p, d, out, index):
    """out[r, o] = max of x[r, o*s - p + j*d] over the j < k that fall inside x (padding never
    counts, as in torch: a window of -inf points at its first real element).

    ``index`` gets the position of the first maximum, as numpy's argmax picks it.
    """
    rows, length = x.shape
    for r in range(rows):
        xr = x[r]
        for o in range(out.shape[1]):
            start = o * s - p
            best = -math.inf
            at = -1
            for j in range(k):
                pos = start + j * d
                if pos < 0 or pos >= length:
                    continue
                v = xr[pos]
                if at < 0 or v > best or (v != v and best == best):  # a NaN wins, the first one
                    best = v
                    at = pos
            out[r, o] = best
            index[r, o] = at


@njit(cache=True, error_model="numpy")
def max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, index):
    """The 2-d max_pool1d: windows scanned row by row; index is h * W + w in the unpadded plane."""
    rows, height, width = x.shape
    for r in range(rows):
        for oh in range(out.shape[1]):
            for ow in range(out.shape[2]):
                h0 = oh * sh - ph
                w0 = ow * sw - pw
                best = -math.inf
                at = -1
                for i in range(kh):
                    h = h0 + i * dh
                    if h < 0 or h >= height:
                        continue
                    for j in range(kw):
                        w = w0 + j * dw
                        if w < 0 or w >= width:
                            continue
                        v = x[r, h, w]
                        if at < 0 or v > best or (math.isnan(v) and not math.isnan(best)):
                            best = v
                            at = h * width + w
                out[r, oh, ow] = best
                index[r, oh, ow] = at


@njit(cache=True, error_model="numpy")
def max_pool_back(g, index, out):
    """out[r, index[r, o]] += g[r, o]: each gradient goes where its window's max came from."""
    plane = out.shape[1]
    for r in range(g.shape[0]):
        for o in range(g.shape[1]):
            i = index[r, o]
            if 0 <= i < plane:
                out[r, i] += g[r, o]


@njit(cache=True, error_model="numpy")
def col2im1d(cols, channels, k, s, p, d, out):
    """out[n, c, o*s - p + j*d] += cols[n, c*k + j, o] where that position is inside out."""
    length = out.shape[2]
    for n in range(cols.shape[0]):
        for c in range(channels):
            for j in range(k):
                row = c * k + j
                for o in range(cols.shape[2]):
                    pos = o * s - p + j * d
                    if 0 <= pos < length:
                        out[n, c, pos] += cols[n, row, o]


# --- optimizer kernels: one fused pass over param, grad and state (in place) -----------
# The arrays are C-contiguous and of one shape (any rank: each loop flattens them
# into views). The scalar coefficients come as one small array of the arrays'
# dtype (one argument to type instead of ten, and float32 parameters are updated
# in float32 arithmetic with the numpy reference's order of rounding).


@njit(cache=True, error_model="numpy")
def sgd_step(param, grad, buffer, c, nesterov, maximize, first_step, use_momentum):
    """SGD: d = ±g + wd p; buf = d (first step) or momentum buf + keep d; d = d + momentum buf
    (nesterov) or buf; p -= lr d. ``c`` = (lr, momentum, keep = 1 - dampening, wd)."""
    p, g, buf = param.reshape(param.size), grad.reshape(grad.size), buffer.reshape(buffer.size)
    lr, momentum, keep, weight_decay = c[0], c[1], c[2], c[3]
    for i in range(p.size):
        d = -g[i] if maximize else g[i]
        if weight_decay != 0:
            d = d + weight_decay * p[i]
        if use_momentum:
            b = d if first_step else buf[i] * momentum + keep * d
            buf[i] = b
            d = d + momentum * b if nesterov else b
        p[i] = p[i] - lr * d


@njit(cache=True, error_model="numpy")
def adam_step(param, grad, exp_avg, exp_avg_sq, max_sq, c, w_low, amsgrad, maximize, decoupled):
    """Adam: m = lerp(m, d, w) (torch's low-weight formula when ``w_low``, i.e. w < 0.5);
    v = beta2 v + (1 - beta2) d²; p += -step_size m / (sqrt(v) / bias2_sqrt + eps), with v's
    running max for ``amsgrad``. ``c`` = (-step_size, bias2_sqrt, beta2, 1 - beta2, w, 1 - w,
    eps, wd, 1 - lr wd)."""
    p, g = param.reshape(param.size), grad.reshape(grad.size)
    m, v, vmax = exp_avg.reshape(p.size), exp_avg_sq.reshape(p.size), max_sq.reshape(max_sq.size)
    neg_step_size, bias2_sqrt, beta2, one_minus_beta2 = c[0], c[1], c[2], c[3]
    w, one_minus_w, eps, weight_decay, decay_keep = c[4], c[5], c[6], c[7], c[8]
    for i in range(p.size):
        d = -g[i] if maximize else g[i]
        x = p[i]
        if weight_decay != 0:
            if decoupled:
                x = x * decay_keep
            else:
                d = d + weight_decay * x
        mi = m[i]
        diff = d - mi
        mi = mi + diff * w if w_low else d - diff * one_minus_w
        m[i] = mi
        vi = v[i] * beta2 + one_minus_beta2 * d * d
        v[i] = vi
        if amsgrad:
            top = vmax[i]
            if top > vi or top != top:  # numpy's maximum: a NaN wins
                vi = top
            vmax[i] = vi
        denom = np.sqrt(vi) / bias2_sqrt + eps
        p[i] = x + neg_step_size * mi / denom


@njit(cache=True, error_model="numpy")
def rmsprop_step(param, grad, square_avg, grad_avg, buffer, c, w_low, centered, maximize,
                 use_momentum):
    """RMSprop: v = alpha v + (1 - alpha) d²; avg = sqrt(v - m²) (m = lerp(m, d, w), centered)
    or sqrt(v), plus eps; buf = momentum buf + d / avg, p -= lr buf; or p += -lr d / avg.
    ``c`` = (-lr, alpha, 1 - alpha, w, 1 - w, eps, wd, momentum)."""
    p, g, sq = param.reshape(param.size), grad.reshape(grad.size), square_avg.reshape(param.size)
    gavg, buf = grad_avg.reshape(grad_avg.size), buffer.reshape(buffer.size)
    neg_lr, alpha, one_minus_alpha, w = c[0], c[1], c[2], c[3]
    one_minus_w, eps, weight_decay, momentum = c[4], c[5], c[6], c[7]
    for i in range(p.size):
        d = -g[i] if maximize else g[i]
        if weight_decay != 0:
            d = d + weight_decay * p[i]
        vi = sq[i] * alpha + one_minus_alpha * d * d
        sq[i] = vi
        if centered:
            mi = gavg[i]
            diff = d - mi
            mi = mi + diff * w if w_low else d - diff * one_minus_w
            gavg[i] = mi
            avg = np.sqrt(vi - mi * mi) + eps
        else:
            avg = np.sqrt(vi) + eps
        if use_momentum:
            b = buf[i] * momentum + d / avg
            buf[i] = b
            p[i] = p[i] + neg_lr * b
        else:
            p[i] = p[i] + neg_lr * d / avg


@njit(cache=True, error_model="numpy")
def extreme_along(x, largest, values, index):
    """Max (or min) over the middle axis of x (outer, n, inner), first index on ties, NaN wins."""
    outer, n, inner = x.shape
    for o in range(outer):
        for i in range(inner):
            values[o, i] = x[o, 0, i]
            index[o, i] = 0
        for j in range(1, n):  # rows in memory order: the inner loop is contiguous
            for i in range(inner):
                best = values[o, i]
                if best != best:
                    continue
                v = x[o, j, i]
                if v != v or (v > best if largest else v < best):
                    values[o, i] = v
                    index[o, i] = j


@njit(cache=True, error_model="numpy")
def extreme_rows(x, largest, values, index):
    """Max (or min) of each row of x (rows, n), first index on ties, NaN wins.

    ``extreme_along``'s loop keeps every running best in memory; with one
    value per row that store-and-reload chain is 5 times slower than this.
    """
    rows, n = x.shape
    for r in range(rows):
        best = x[r, 0]
        at = 0
        if best == best:
            for j in range(1, n):
                v = x[r, j]
                if v != v:
                    best, at = v, j
                    break
                if v > best if largest else v < best:
                    best, at = v, j
        values[r] = best
        index[r] = at


@njit(cache=True, error_model="numpy")
def sum_along(x, out):
    """Sum over the middle axis of x (outer, n, inner) into out (outer, inner).

    Rows x[o, j] are added into the output row out[o], so the inner loop runs
    over contiguous memory and LLVM vectorizes it. That is numpy's own order
    for a middle axis (from zero, row after row, no pairwise blocking), so
    float32 rounds exactly as numpy does, and -0.0 rows sum to +0.0 as there;
    numpy is slower because it enters its add loop once per row of ``inner``
    elements. Four rows are added per pass, still in row order, so the output
    row is loaded and stored once per four rows instead of once per row (1.6x
    faster on (64, 50, 50) float32).
    """
    outer, n, inner = x.shape
    for o in range(outer):
        acc = out[o]
        acc[:] = 0
        j = 0
        while j + 4 <= n:
            r0, r1, r2, r3 = x[o, j], x[o, j + 1], x[o, j + 2], x[o, j + 3]
            for i in range(inner):
                acc[i] = (((acc[i] + r0[i]) + r1[i]) + r2[i]) + r3[i]
            j += 4
        for rest in range(j, n):
            row = x[o, rest]
            for i in range(inner):
                acc[i] += row[i]


@njit(cache=True, error_model="numpy")
def sum_rows(x, out):
    """Sum over the rows of x (n, m) into out (m,): ``sum_along`` with one outer block, its
    views made inside the compiled code (a bias gradient of a batch)."""
    n, m = x.shape
    sum_along(x.reshape(1, n, m), out.reshape(1, m))
