"""Memory: training keeps memory flat, backward frees the graph, and nothing makes a reference cycle.

Reference counting alone must free a graph once the user drops it: a cycle would keep every
intermediate array alive until the cyclic collector happens to run, which is how small
frameworks leak on long runs.
"""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import nanotorch as T
from nanotorch import nn

try:
    from nanotorch import optim
except ImportError:  # optim lands separately; the loops below fall back to a hand-written step
    optim = None


def _points(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)  # the lecture's "xor"-like split
    return T.tensor(x), T.tensor(y)


def lecture_network():
    """The lecture's model: Linear(2,10)-ReLU-Linear(10,10)-ReLU-Linear(10,1)-sigmoid."""
    return nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(),
                         nn.Linear(10, 1), nn.Sigmoid())


def _sgd(params, lr):
    if optim is not None:
        return optim.SGD(params, lr=lr)

    class _Step:  # the update SGD makes, for trees where optim has not landed
        def zero_grad(self):
            for p in params:
                p.grad = None

        def step(self):
            with T.no_grad():
                for p in params:
                    p -= lr * p.grad
    return _Step()


def _train_step(model, loss_fn, opt, x, y):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


@pytest.mark.slow
def test_two_thousand_training_steps_keep_memory_flat():
    T.manual_seed(0)
    model = lecture_network()
    loss_fn = nn.BCELoss()
    opt = _sgd(list(model.parameters()), lr=0.5)
    x, y = _points()
    for _ in range(100):  # warm-up: caches, lazily made state, first-use allocations
        _train_step(model, loss_fn, opt, x, y)
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        losses = [_train_step(model, loss_fn, opt, x, y) for _ in range(2000)]
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = end - start - 2000 * 32  # the list of 2000 floats we kept on purpose
    assert growth < 1_000_000, f"memory grew by {growth} bytes over 2000 steps"
    assert losses[-1] < losses[0]  # it trained, so the loop really ran the graph


def test_hand_written_mlp_loop_keeps_memory_flat():
    # The same check with raw tensors only (no nn/optim): the core alone must not grow.
    rng = np.random.default_rng(1)
    w1 = T.tensor(rng.normal(0, 0.5, (2, 10)).astype(np.float32), requires_grad=True)
    w2 = T.tensor(rng.normal(0, 0.5, (10, 1)).astype(np.float32), requires_grad=True)
    b = T.zeros(1, requires_grad=True)
    x, y = _points()

    def step():
        p = ((x @ w1).relu() @ w2 + b).sigmoid()
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        with T.no_grad():
            for t in (w1, w2, b):
                t -= 0.5 * t.grad
                t.grad = None
    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(300):
            step()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 200_000, f"memory grew by {end - start} bytes over 300 steps"


def _graph(x, w):
    """A small graph whose intermediates are saved for backward; returns (loss, weakrefs)."""
    h = x @ w
    a = h.relu()
    s = a.sigmoid()  # saves its output
    m = s * a  # saves both inputs
    loss = m.logsumexp(1).mean()
    return loss, [weakref.ref(t) for t in (h, a, s, m)]


def test_backward_frees_the_saved_intermediates():
    x = T.randn(4, 3)
    w = T.randn(3, 5, requires_grad=True)
    loss, refs = _graph(x, w)
    assert all(r() is not None for r in refs)  # alive: saved by the graph that loss holds
    loss.backward()
    # loss (and its grad_fn) are still referenced here, yet the saved tensors are gone.
    assert [r() for r in refs] == [None] * len(refs)
    assert w.grad is not None and loss.grad_fn is not None


def test_retain_graph_keeps_them_until_the_graph_is_dropped():
    x = T.randn(4, 3)
    w = T.randn(3, 5, requires_grad=True)
    loss, refs = _graph(x, w)
    loss.backward(retain_graph=True)
    assert any(r() is not None for r in refs)
    del loss
    assert [r() for r in refs] == [None] * len(refs)


def test_dropping_an_unused_graph_frees_it_without_the_collector():
    gc.disable()
    try:
        x = T.randn(4, 3)
        w = T.randn(3, 5, requires_grad=True)
        loss, refs = _graph(x, w)
        node_ref = weakref.ref(loss.grad_fn)
        del loss
        assert node_ref() is None
        assert [r() for r in refs] == [None] * len(refs)
    finally:
        gc.enable()


class _Scale(T.autograd.Function):
    @staticmethod
    def forward(ctx, a, k):
        ctx.save_for_backward(a)
        ctx.k = k
        return a * k

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ctx.k, None


def _workloads():
    """Programs that exercise every kind of graph bookkeeping: each builds, runs and drops one."""
    def plain():
        w = T.randn(3, 4, requires_grad=True)
        (T.randn(2, 3) @ w).tanh().sum().backward()

    def higher_order():
        x = T.randn(5, requires_grad=True)
        (g,) = T.autograd.grad((x ** 3).sum(), x, create_graph=True)
        g.sum().backward()

    def retained_twice():
        x = T.randn(5, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()

    def hooks_and_retain_grad():
        x = T.randn(5, requires_grad=True)
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 1)
        x.register_hook(lambda g: None)
        h.sum().backward()
        assert h.grad is not None

    def custom_function():
        x = T.randn(5, requires_grad=True)
        _Scale.apply(x, 3.0).sum().backward()

    def multi_output_and_views():
        x = T.randn(4, 6, requires_grad=True)
        values, _ = x.max(1)
        a, b = x.split(3, dim=1)
        (values.sum() + a.t().reshape(-1).sum() + b[:, 1:].sum()).backward()

    def in_place_on_non_leaf():
        x = T.randn(5, requires_grad=True)
        y = x * 1
        y.mul_(2).add_(1)
        y[0] = 0.0
        y.sum().backward()

    def anomaly_mode():
        x = T.randn(5, requires_grad=True)
        with T.autograd.detect_anomaly():
            x.sigmoid().sum().backward()

    def module_forward():
        model = lecture_network()
        nn.BCELoss()(model(T.randn(8, 2)), T.ones(8, 1)).backward()

    return [plain, higher_order, retained_twice, hooks_and_retain_grad, custom_function,
            multi_output_and_views, in_place_on_non_leaf, anomaly_mode, module_forward]


@pytest.mark.parametrize("program", _workloads(), ids=lambda f: f.__name__)
def test_graphs_make_no_reference_cycles(program):
    program()  # first run: lazily created module state is not garbage
    gc.collect()
    gc.disable()
    flags = gc.get_debug()
    try:
        program()
        gc.set_debug(gc.DEBUG_SAVEALL)  # unreachable objects go to gc.garbage instead of freed
        gc.collect()
        cyclic = [o for o in gc.garbage if _is_ours(o)]
    finally:
        gc.set_debug(flags)
        gc.garbage.clear()
        gc.enable()
    assert not cyclic, f"{len(cyclic)} nanotorch objects were only freed by the cycle collector: " \
                       f"{sorted({type(o).__name__ for o in cyclic})}"


def _is_ours(obj):
    # Frames and cells of the test itself are not the library's; anything typed by nanotorch
    # (tensors, nodes, contexts, modules) or a numpy array held in a cycle is.
    return type(obj).__module__.startswith("nanotorch") or isinstance(obj, np.ndarray)
