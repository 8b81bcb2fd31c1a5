"""The lecture's examples (module 3, "Real Neural Networks") run as written, with ``minitorch``
renamed to ``nanotorch``: the custom Inv and Mul functions, the Sum / reduce-gradient example
and the word-embedding snippets."""
import numpy as np

import nanotorch
from nanotorch import Tensor, tensor
from nanotorch.autograd import gradcheck, gradgradcheck


# --- verbatim from the lecture (only minitorch -> nanotorch) ----------------------------------
class Inv(nanotorch.Function):
    @staticmethod
    def forward(ctx, t1: Tensor) -> Tensor:
        ctx.save_for_backward(t1)
        return t1.f.inv_map(t1)

    @staticmethod
    def backward(ctx, d: Tensor) -> Tensor:
        (t1,) = ctx.saved_values
        return d.f.inv_back_zip(t1, d)


class Mul(nanotorch.Function):
    @staticmethod
    def forward(ctx, t1: Tensor, t2:Tensor) -> Tensor:
        ctx.save_for_backwards((t1, t2))
        return t1.f.mul_map(t1, t2)

    @staticmethod
    def backward(ctx, d: Tensor) -> Tensor:
        (t1, t2) = ctx.saved_values
        return d.f.mul_map(t2, d), d.f.mul_map(t1, d)
# ------------------------------------------------------------------------------------------------


def test_inv_forward_and_backward():
    x = nanotorch.tensor([[2.0, 4.0], [-0.5, 1.0]], requires_grad=True)
    y = Inv.apply(x)
    np.testing.assert_allclose(y.detach().numpy(), 1 / x.detach().numpy())
    y.sum().backward()
    # G'(x) = -(x)^-2, times d = 1
    np.testing.assert_allclose(x.grad.numpy(), -1 / x.detach().numpy() ** 2, rtol=1e-6)


def test_inv_matches_the_built_in_reciprocal_and_passes_gradcheck():
    x = nanotorch.tensor([0.5, -1.5, 2.0], dtype=nanotorch.float64, requires_grad=True)
    assert nanotorch.equal(Inv.apply(x), x.reciprocal())
    assert gradcheck(Inv.apply, (x,))


def test_mul_forward_and_backward():
    a = nanotorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = nanotorch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = Mul.apply(a, b)
    assert out.tolist() == [4.0, 10.0, 18.0]
    out.sum().backward()
    # f'_x(G(x, y)) = y * d and f'_y = x * d
    assert a.grad.tolist() == [4.0, 5.0, 6.0]
    assert b.grad.tolist() == [1.0, 2.0, 3.0]


def test_mul_with_broadcasting_gets_the_reduce_gradient_from_the_engine():
    a = nanotorch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=nanotorch.float64,
                         requires_grad=True)
    b = nanotorch.tensor([1.0, 10.0, 100.0], dtype=nanotorch.float64, requires_grad=True)
    Mul.apply(a, b).sum().backward()
    assert b.grad.shape == b.shape  # summed back over the broadcast dim
    assert b.grad.tolist() == [5.0, 7.0, 9.0]
    assert gradcheck(Mul.apply, (a, b))
    # the lecture's backward calls raw kernels (t.f...), which are not recorded: no second
    # derivative, unlike the built-in ops
    assert not gradgradcheck(Mul.apply, (a, b), raise_exception=False)
    assert gradgradcheck(lambda x, y: x * y, (a, b))


def test_inv_and_mul_compose_with_built_in_ops():
    x = nanotorch.tensor([1.0, 2.0], dtype=nanotorch.float64, requires_grad=True)
    assert gradcheck(lambda t: Mul.apply(Inv.apply(t), t.exp()).sum(), (x,))


def test_sum_gradient_is_d_everywhere():
    # G(x) = sum_i x_i, G'_{x_i}(x) = 1, so f'_{x_i}(G(x)) = d
    x = nanotorch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    x.sum().backward(nanotorch.tensor(3.0))
    assert x.grad.tolist() == [[3.0] * 3] * 2
    y = nanotorch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y.sum(1).backward(nanotorch.tensor([1.0, 2.0]))
    assert y.grad.tolist() == [[1.0] * 3, [2.0] * 3]


def test_reduce_gradient_through_broadcasting():
    # the lecture's linear layer: X (BATCH, FEATURES) @ weight + bias (HIDDEN), bias broadcast
    # over the batch; its gradient is the output gradient summed over the batch dim
    batch, features, hidden = 5, 2, 3
    X = nanotorch.rand(batch, features)
    weight = nanotorch.rand(features, hidden, requires_grad=True)
    bias = nanotorch.rand(hidden, requires_grad=True)
    out = (X.view(batch, features, 1) * weight.view(1, features, hidden)).sum(1) + bias.view(1, hidden)
    d = nanotorch.rand(batch, hidden)
    out.backward(d)
    np.testing.assert_allclose(bias.grad.numpy(), d.numpy().sum(0), rtol=1e-6)
    np.testing.assert_allclose(weight.grad.numpy(), X.numpy().T @ d.numpy(), rtol=1e-5)


def test_word_embedding_snippets():
    VOCAB, HIDDEN, word = 5, 3, 2
    layer1 = nanotorch.rand(HIDDEN, VOCAB, requires_grad=True)
    # "Get word vector"
    word_one_hot = tensor([0 if i != word else 1
                           for i in range(VOCAB)])
    embedding = (layer1 * word_one_hot).sum(1)
    np.testing.assert_allclose(embedding.detach().numpy(), layer1.detach().numpy()[:, word])
    # "Dot-product - easy way to tell similarity ... Differentiable!"
    word_emb1, word_emb2 = embedding, layer1[:, 4]
    (word_emb1 * word_emb2).sum().backward()
    grad = layer1.grad.numpy()
    expected = np.zeros((HIDDEN, VOCAB), dtype=np.float32)
    expected[:, word] = layer1.detach().numpy()[:, 4]
    expected[:, 4] = layer1.detach().numpy()[:, word]
    np.testing.assert_allclose(grad, expected, rtol=1e-6)
