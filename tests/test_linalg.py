"""Matrix products in torch's 1-D, 2-D and batched-broadcast forms: values against numpy,
gradients and second derivatives against finite differences, dtypes and shape errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nanotorch
from helpers import assert_close, check_grads, leaf, uniform

MATMUL_SHAPES = [
    ((3,), (3,)),            # dot
    ((3,), (3, 2)),          # vector @ matrix
    ((2, 3), (3,)),          # matrix @ vector
    ((2, 3), (3, 4)),        # matrix @ matrix
    ((2, 2, 3), (3, 4)),     # batch @ matrix
    ((3,), (2, 3, 4)),       # vector @ batch
    ((2, 2, 3), (3,)),       # batch @ vector
    ((2, 1, 2, 3), (3, 3, 2)),  # broadcast batch dims
    ((1, 2, 3), (2, 3, 2)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy_with_grads_and_gradgrads(sa, sb):
    a, b = uniform(sa, seed=1), uniform(sb, seed=2)
    expected = np.matmul(a, b)
    assert_close(leaf(a) @ leaf(b), expected)
    assert_close(nanotorch.matmul(leaf(a), leaf(b)), expected)
    assert_close(leaf(a).matmul(leaf(b)), expected)
    check_grads(lambda x, y: x @ y, leaf(a), leaf(b), second=True)


@given(batch=st.lists(st.integers(1, 2), max_size=2), n=st.integers(1, 3), k=st.integers(1, 3),
       m=st.integers(1, 3), data=st.data())
def test_matmul_batched_broadcast_property(batch, n, k, m, data):
    batch_b = [data.draw(st.sampled_from([1, s])) for s in batch]
    a, b = uniform(tuple(batch) + (n, k), seed=n), uniform(tuple(batch_b) + (k, m), seed=m)
    assert_close(leaf(a) @ leaf(b), np.matmul(a, b))
    check_grads(lambda x, y: x @ y, leaf(a), leaf(b))


def test_mm_bmm_dot_outer_mv():
    a, b = uniform((2, 3), seed=3), uniform((3, 4), seed=4)
    assert_close(leaf(a).mm(leaf(b)), a @ b)
    check_grads(nanotorch.mm, leaf(a), leaf(b), second=True)
    ba, bb = uniform((2, 2, 3), seed=5), uniform((2, 3, 2), seed=6)
    assert_close(nanotorch.bmm(leaf(ba), leaf(bb)), ba @ bb)
    check_grads(nanotorch.bmm, leaf(ba), leaf(bb), second=True)
    u, v = uniform((3,), seed=7), uniform((4,), seed=8)
    assert_close(leaf(u).dot(leaf(u)), u @ u)
    check_grads(nanotorch.dot, leaf(u), leaf(uniform((3,), seed=9)), second=True)
    assert_close(nanotorch.outer(leaf(u), leaf(v)), np.outer(u, v))
    check_grads(nanotorch.outer, leaf(u), leaf(v), second=True)
    assert_close(nanotorch.mv(leaf(b.T), leaf(u)), b.T @ u)
    check_grads(lambda x, y: x.mv(y), leaf(b.T.copy()), leaf(u))


def test_dot_of_1d_gives_a_0d_tensor():
    out = nanotorch.tensor([1.0, 2.0], requires_grad=True) @ nanotorch.tensor([3.0, 4.0])
    assert out.shape == nanotorch.Size([]) and out.item() == 11.0
    out.backward()


def test_matmul_dtypes():
    f = nanotorch.ones(2, 2)
    assert (f @ f).dtype == nanotorch.float32
    assert (f.double() @ f.double()).dtype == nanotorch.float64
    i = nanotorch.ones(2, 2, dtype=nanotorch.int64)
    assert (i @ i).dtype == nanotorch.int64 and (i @ i).tolist() == [[2, 2], [2, 2]]


def test_matmul_shape_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        nanotorch.ones(2, 3) @ nanotorch.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"\[2, 2, 3\].*\[4, 5\]"):
        nanotorch.ones(2, 2, 3) @ nanotorch.ones(4, 5)
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        nanotorch.ones(3).dot(nanotorch.ones(4))
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D"):
        nanotorch.tensor(1.0) @ nanotorch.ones(2)
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 1D tensors"):
        nanotorch.ones(2, 2).dot(nanotorch.ones(2))
    with pytest.raises(RuntimeError, match="batch"):
        nanotorch.bmm(nanotorch.ones(2, 2, 3), nanotorch.ones(3, 3, 2))
    with pytest.raises(RuntimeError, match="2D"):
        nanotorch.mm(nanotorch.ones(2, 2, 3), nanotorch.ones(3, 2))
    with pytest.raises(RuntimeError, match="The size of tensor a \\(3\\) must match the size of "
                                           "tensor b \\(2\\) at non-singleton dimension 0"):
        nanotorch.ones(3, 2, 2) @ nanotorch.ones(2, 2, 2)


def test_the_lecture_linear_layer_broadcasts_the_bias():
    # X (BATCH, FEATURES) @ weight (FEATURES, HIDDEN) + bias (HIDDEN)
    x, w, b = uniform((4, 2), seed=10), uniform((2, 3), seed=11), uniform((3,), seed=12)
    assert_close(leaf(x) @ leaf(w) + leaf(b), x @ w + b)
    check_grads(lambda xx, ww, bb: (xx @ ww + bb).relu(), leaf(x), leaf(w), leaf(b))
