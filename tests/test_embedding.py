"""Embedding: the lecture's one-hot identity, scatter-add gradients, padding_idx, freezing, errors."""
import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch import nn
from nanotorch.autograd import gradcheck, gradgradcheck

from helpers import assert_close, leaf, uniform


def test_lecture_one_hot_identity_values_and_gradients():
    """``(layer1 * word_one_hot).sum(1)`` is the embedding row, and so are their gradients."""
    vocab, dim, word = 7, 4, 3
    table = uniform((vocab, dim), seed=1)
    layer1 = leaf(table.T)                     # the lecture's (features, vocab) layout
    word_one_hot = nanotorch.tensor([0.0 if i != word else 1.0 for i in range(vocab)],
                                    dtype=nanotorch.float64)
    by_product = (layer1 * word_one_hot).sum(1)
    weight = leaf(table)
    by_lookup = F.embedding(nanotorch.tensor(word), weight)
    assert_close(by_lookup, by_product.detach().numpy())
    upstream = nanotorch.tensor(uniform(dim, seed=2))
    (by_product * upstream).sum().backward()
    (by_lookup * upstream).sum().backward()
    assert_close(weight.grad, layer1.grad.detach().numpy().T)


def test_repeated_indices_accumulate_and_gradcheck():
    weight = leaf(uniform((6, 3), seed=3))
    index = nanotorch.tensor([[0, 2, 2], [5, 2, 0]])
    assert gradcheck(lambda w: F.embedding(index, w), (weight,))
    assert gradgradcheck(lambda w: F.embedding(index, w) ** 2, (weight,))
    upstream = uniform((2, 3, 3), seed=4)
    F.embedding(index, weight).backward(nanotorch.tensor(upstream))
    expected = np.zeros((6, 3))
    np.add.at(expected, index.numpy(), upstream)
    assert_close(weight.grad, expected)


def test_padding_row_gets_no_gradient():
    weight = leaf(uniform((5, 2), seed=5))
    index = nanotorch.tensor([[1, 0, 0], [4, 1, 0]])
    upstream = uniform((2, 3, 2), seed=6)
    out = F.embedding(index, weight, padding_idx=0)
    assert_close(out, weight.detach().numpy()[index.numpy()])
    out.backward(nanotorch.tensor(upstream))
    expected = np.zeros((5, 2))
    np.add.at(expected, index.numpy(), upstream)
    expected[0] = 0
    assert_close(weight.grad, expected)
    # away from the padding row the gradient is the true one; a negative padding_idx counts back
    assert gradcheck(lambda w: F.embedding(index, w, padding_idx=-2), (weight,))
    assert gradgradcheck(lambda w: F.embedding(index, w, padding_idx=0) ** 2, (weight,))


def test_scale_grad_by_freq_divides_by_count():
    weight = leaf(np.zeros((4, 3)))
    F.embedding(nanotorch.tensor([0, 1, 1, 2]), weight, padding_idx=0,
                scale_grad_by_freq=True).sum().backward()
    assert_close(weight.grad, np.array([[0.0] * 3, [1.0] * 3, [1.0] * 3, [0.0] * 3]))


def test_max_norm_renormalises_picked_rows_in_place():
    weight = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    F.embedding(nanotorch.tensor([0, 2, 2]), weight, max_norm=1.0)
    np.testing.assert_allclose(weight.numpy(), [[0.4472, 0.8944], [3.0, 4.0], [0.6402, 0.7682]],
                               atol=1e-4)


def test_module_init_padding_and_repr():
    nanotorch.manual_seed(0)
    emb = nn.Embedding(1000, 8, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert w.shape == (1000, 8) and not w[3].any()
    assert abs(w.std() - 1) < 0.05 and abs(w.mean()) < 0.05
    assert repr(emb) == "Embedding(1000, 8, padding_idx=3)"
    assert nn.Embedding(5, 3, padding_idx=-1).padding_idx == 4
    assert repr(nn.Embedding(5, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True,
                             sparse=True)) == \
        "Embedding(5, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True, sparse=True)"
    out = emb(nanotorch.tensor([[3, 5], [7, 3]]))
    out.sum().backward()
    assert not emb.weight.grad.numpy()[3].any() and emb.weight.grad.numpy()[5].all()


def test_from_pretrained_freeze_and_finetune():
    table = nanotorch.tensor(uniform((4, 2), seed=7), dtype=nanotorch.float32)
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    out = frozen(nanotorch.tensor([1, 2]))
    assert not out.requires_grad and out.grad_fn is None
    assert_close(out, table.numpy()[[1, 2]])
    tuned = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=1)
    assert tuned.weight.requires_grad and tuned.weight.detach().numpy()[1].any()  # kept as given
    tuned(nanotorch.tensor([1, 2, 2])).sum().backward()
    np.testing.assert_array_equal(tuned.weight.grad.numpy(), [[0, 0], [0, 0], [2, 2], [0, 0]])
    assert list(dict(frozen.named_parameters())) == ["weight"]
    assert nn.Embedding(4, 2, _freeze=True).weight.requires_grad is False


def test_int32_indices_and_any_index_shape():
    weight = nanotorch.tensor(uniform((5, 2), seed=8))
    index = nanotorch.tensor([[[1, 4]]], dtype=nanotorch.int32)
    assert F.embedding(index, weight).shape == (1, 1, 2, 2)
    assert F.embedding(nanotorch.tensor(2), weight).shape == (2,)


@pytest.mark.parametrize("call,error,message", [
    (lambda w: F.embedding(nanotorch.tensor([1.0]), w), RuntimeError,
     "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
     "Long, Int"),
    (lambda w: F.embedding(nanotorch.tensor([True]), w), RuntimeError, "Long, Int"),
    (lambda w: F.embedding(nanotorch.tensor([1], dtype=nanotorch.uint8), w), RuntimeError,
     "Long, Int"),
    (lambda w: F.embedding(nanotorch.tensor([5]), w), IndexError, "index out of range in self"),
    (lambda w: F.embedding(nanotorch.tensor([-1]), w), IndexError, "index out of range in self"),
    (lambda w: F.embedding(nanotorch.tensor([1]), w[0]), RuntimeError, "'weight' must be 2-D"),
    (lambda w: nn.Embedding(5, 3, padding_idx=5), AssertionError,
     "Padding_idx must be within num_embeddings"),
    (lambda w: nn.Embedding.from_pretrained(w[0]), AssertionError,
     "Embeddings parameter is expected to be 2-dimensional"),
    (lambda w: nn.Embedding(4, 3, _weight=w), AssertionError,
     "Shape of weight does not match num_embeddings and embedding_dim"),
])
def test_errors_like_torch(call, error, message):
    with pytest.raises(error) as info:
        call(nanotorch.zeros(5, 3))
    assert message in str(info.value)


def test_backward_is_a_scatter_add_on_a_large_table():
    """A 400,000-row table: the gradient is dense in shape but only the picked rows are non-zero."""
    weight = nanotorch.zeros(400_000, 4, requires_grad=True)
    index = nanotorch.tensor([[7, 399_999, 7]])
    F.embedding(index, weight).sum().backward()
    grad = weight.grad.numpy()
    assert grad.shape == (400_000, 4)
    np.testing.assert_array_equal(np.flatnonzero(grad.any(1)), [7, 399_999])
    assert (grad[7] == 2).all() and (grad[399_999] == 1).all()


def test_max_norm_leaves_a_row_exactly_at_the_limit_alone():
    weight = nanotorch.tensor([[3.0, 4.0], [6.0, 8.0]], dtype=nanotorch.float64)
    F.embedding(nanotorch.tensor([0, 1]), weight, max_norm=5.0)
    assert weight[0].tolist() == [3.0, 4.0]  # norm 5: untouched (it shrank by 1e-7 * 3 / 5)
    assert weight[1].tolist() == pytest.approx([3.0, 4.0])  # norm 10: halved
