"""Indexing: basic and advanced keys against numpy, gradients that accumulate over repeated
indices, __setitem__, gather/index_select/masked_fill/scatter_add, and torch's IndexErrors."""
import numpy as np
import pytest

import nanotorch
from helpers import assert_close, check_grads, leaf, uniform

X = uniform((3, 4, 5), seed=1)


def _idx(values):
    return nanotorch.tensor(values)


KEYS = {
    "int": lambda: 1,
    "negative_int": lambda: -1,
    "int_pair": lambda: (2, -3),
    "slice": lambda: slice(1, None),
    "slice_step": lambda: (slice(None, None, 2), slice(1, 4, 2)),
    "negative_slice": lambda: (slice(-2, None), slice(None, -1)),
    "none": lambda: (None, 0),
    "ellipsis": lambda: (Ellipsis, 1),
    "ellipsis_middle": lambda: (0, Ellipsis, slice(0, 2)),
    "none_ellipsis": lambda: (Ellipsis, None, slice(1, 3)),
    "int_tensor": lambda: _idx([2, 0, 2, 1]),
    "int_tensor_negative": lambda: _idx([-1, 0]),
    "int_tensor_2d": lambda: _idx([[0, 1], [1, 0]]),
    "int_tensor_on_dim1": lambda: (slice(None), _idx([3, 3, 0])),
    "two_int_tensors": lambda: (_idx([0, 2, 0]), _idx([1, 1, 1])),
    "int_list": lambda: [0, 0, 2],
    "bool_mask_dim0": lambda: _idx([True, False, True]),
    "bool_mask_2d": lambda: nanotorch.tensor(X[:, :, 0] > 0),
    "bool_mask_full": lambda: nanotorch.tensor(X > 0.5),
    "mixed": lambda: (_idx([1, 2]), slice(None, None, 2), -1),
}


def _np_key(key):
    if isinstance(key, tuple):
        return tuple(_np_key(k) for k in key)
    return key.numpy() if isinstance(key, nanotorch.Tensor) else key


@pytest.mark.parametrize("name", sorted(KEYS))
def test_getitem_matches_numpy_and_gradcheck(name):
    key = KEYS[name]()
    expected = X[_np_key(key)]
    assert_close(leaf(X)[key], expected)
    w = nanotorch.tensor(uniform(np.shape(expected), seed=2))
    check_grads(lambda t: t[key] * w, leaf(X), second=True)


def test_repeated_indices_accumulate_gradients():
    x = nanotorch.zeros(4, requires_grad=True)
    x[nanotorch.tensor([0, 2, 0, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0, 0.0]
    y = nanotorch.zeros(2, 2, requires_grad=True)
    y[[0, 0], [1, 1]].sum().backward()
    assert y.grad.tolist() == [[0.0, 2.0], [0.0, 0.0]]


def test_basic_indexing_returns_a_view():
    base = nanotorch.zeros(3, 4)
    row = base[1]
    base[1, 2] = 5.0
    assert row[2].item() == 5.0
    assert base[:, ::2].shape == nanotorch.Size([3, 2])
    # advanced indexing copies
    picked = base[nanotorch.tensor([1])]
    base[1, 2] = 7.0
    assert picked[0, 2].item() == 5.0


def test_index_errors_match_torch():
    t = nanotorch.zeros(3, 4)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        t[3]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 1 with size 4"):
        t[0, -5]
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 1 with size 4"):
        t[:, nanotorch.tensor([0, 4])]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        t[0, 0, 0]
    with pytest.raises(IndexError, match="The shape of the mask \\[2\\] at index 0 does not match"):
        t[nanotorch.tensor([True, False])]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        t[nanotorch.tensor([0.0])]


# --- __setitem__ ---------------------------------------------------------------------------
@pytest.mark.parametrize("key", [1, (slice(None), 2), (Ellipsis, slice(0, 4, 2)),
                                 [0, 2], (slice(None), [1, 3])], ids=str)
def test_setitem_with_number_and_tensor(key):
    expected = X.copy()
    expected[key] = 0.5
    t = leaf(X, requires_grad=False)
    t[key] = 0.5
    assert_close(t, expected)
    value = uniform(np.shape(X[key]), seed=3)
    expected[key] = value
    t[key] = leaf(value, requires_grad=False)
    assert_close(t, expected)


def test_setitem_with_bool_mask_and_broadcast_value():
    t = nanotorch.tensor([[1.0, -2.0], [-3.0, 4.0]])
    t[t < 0] = 0.0
    assert t.tolist() == [[1.0, 0.0], [0.0, 4.0]]
    t[:, 0] = nanotorch.tensor([7.0])
    assert t.tolist() == [[7.0, 0.0], [7.0, 4.0]]
    t[0] = 9  # an int into a float tensor
    assert t.dtype == nanotorch.float32 and t.tolist() == [[9.0, 9.0], [7.0, 4.0]]


def test_setitem_gradients_flow_to_both_the_target_and_the_value():
    def fn(base, value):
        out = base * 1.0  # not a leaf: in-place writes into it are recorded
        out[1:, ::2] = value
        return out * nanotorch.tensor(uniform((3, 4, 5), seed=4))
    check_grads(fn, leaf(X), leaf(uniform((2, 2, 5), seed=5)), second=True)
    check_grads(fn, leaf(X), leaf(uniform((5,), seed=6)))  # a broadcast value


def test_setitem_bumps_the_version():
    t = nanotorch.zeros(3)
    before = t._version
    t[0] = 1.0
    assert t._version == before + 1


def test_setitem_shape_mismatch_raises():
    t = nanotorch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[0] = nanotorch.ones(3)


# --- gather, index_select, masked_fill, scatter_add ------------------------------------------
def test_gather_matches_numpy_and_gradients_accumulate():
    x = uniform((3, 4), seed=7)
    index = np.array([[0, 0, 3], [1, 2, 1], [3, 3, 3]])
    assert_close(leaf(x).gather(1, nanotorch.tensor(index)), np.take_along_axis(x, index, 1))
    idx0 = np.array([[2, 0, 1, 2], [2, 2, 0, 0]])
    assert_close(nanotorch.gather(leaf(x), 0, nanotorch.tensor(idx0)), np.take_along_axis(x, idx0, 0))
    check_grads(lambda t: t.gather(1, nanotorch.tensor(index)), leaf(x), second=True)
    check_grads(lambda t: t.gather(0, nanotorch.tensor(idx0)), leaf(x), second=True)
    t = leaf(x)
    t.gather(1, nanotorch.tensor(index)).sum().backward()
    assert_close(t.grad, [[2, 0, 0, 1], [0, 2, 1, 0], [0, 0, 0, 3]])


def test_gather_errors():
    t = nanotorch.zeros(2, 3)
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 1 with size 3"):
        t.gather(1, nanotorch.tensor([[3]]))
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
        t.gather(1, nanotorch.tensor([0]))
    with pytest.raises(RuntimeError, match="Expected dtype int64 for index"):
        t.gather(1, nanotorch.tensor([[0.0]]))


def test_index_select_matches_numpy_and_accumulates():
    x = uniform((3, 4), seed=8)
    idx = nanotorch.tensor([3, 0, 3])
    assert_close(leaf(x).index_select(1, idx), x[:, [3, 0, 3]])
    assert_close(nanotorch.index_select(leaf(x), 0, nanotorch.tensor([2, 2])), x[[2, 2]])
    check_grads(lambda t: t.index_select(1, idx), leaf(x), second=True)
    t = leaf(x)
    t.index_select(1, idx).sum().backward()
    assert_close(t.grad, np.tile([1.0, 0.0, 0.0, 2.0], (3, 1)))
    with pytest.raises(IndexError, match="index_select\\(\\): Index is supposed to be a vector"):
        leaf(x).index_select(0, nanotorch.tensor([[0]]))


def test_masked_fill_broadcasts_and_blocks_the_gradient_where_filled():
    x = uniform((3, 4), seed=9)
    mask = np.array([True, False, False, True])
    t = leaf(x)
    out = t.masked_fill(nanotorch.tensor(mask), -1.5)
    assert_close(out, np.where(mask, -1.5, x))
    assert out.dtype == nanotorch.float64
    check_grads(lambda v: v.masked_fill(nanotorch.tensor(mask), 0.0), leaf(x), second=True)
    # a 0-d tensor value gets its gradient too, like torch
    v = nanotorch.tensor(2.0, dtype=nanotorch.float64, requires_grad=True)
    leaf(x).masked_fill(nanotorch.tensor(mask), v).sum().backward()
    assert v.grad.item() == 6.0
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        t.masked_fill(nanotorch.tensor([1, 0, 0, 1]), 0.0)
    ints = nanotorch.tensor([1, 2]).masked_fill(nanotorch.tensor([True, False]), 7)
    assert ints.dtype == nanotorch.int64 and ints.tolist() == [7, 2]


def test_scatter_add_matches_numpy_and_gradcheck():
    x = uniform((3, 4), seed=10)
    src = uniform((2, 4), seed=11)
    index = np.array([[0, 2, 2, 1], [0, 0, 2, 1]])
    expected = x.copy()
    for i in range(2):
        for j in range(4):
            expected[index[i, j], j] += src[i, j]
    idx = nanotorch.tensor(index)
    assert_close(leaf(x).scatter_add(0, idx, leaf(src)), expected)
    assert_close(nanotorch.scatter_add(leaf(x), 0, idx, leaf(src)), expected)
    check_grads(lambda a, s: a.scatter_add(0, idx, s), leaf(x), leaf(src), second=True)


def test_scatter_add_with_smaller_index_and_along_dim1():
    x = np.zeros((2, 3))
    src = uniform((2, 4), seed=12)
    idx = nanotorch.tensor([[2, 2], [0, 1]])
    out = leaf(x).scatter_add(1, idx, leaf(src))
    assert_close(out, [[0, 0, src[0, 0] + src[0, 1]], [src[1, 0], src[1, 1], 0]])
    check_grads(lambda a, s: a.scatter_add(1, idx, s), leaf(x), leaf(src))


def test_take_masked_select_nonzero():
    x = nanotorch.tensor([[1.0, -1.0], [2.0, -3.0]])
    assert x.masked_select(x > 0).tolist() == [1.0, 2.0]
    assert (x < 0).nonzero().tolist() == [[0, 1], [1, 1]]


def test_integers_beside_index_tensors_select_first_as_in_torch():
    """torch applies integers as selects before the advanced indices: x[0, :, [0, 3]] of a
    (2, 3, 4) tensor is (3, 2), where numpy's placement gives (2, 3)."""
    x = leaf(np.arange(24.0).reshape(2, 3, 4))
    y = x[0, :, nanotorch.tensor([0, 3])]
    assert y.shape == (3, 2)
    assert y.tolist() == np.arange(24.0).reshape(2, 3, 4)[0][:, [0, 3]].tolist()
    y.sum().backward()
    expected = np.zeros((2, 3, 4))
    expected[0][:, [0, 3]] = 1
    assert x.grad.tolist() == expected.tolist()
    assert x[[0, 1], 0, [1, 2]].shape == (2,) and x[..., 0, [1, 2]].shape == (2, 2)
    assert x[nanotorch.tensor([True, False]), 0].shape == (1, 4)
    z = nanotorch.zeros(2, 3, 4)
    z[0, :, [0, 3]] = nanotorch.ones(3, 2)
    assert z.sum().item() == 6 and z[0, :, 0].tolist() == [1.0, 1.0, 1.0]


def test_a_list_holding_sequences_is_a_tuple_of_indices_with_torchs_warning():
    x = nanotorch.arange(24.0).reshape(2, 3, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing"):
        assert x[[[0, 1], [1, 0]]].tolist() == x[[0, 1], [1, 0]].tolist()
    with pytest.warns(UserWarning):
        assert x[[0, slice(None)]].shape == (3, 4)
    assert x[[0, 1]].shape == (2, 3, 4)  # a list of ints stays one index
    with pytest.warns(UserWarning):
        x[[[0, 1], [1, 0]]] = -1
    assert (x == -1).sum().item() == 8


@pytest.mark.parametrize("call,error,message", [
    (lambda x: x.gather(1, nanotorch.full((2, 3, 4), -1)), RuntimeError,
     "index -1 is out of bounds for dimension 1 with size 3"),
    (lambda x: nanotorch.zeros(5).scatter(0, nanotorch.tensor([-1]), nanotorch.ones(1)),
     RuntimeError, "index -1 is out of bounds for dimension 0 with size 5"),
    (lambda x: nanotorch.zeros(5).scatter_add(0, nanotorch.tensor([-1]), nanotorch.ones(1)),
     RuntimeError, "index -1 is out of bounds"),
    (lambda x: x.index_select(0, nanotorch.tensor([-1])), IndexError, "index out of range in self"),
    (lambda x: x.index_select(0, nanotorch.tensor([2])), IndexError, "index out of range in self"),
    (lambda x: nanotorch.zeros(5).index_add(0, nanotorch.tensor([-1]), nanotorch.ones(1)),
     IndexError, "index out of range in self"),
    (lambda x: nanotorch.zeros(5).index_add(0, nanotorch.tensor([5]), nanotorch.ones(1)),
     IndexError, "index out of range in self"),
], ids=["gather", "scatter", "scatter_add", "index_select", "index_select_high", "index_add",
        "index_add_high"])
def test_negative_indices_are_refused_where_torch_refuses_them(call, error, message):
    with pytest.raises(error, match=message):
        call(nanotorch.arange(24.0).reshape(2, 3, 4))


def test_take_along_dim_counts_negative_indices_from_the_end_as_torch():
    x = nanotorch.arange(24.0).reshape(2, 3, 4)
    assert x.take_along_dim(nanotorch.full((2, 1, 4), -1), 1).tolist() == x[:, 2:].tolist()
