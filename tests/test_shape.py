"""Views and joins: values against numpy, gradients against finite differences, torch's
view semantics (shared memory and version counter) and errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nanotorch
from helpers import assert_close, check_grads, leaf, small_shapes, uniform

X = uniform((2, 3, 4), seed=1)

# name -> (nanotorch call, numpy reference), all on X of shape (2, 3, 4)
VIEWS = {
    "view": (lambda t: t.view(6, 4), lambda x: x.reshape(6, 4)),
    "view_infer": (lambda t: t.view(-1, 2), lambda x: x.reshape(-1, 2)),
    "reshape": (lambda t: t.reshape((4, 6)), lambda x: x.reshape(4, 6)),
    "reshape_fn": (lambda t: nanotorch.reshape(t, (-1,)), lambda x: x.reshape(-1)),
    "permute": (lambda t: t.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1)),
    "permute_neg": (lambda t: t.permute((-1, 1, 0)), lambda x: x.transpose(2, 1, 0)),
    "transpose": (lambda t: t.transpose(0, -1), lambda x: x.swapaxes(0, 2)),
    "T": (lambda t: t.T, lambda x: x.transpose(2, 1, 0)),
    "mT": (lambda t: t.mT, lambda x: x.swapaxes(-1, -2)),
    "squeeze_noop": (lambda t: t.squeeze(), lambda x: x),
    "unsqueeze": (lambda t: t.unsqueeze(1), lambda x: x[:, None]),
    "unsqueeze_neg": (lambda t: t.unsqueeze(-1), lambda x: x[..., None]),
    "flatten": (lambda t: t.flatten(), lambda x: x.reshape(-1)),
    "flatten_range": (lambda t: t.flatten(1), lambda x: x.reshape(2, 12)),
    "flatten_mid": (lambda t: nanotorch.flatten(t, 0, 1), lambda x: x.reshape(6, 4)),
    "unflatten": (lambda t: t.unflatten(2, (2, 2)), lambda x: x.reshape(2, 3, 2, 2)),
    "unflatten_infer": (lambda t: t.unflatten(-1, (-1, 2)), lambda x: x.reshape(2, 3, 2, 2)),
    "expand": (lambda t: t[:, :1].expand(2, 5, 4), lambda x: np.broadcast_to(x[:, :1], (2, 5, 4))),
    "expand_new_dim": (lambda t: t.expand(3, -1, -1, -1), lambda x: np.broadcast_to(x, (3, 2, 3, 4))),
    "expand_as": (lambda t: t[:1].expand_as(nanotorch.zeros(5, 3, 4)),
                  lambda x: np.broadcast_to(x[:1], (5, 3, 4))),
    "broadcast_to": (lambda t: nanotorch.broadcast_to(t[:, :, :1], (2, 3, 2)),
                     lambda x: np.broadcast_to(x[:, :, :1], (2, 3, 2))),
    "repeat": (lambda t: t.repeat(2, 1, 3), lambda x: np.tile(x, (2, 1, 3))),
    "repeat_new_dims": (lambda t: t.repeat(2, 1, 1, 2), lambda x: np.tile(x, (2, 1, 1, 2))),
    "contiguous": (lambda t: t.transpose(0, 1).contiguous(), lambda x: x.swapaxes(0, 1)),
    "flip": (lambda t: t.flip(0, 2), lambda x: x[::-1, :, ::-1]),
    "flip_neg": (lambda t: nanotorch.flip(t, (-1,)), lambda x: x[..., ::-1]),
    "narrow": (lambda t: t.narrow(1, 1, 2), lambda x: x[:, 1:3]),
    "select": (lambda t: t.select(2, -1), lambda x: x[:, :, -1]),
    "movedim": (lambda t: t.movedim(0, -1), lambda x: np.moveaxis(x, 0, -1)),
    "chained": (lambda t: t.permute(2, 0, 1).reshape(4, 6).t(), lambda x: x.transpose(2, 0, 1)
                .reshape(4, 6).T),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_and_shape_ops_match_numpy_and_gradcheck(name):
    call, ref = VIEWS[name]
    assert_close(call(leaf(X)), ref(X))
    # a non-uniform weighting: every output position gets its own gradient
    w = uniform(tuple(ref(X).shape), seed=2)
    check_grads(lambda t: call(t) * nanotorch.tensor(w), leaf(X), second=True)


def test_squeeze_variants():
    t = leaf(uniform((1, 3, 1, 2), seed=3))
    assert t.squeeze().shape == nanotorch.Size([3, 2])
    assert t.squeeze(0).shape == nanotorch.Size([3, 1, 2])
    assert t.squeeze(-2).shape == nanotorch.Size([1, 3, 2])
    assert t.squeeze(1).shape == nanotorch.Size([1, 3, 1, 2])  # not size 1: unchanged
    assert t.squeeze((0, 2)).shape == nanotorch.Size([3, 2])
    check_grads(lambda x: x.squeeze(2), t, second=True)


def test_t_of_1d_and_2d():
    v = nanotorch.arange(3)
    assert v.t().tolist() == [0, 1, 2]
    assert nanotorch.zeros(2, 3).t().shape == nanotorch.Size([3, 2])
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"):
        nanotorch.zeros(2, 3, 4).t()


@given(shape=small_shapes(1, 3), data=st.data())
def test_reshape_and_permute_on_random_shapes(shape, data):
    x = uniform(shape, seed=len(shape))
    order = data.draw(st.permutations(range(len(shape))))
    assert_close(leaf(x).permute(order), x.transpose(order))
    flat = int(np.prod(shape))
    assert_close(leaf(x).reshape(flat, 1), x.reshape(flat, 1))
    check_grads(lambda t: t.permute(order).reshape(-1) * nanotorch.arange(1.0, flat + 1,
                                                                      dtype=nanotorch.float64),
                leaf(x))


def test_views_share_memory_and_version_with_their_base():
    base = nanotorch.zeros(2, 3)
    for view in (base.view(6), base.reshape(3, 2), base.transpose(0, 1), base.t(), base[0],
                 base.unsqueeze(0), base.expand(4, 2, 3), base.permute(1, 0), base[:, 1:]):
        before = view._version
        base.add_(1)
        assert view._version == before + 1
        assert view.detach().numpy().flat[0] == base[0, 0].item()
    v = base.view(6)
    v[0] = 42.0
    assert base[0, 0].item() == 42.0


def test_view_of_non_contiguous_raises_but_reshape_copies():
    t = nanotorch.zeros(2, 3).t()
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size "
                                           "and stride"):
        t.view(6)
    assert t.reshape(6).shape == nanotorch.Size([6])
    assert not t.is_contiguous() and t.contiguous().is_contiguous()


def test_shape_errors_match_torch():
    t = nanotorch.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        t.view(4, 2)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        t.reshape(-1, -1)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(4\) must match the "
                                           r"existing size \(3\) at non-singleton dimension 1"):
        t.expand(2, 4)
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        t.repeat(2)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        t.transpose(0, 2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.unsqueeze(3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.flip(2)
    with pytest.raises(RuntimeError, match="permute"):
        t.permute(0)


# --- joins and splits --------------------------------------------------------------------
@given(n=st.integers(1, 3), dim=st.integers(-2, 1), seed=st.integers(0, 100))
def test_cat_matches_numpy_and_splits_the_gradient(n, dim, seed):
    parts = [uniform((2, 3), seed=seed + i) if dim % 2 == 0 else uniform((2, i + 1), seed=seed + i)
             for i in range(n)]
    if dim % 2 == 0:
        parts = [uniform((i + 1, 3), seed=seed + i) for i in range(n)]
    out = nanotorch.cat([leaf(p) for p in parts], dim)
    assert_close(out, np.concatenate(parts, axis=dim))
    w = nanotorch.tensor(uniform(out.shape, seed=seed))
    check_grads(lambda *ts: nanotorch.cat(list(ts), dim=dim) * w, *[leaf(p) for p in parts],
                second=True)


@given(n=st.integers(1, 3), dim=st.integers(-3, 2), seed=st.integers(0, 100))
def test_stack_matches_numpy(n, dim, seed):
    parts = [uniform((2, 3), seed=seed + i) for i in range(n)]
    out = nanotorch.stack([leaf(p) for p in parts], dim=dim)
    assert_close(out, np.stack(parts, axis=dim))
    w = nanotorch.tensor(uniform(out.shape, seed=seed))
    check_grads(lambda *ts: nanotorch.stack(ts, dim) * w, *[leaf(p) for p in parts])


def test_cat_promotes_dtypes_and_accepts_tuples():
    out = nanotorch.cat((nanotorch.tensor([1, 2]), nanotorch.tensor([0.5])))
    assert out.dtype == nanotorch.float32 and out.tolist() == [1.0, 2.0, 0.5]
    assert nanotorch.concat([nanotorch.ones(1)], 0).tolist() == [1.0]


def test_cat_and_stack_errors():
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0. "
                                           "Expected size 3 but got size 2 for tensor number 1"):
        nanotorch.cat([nanotorch.zeros(2, 3), nanotorch.zeros(2, 2)])
    with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions"):
        nanotorch.cat([nanotorch.zeros(2, 3), nanotorch.zeros(3)])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got "
                                           r"\[2\] at entry 0 and \[3\] at entry 1"):
        nanotorch.stack([nanotorch.zeros(2), nanotorch.zeros(3)])
    with pytest.raises(TypeError, match="must be a tuple or list of Tensors"):
        nanotorch.cat(nanotorch.zeros(2))
    with pytest.raises(RuntimeError, match="expected a non-empty list of Tensors"):
        nanotorch.stack([])


@pytest.mark.parametrize("size_or_sections,expected", [(2, [2, 2, 1]), (5, [5]), (3, [3, 2]),
                                                       ([1, 4], [1, 4]), ((2, 0, 3), [2, 0, 3])])
def test_split(size_or_sections, expected):
    x = uniform((5, 2), seed=4)
    pieces = leaf(x).split(size_or_sections)
    assert [p.shape[0] for p in pieces] == expected
    assert_close(nanotorch.cat(pieces), x)
    bounds = np.cumsum([0] + expected)
    for p, lo, hi in zip(pieces, bounds, bounds[1:]):
        assert_close(p, x[lo:hi])
    check_grads(lambda t: sum((p * (i + 1)).sum() for i, p in enumerate(t.split(size_or_sections))),
                leaf(x), second=True)


def test_split_along_dim_and_errors():
    x = uniform((2, 5), seed=5)
    a, b = nanotorch.split(leaf(x), [3, 2], dim=1)
    assert_close(a, x[:, :3])
    assert_close(b, x[:, 3:])
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 5"):
        leaf(x).split([2, 2], 1)


@pytest.mark.parametrize("n,chunks,expected", [(6, 3, [2, 2, 2]), (5, 2, [3, 2]), (5, 3, [2, 2, 1]),
                                               (2, 4, [1, 1]), (6, 4, [2, 2, 2])])
def test_chunk_sizes_follow_torch(n, chunks, expected):
    pieces = nanotorch.arange(float(n)).chunk(chunks)
    assert [p.shape[0] for p in pieces] == expected
    assert nanotorch.cat(pieces).tolist() == list(map(float, range(n)))


def test_chunk_gradients_and_unbind():
    x = uniform((3, 4), seed=6)
    check_grads(lambda t: t.chunk(2, dim=1)[1] * 2, leaf(x), second=True)
    rows = leaf(x).unbind(0)
    assert len(rows) == 3 and all(r.shape == nanotorch.Size([4]) for r in rows)
    check_grads(lambda t: t.unbind(1)[2], leaf(x))


def test_chunks_of_an_empty_dim_are_that_many_empty_pieces_as_in_torch():
    assert [c.shape for c in nanotorch.arange(0).chunk(3)] == [(0,)] * 3
    assert [c.shape for c in nanotorch.zeros(0, 4).chunk(3, 1)] == [(0, 2)] * 2
