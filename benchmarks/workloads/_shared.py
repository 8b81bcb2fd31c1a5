"""Pieces shared by the hand-written numpy references: init, layers, losses, optimizers.

These are the *baseline* every framework is measured against, so they are
written the way a careful numpy programmer would: float32 throughout, BLAS for
every matmul (``x @ W.T`` reads the transposed view without a copy), in-place
updates where a buffer is ours, and a fused sigmoid + BCE gradient instead of
two separate derivatives. Parameter names follow ``Module.state_dict()`` so a
reference's state can be compared with a framework's key by key.
"""
from __future__ import annotations

import math

import numpy as np

F32 = np.float32


def linear_params(rng, name, fan_in, fan_out):
    """``{name.weight: (out, in), name.bias: (out,)}`` drawn like torch's default init.

    torch's ``nn.Linear`` draws both from U(-1/sqrt(fan_in), 1/sqrt(fan_in));
    the draws differ from torch's but the scale matches, so training behaves alike.
    """
    bound = 1.0 / math.sqrt(fan_in)
    return {
        f"{name}.weight": rng.uniform(-bound, bound, (fan_out, fan_in)).astype(F32),
        f"{name}.bias": rng.uniform(-bound, bound, (fan_out,)).astype(F32),
    }


def copy_params(params, names):
    """Private float32 copies of ``params[names]``: references update in place."""
    return {k: np.array(params[k], dtype=F32, copy=True) for k in names}


def linear_fwd(x, W, b):
    """x (N, in) @ W.T + b -> (N, out); the bias is added in place into the fresh product."""
    y = x @ W.T
    y += b
    return y


def linear_bwd(dy, x, W, need_dx=True):
    """Gradients of ``linear_fwd``: (dx or None, dW, db)."""
    dW = dy.T @ x
    db = dy.sum(axis=0)
    dx = dy @ W if need_dx else None
    return dx, dW, db


def relu_(x):
    """ReLU in place (x is a fresh activation we own); returns x."""
    np.maximum(x, 0, out=x)
    return x


def relu_bwd_(dy, y):
    """dy *= (y > 0) in place, where y is the ReLU *output*."""
    dy *= y > 0
    return dy


def sigmoid(z):
    """1 / (1 + exp(-z)) with three ufunc calls and no extra temporaries."""
    e = np.negative(z)
    np.exp(e, out=e)
    e += 1
    np.reciprocal(e, out=e)
    return e


def bce_with_sigmoid(p, y):
    """Mean binary cross-entropy of probabilities ``p`` against targets ``y``, and d loss / d z.

    The loss clamps each log at -100 exactly as ``torch.nn.functional.binary_cross_entropy``
    does. The gradient is taken with respect to the *logit* z (p = sigmoid(z)):
    the two derivatives fuse into ``(p - y) / N``, which is what a hand-written
    reference would do (and equals torch's chain up to float rounding).
    """
    n = p.size
    with np.errstate(divide="ignore"):  # p may saturate to exactly 0 or 1: log -> -inf -> clamped
        logp = np.maximum(np.log(p), -100)
        log1mp = np.maximum(np.log1p(-p), -100)
    loss = -float(np.mean(y * logp + (1 - y) * log1mp))
    dz = p - y
    dz *= 1.0 / n
    return loss, dz


def cross_entropy(z, target):
    """Mean softmax cross-entropy of logits z (N, C) against int targets (N,), and dz."""
    n = z.shape[0]
    mx = z.max(axis=1, keepdims=True)
    e = z - mx
    np.exp(e, out=e)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    # log softmax at the target = z_t - max - log(sum exp)
    zt = z[rows, target] - mx[:, 0]
    loss = float(np.mean(np.log(s[:, 0]) - zt))
    e /= s
    e[rows, target] -= 1
    e *= 1.0 / n
    return loss, e


class SGD:
    """torch.optim.SGD semantics (momentum, dampening 0, no Nesterov, no weight decay).

    With momentum the first step stores the gradient itself as the buffer,
    exactly as torch does, then ``buf = momentum * buf + grad``.
    """

    def __init__(self, params, lr, momentum=0.0):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.bufs = {}

    def step(self, grads):
        for k, g in grads.items():
            if self.momentum:
                buf = self.bufs.get(k)
                if buf is None:
                    buf = self.bufs[k] = g.copy()
                else:
                    buf *= self.momentum
                    buf += g
                g = buf
            # p -= lr * g, with the scaled gradient reusing g's buffer when it is ours
            if g is grads[k]:
                g *= self.lr
                self.params[k] -= g
            else:
                self.params[k] -= self.lr * g


class Adam:
    """torch.optim.Adam semantics with default betas/eps, no weight decay, no amsgrad."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.eps = params, lr, eps
        self.b1, self.b2 = betas
        self.t = 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads):
        self.t += 1
        bc1 = 1 - self.b1 ** self.t
        bc2_sqrt = math.sqrt(1 - self.b2 ** self.t)
        step_size = self.lr / bc1
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            g *= g  # g is a fresh gradient we own: square it in place
            g *= 1 - self.b2
            v += g
            denom = np.sqrt(v)
            denom *= 1.0 / bc2_sqrt
            denom += self.eps
            np.divide(m, denom, out=denom)
            denom *= step_size
            self.params[k] -= denom
