"""Time every kernel the numba backend overrides against the numpy reference.

    .venv/bin/python docs/backend_kernels_bench.py

Sizes are the ones the benchmark workloads produce (the op chain's 10x10
tensors, the lecture network's 50x10 activations, the large MLP's 512x1024
activations and 512x10 logits, a sentiment batch's 64x40 tokens of 50-d
embeddings and its 64 probabilities, the conv sentiment model's 64x50x50
input, an image batch of 32x16x28x28). One thread, best of several blocks, after a warm-up call
that also loads numba's compiled code from its cache.
"""
import time

import numpy as np

from nanotorch.backends import get_backend


def best_us(fn, *args, repeat=7):
    fn(*args)
    n = 1
    while True:  # grow the block until it takes ~20 ms, then time `repeat` blocks
        t = time.perf_counter()
        for _ in range(n):
            fn(*args)
        if time.perf_counter() - t > 0.02:
            break
        n *= 2
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(n):
            fn(*args)
        times.append((time.perf_counter() - t) / n)
    return min(times) * 1e6


def cases():
    rng = np.random.default_rng(0)
    f32 = np.float32
    act = rng.standard_normal((512, 1024)).astype(f32)
    grad = rng.standard_normal((512, 1024)).astype(f32)
    small = rng.standard_normal((50, 10)).astype(f32)
    small_g = rng.standard_normal((50, 10)).astype(f32)
    s = 1 / (1 + np.exp(-act))
    logits = rng.standard_normal((512, 10)).astype(f32)
    lg = rng.standard_normal((512, 10)).astype(f32)
    wide = rng.standard_normal((64, 1000)).astype(f32)
    sm = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    lsm = np.log(sm)
    tokens = rng.integers(0, 5000, size=(64, 40))
    emb_g = rng.standard_normal((64, 40, 50)).astype(f32)
    pool_x = rng.standard_normal((64, 100, 48)).astype(f32)
    pool2 = rng.standard_normal((32, 16, 28, 28)).astype(f32)
    _, pool_idx = get_backend("numpy").max_pool(pool_x, (2,), (2,), (0,), (1,), (24,))
    pool_g = rng.standard_normal(pool_idx.shape).astype(f32)
    cols = rng.standard_normal((64, 150, 48)).astype(f32)
    cols2 = rng.standard_normal((32, 16 * 9, 26 * 26)).astype(f32)
    probs = rng.uniform(0.01, 0.99, (64, 1)).astype(f32)
    labels = (rng.uniform(size=(64, 1)) > 0.5).astype(f32)
    loss_g = np.full((64, 1), 1 / 64, dtype=f32)
    return [
        ("sigmoid_map", "10x10 (op chain)", (small[:10],)),
        ("sigmoid_map", "512x1024", (act,)),
        ("relu_back_zip", "512x1024", (act, grad)),
        ("relu_back_zip", "50x10 (lecture network)", (small, small_g)),
        ("sigmoid_back_zip", "512x1024", (s, grad)),
        ("tanh_back_zip", "512x1024", (np.tanh(act), grad)),
        ("tanh_back_zip", "50x10", (np.tanh(small), small_g)),
        ("inv_back_zip", "512x1024", (act, grad)),
        ("binary_cross_entropy", "64x1 (sentiment batch)", (probs, labels)),
        ("binary_cross_entropy_back", "64x1", (probs, labels, loss_g)),
        ("binary_cross_entropy_back", "64x1, one gradient (a mean's)",
         (probs, labels, np.asarray(1, dtype=f32), 1 / 64)),
        ("sum", "64x50x50, dim 1", (rng.standard_normal((64, 50, 50)).astype(f32), (1,))),
        ("sum", "8x8x8, dim 1", (rng.standard_normal((8, 8, 8)).astype(f32), (1,))),
        ("sum", "50x10, dim 0 (a bias gradient)", (small, (0,))),
        ("softmax", "512x10, dim -1", (logits, -1)),
        ("softmax", "64x1000, dim -1", (wide, -1)),
        ("log_softmax", "512x10, dim -1", (logits, -1)),
        ("log_softmax", "64x1000, dim -1", (wide, -1)),
        ("logsumexp", "512x10, dim -1", (logits, (1,))),
        ("softmax_back", "512x10, dim -1", (sm, lg, -1)),
        ("log_softmax_back", "512x10, dim -1", (lsm, lg, -1)),
        ("index_add", "64x40 tokens, 50-d, 5000 rows", (5000, tokens, emb_g)),
        ("max_pool", "64x100x48, k2 s2", (pool_x, (2,), (2,), (0,), (1,), (24,))),
        ("max_pool", "32x16x28x28, k2 s2", (pool2, (2, 2), (2, 2), (0, 0), (1, 1), (14, 14))),
        ("max_pool_back", "64x100x24 -> 48", (pool_g, pool_idx, pool_x.shape)),
        ("col2im", "64x150x48 -> 64x50x50, k3", (cols, (64, 50, 50), (3,), (1,), (0,), (1,), (48,))),
        ("col2im", "32x(16*9)x(26*26), 3x3", (cols2, (32, 16, 28, 28), (3, 3), (1, 1), (0, 0),
                                              (1, 1), (26, 26))),
    ]


def main():
    ref, fast = get_backend("numpy"), get_backend("numba")
    print(f"{'kernel':26} {'shape':32} {'numpy us':>10} {'numba us':>10} {'speedup':>8}")
    for name, label, args in cases():
        got, want = getattr(fast, name)(*args), getattr(ref, name)(*args)
        for g, w in zip(got if isinstance(got, tuple) else (got,),
                        want if isinstance(want, tuple) else (want,)):
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)
        t_ref = best_us(getattr(ref, name), *args)
        t_fast = best_us(getattr(fast, name), *args)
        print(f"{name:26} {label:32} {t_ref:10.1f} {t_fast:10.1f} {t_ref / t_fast:7.1f}x")


if __name__ == "__main__":
    main()
