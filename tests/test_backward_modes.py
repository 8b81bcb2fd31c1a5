"""The engine's two modes agree: raw arrays for first-order backward, tensors for create_graph.

gradcheck runs the raw mode (``autograd.grad`` without ``create_graph``) and
gradgradcheck the tensor mode, op by op, in their own test modules; here the
two modes are compared with each other on whole expressions, and the hot ops
are held to their raw path (a fallback through tensors would be correct, only
slow, so nothing else would notice).
"""
import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch.autograd.function import Node
from nanotorch.ops import elementwise as E
from nanotorch.ops.base import Op

from helpers import leaf, uniform


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_an_op_with_a_derivative_does_not_also_override_backward():
    """``derivative`` serves both modes only through Op's own backward/raw_backward."""
    for op in _subclasses(Op):
        if op.derivative is not None:
            assert op.backward.__func__ is Op.backward.__func__, op.__name__
            assert op.raw_backward.__func__ is Op.raw_backward.__func__, op.__name__


EXPRESSIONS = {
    "zips": lambda a, b: ((a * b + b) / (b * b + 1) - a).sum(),
    "scalars": lambda a, b: ((a * 1.5 - 0.5) / 3.0 + 2.0).sum(),
    "maps": lambda a, b: (a.tanh() * b.sigmoid() + a.exp() + (b * b + 1).log() + a.relu()).sum(),
    "more_maps": lambda a, b: ((a * a + 1).sqrt() + (a * a + 1).rsqrt() + a.atan() + (-b)).sum(),
    "reductions": lambda a, b: (a.sum(0, keepdim=True) * b).mean() + a.mean(1).sum(),
    "softmaxes": lambda a, b: (a.softmax(-1) * b).sum() + (a.log_softmax(0) * b).sum(),
    "views": lambda a, b: (a.reshape(-1).reshape(a.shape).permute(1, 0) @ b.expand(3, 3)).sum(),
    "linear": lambda a, b: F.linear(a, b.reshape(3, 3), b.reshape(3, 3)[0]).pow(2).sum(),
    "linear_shapes": lambda a, b: (F.linear(a.reshape(1, 3, 3), b).pow(2).sum()  # a batch of batches
                                   + F.linear(a[0], b, None).pow(2).sum()  # one vector, no bias
                                   + F.linear(a, b.detach(), b[0]).pow(2).sum()),  # frozen weight
    "max_and_mask": lambda a, b: a.max(1).values.sum() + a.masked_fill(b > 0, 0.0).sum(),
    "gather": lambda a, b: a.gather(1, nanotorch.tensor([[0, 2, 2]] * 3)).sum() * b.sum(),
    "bce": lambda a, b: F.binary_cross_entropy(a.sigmoid(), (b > 0).double()),
    "where": lambda a, b: nanotorch.where(a > b, a, b * 2).sum(),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_raw_and_tensor_backward_give_the_same_gradients(name):
    a, b = leaf(uniform((3, 3), seed=1)), leaf(uniform((3, 3), seed=2))
    expression = EXPRESSIONS[name]
    raw = nanotorch.autograd.grad(expression(a, b), (a, b), allow_unused=True)
    graphed = nanotorch.autograd.grad(expression(a, b), (a, b), create_graph=True, allow_unused=True)
    for got, want in zip(raw, graphed):
        assert (got is None) == (want is None)
        if got is not None:
            np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_broadcast_gradients_are_summed_in_both_modes():
    a, b = leaf(uniform((4, 1, 3), seed=3)), leaf(uniform((2, 1), seed=4))
    (a * b + b).sum().backward()
    ga, gb = nanotorch.autograd.grad((a * b + b).sum(), (a, b), create_graph=True)
    np.testing.assert_allclose(a.grad.numpy(), ga.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), gb.detach().numpy(), rtol=1e-12)
    assert b.grad.shape == (2, 1)


def test_the_hot_ops_take_their_raw_path(monkeypatch):
    """A training step of the lecture's network never falls back to tensors in backward."""
    fallbacks = []
    default = Node.raw_backward

    def spy(ctx, grad):
        fallbacks.append(ctx.name())
        return default(ctx, grad)

    monkeypatch.setattr(Node, "raw_backward", staticmethod(spy))
    nanotorch.manual_seed(0)
    model = nanotorch.nn.Sequential(nanotorch.nn.Linear(2, 8), nanotorch.nn.ReLU(),
                                    nanotorch.nn.Linear(8, 1), nanotorch.nn.Sigmoid())
    x, y = nanotorch.randn(16, 2), (nanotorch.rand(16, 1) > 0.5).float()
    F.binary_cross_entropy(model(x), y).backward()
    logits = nanotorch.nn.Linear(2, 3)(x).tanh() * 2.0 - 1.0
    F.cross_entropy(logits, nanotorch.randint(0, 3, (16,))).backward()
    assert fallbacks == []


def test_hooks_and_retained_grads_see_tensors_in_the_raw_mode():
    x = leaf(uniform((3,), seed=5))
    y = x * 2.0
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(type(g)) or g * 10)
    x.register_hook(lambda g: seen.append(type(g)))
    (y * y).sum().backward()
    assert seen == [nanotorch.Tensor, nanotorch.Tensor]
    np.testing.assert_allclose(x.grad.numpy(), 10 * 2 * y.detach().numpy() * 2.0)
    np.testing.assert_allclose(y.grad.numpy(), 2 * y.detach().numpy())


def _with_kernels(base):
    return [op for op in _subclasses(base) if op.kernel is not None]


@pytest.mark.parametrize("op", _with_kernels(E._Map), ids=lambda op: op.__name__)
def test_every_map_takes_its_hot_path_in_both_modes(op):
    """The inlined hot path saves what each map's derivative reads, in either backward mode."""
    x = leaf(uniform((2, 3), 0.2, 0.8, seed=6))
    raw = nanotorch.autograd.grad(op.apply(x).sum(), x)[0]
    graphed = nanotorch.autograd.grad(op.apply(x).sum(), x, create_graph=True)[0]
    np.testing.assert_allclose(raw.numpy(), graphed.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("op", _with_kernels(E._Zip), ids=lambda op: op.__name__)
@pytest.mark.parametrize("other", ["tensor", "float"])
def test_every_zip_takes_its_hot_path_in_both_modes(op, other):
    a = leaf(uniform((2, 3), 0.5, 1.5, seed=7))
    b = leaf(uniform((3,), 0.6, 1.4, seed=8)) if other == "tensor" else 1.25
    inputs = (a, b) if other == "tensor" else (a,)
    raw = nanotorch.autograd.grad(op.apply(a, b).sum(), inputs)
    graphed = nanotorch.autograd.grad(op.apply(a, b).sum(), inputs, create_graph=True)
    for got, want in zip(raw, graphed):
        np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-12)
