"""Random small programs agree with numpy (forward) and with finite differences (gradients).

Hypothesis draws a chain of elementwise, broadcasting, reduction, shape and matmul steps; each
step knows how to run on nanotorch tensors and on plain numpy arrays. The chain runs on both,
the values must agree, and ``gradcheck`` (float64) must accept the gradients of every input.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nanotorch as T
from nanotorch.autograd import gradcheck


def _np_softmax(a, d):
    e = np.exp(a - a.max(axis=d, keepdims=True))
    return e / e.sum(axis=d, keepdims=True)


def _np_logsumexp(a, d):
    m = a.max(axis=d, keepdims=True)
    return (np.log(np.exp(a - m).sum(axis=d, keepdims=True)) + m).squeeze(d)


# Smooth maps only: finite differences are wrong across a kink (relu, abs, max ties).
UNARY = {
    "tanh": (lambda t: t.tanh(), np.tanh),
    "sigmoid": (lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    "sin": (lambda t: T.sin(t), np.sin),
    "neg": (lambda t: -t, np.negative),
    "square": (lambda t: t * t, np.square),
    "exp_of_tanh": (lambda t: t.tanh().exp(), lambda a: np.exp(np.tanh(a))),
    "log_of_one_plus_square": (lambda t: (1 + t ** 2).log(), lambda a: np.log(1 + a ** 2)),
    "scale": (lambda t: t * 0.5 + 0.25, lambda a: a * 0.5 + 0.25),
}

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div_safe": (lambda a, b: a / (1 + b * b), lambda a, b: a / (1 + b * b)),
    "where_positive": (lambda a, b: T.where(b > 0, a, b), lambda a, b: np.where(b > 0, a, b)),
}


@st.composite
def programs(draw):
    """(input shapes, list of steps); a step is a tuple the two interpreters below understand."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    inputs = [shape]
    steps = []
    for _ in range(draw(st.integers(2, 6))):
        kind = draw(st.sampled_from(["unary", "binary", "reduce", "shape", "matmul"]))
        if kind == "unary":
            steps.append(("unary", draw(st.sampled_from(sorted(UNARY)))))
        elif kind == "binary":
            # The other operand broadcasts against the current value: drop leading dims, set 1s.
            keep = draw(st.integers(0, len(shape)))
            other = tuple(1 if draw(st.booleans()) else s for s in shape[len(shape) - keep:])
            if draw(st.booleans()):  # or the current value is the one that broadcasts up
                other = (draw(st.integers(1, 2)),) + other if len(shape) < 3 else other
            inputs.append(other)
            steps.append(("binary", draw(st.sampled_from(sorted(BINARY))), len(inputs) - 1))
            shape = np.broadcast_shapes(shape, other)
        elif kind == "reduce" and len(shape) >= 1:
            op = draw(st.sampled_from(["sum", "mean", "logsumexp", "softmax", "sum_all"]))
            d = draw(st.integers(-len(shape), len(shape) - 1))
            keepdim = draw(st.booleans())
            steps.append(("reduce", op, d, keepdim))
            if op == "sum_all":
                shape = ()
            elif op == "softmax":
                pass
            elif keepdim and op != "logsumexp":
                shape = tuple(1 if i == d % len(shape) else s for i, s in enumerate(shape))
            else:
                shape = tuple(s for i, s in enumerate(shape) if i != d % len(shape))
        elif kind == "shape":
            options = ["unsqueeze", "flatten", "flip"] + (["transpose"] if len(shape) >= 2 else [])
            op = draw(st.sampled_from(options))
            if op == "unsqueeze" and len(shape) >= 3:
                op = "flatten"
            steps.append(("shape", op))
            if op == "unsqueeze":
                shape = (1,) + tuple(shape)
            elif op == "flatten":
                shape = (int(np.prod(shape, dtype=int)),)
            elif op == "transpose":
                shape = tuple(shape[:-2]) + (shape[-1], shape[-2])
        elif kind == "matmul" and len(shape) >= 1:
            k = draw(st.integers(1, 3))
            inputs.append((shape[-1], k))
            steps.append(("matmul", len(inputs) - 1))
            shape = tuple(shape[:-1]) + (k,)
        if len(shape) == 0:
            break
    return inputs, steps


def run_nanotorch(steps, tensors):
    x = tensors[0]
    for step in steps:
        if step[0] == "unary":
            x = UNARY[step[1]][0](x)
        elif step[0] == "binary":
            x = BINARY[step[1]][0](x, tensors[step[2]])
        elif step[0] == "reduce":
            _, op, d, keepdim = step
            x = {"sum": lambda: x.sum(d, keepdim=keepdim), "mean": lambda: x.mean(d, keepdim=keepdim),
                 "logsumexp": lambda: x.logsumexp(d), "softmax": lambda: x.softmax(d),
                 "sum_all": lambda: x.sum()}[op]()
        elif step[0] == "shape":
            x = {"unsqueeze": lambda: x.unsqueeze(0), "flatten": lambda: x.reshape(-1),
                 "flip": lambda: x.flip(-1), "transpose": lambda: x.transpose(-1, -2)}[step[1]]()
        else:
            x = x @ tensors[step[1]]
    return x


def run_numpy(steps, arrays):
    x = arrays[0]
    for step in steps:
        if step[0] == "unary":
            x = UNARY[step[1]][1](x)
        elif step[0] == "binary":
            x = BINARY[step[1]][1](x, arrays[step[2]])
        elif step[0] == "reduce":
            _, op, d, keepdim = step
            x = {"sum": lambda: x.sum(d, keepdims=keepdim), "mean": lambda: x.mean(d, keepdims=keepdim),
                 "logsumexp": lambda: _np_logsumexp(x, d), "softmax": lambda: _np_softmax(x, d),
                 "sum_all": lambda: np.asarray(x.sum())}[op]()
        elif step[0] == "shape":
            x = {"unsqueeze": lambda: x[None], "flatten": lambda: x.reshape(-1),
                 "flip": lambda: np.flip(x, -1), "transpose": lambda: np.swapaxes(x, -1, -2)}[step[1]]()
        else:
            x = x @ arrays[step[1]]
    return x


def _inputs(shapes, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        a = rng.uniform(-1.5, 1.5, size=shape)
        # keep where(b > 0, ...) away from its jump at 0, where finite differences cross it
        a = np.where(np.abs(a) < 0.1, np.sign(a + 1e-12) * 0.1, a)
        arrays.append(a)
    return arrays


@settings(max_examples=50, deadline=None)
@given(program=programs(), seed=st.integers(0, 2 ** 16))
def test_random_program_matches_numpy_and_finite_differences(program, seed):
    shapes, steps = program
    arrays = _inputs(shapes, seed)
    tensors = [T.tensor(a, requires_grad=True) for a in arrays]
    out = run_nanotorch(steps, tensors)
    expected = run_numpy(steps, [a.copy() for a in arrays])
    assert out.dtype == T.float64
    assert tuple(out.shape) == expected.shape, (steps, out.shape, expected.shape)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda *ts: run_nanotorch(steps, ts), tuple(tensors))


def test_the_interpreters_disagree_when_an_op_is_wrong(monkeypatch):
    # Guards the property test: a wrong forward is seen as a mismatch.
    steps = [("unary", "tanh"), ("reduce", "sum", 0, False)]
    arrays = _inputs([(3,)], 0)
    monkeypatch.setitem(UNARY, "tanh", (lambda t: t.sigmoid(), np.tanh))
    out = run_nanotorch(steps, [T.tensor(a) for a in arrays])
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(out.numpy(), run_numpy(steps, arrays), rtol=1e-10)
