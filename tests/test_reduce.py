"""Reductions (the lecture's reduce): forward against numpy for dim=None/int/tuple and keepdim,
gradients and second derivatives against finite differences, torch's (values, indices) results."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nanotorch
from helpers import assert_close, check_grads, distinct, leaf, small_shapes, uniform


def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _norm(p):
    def ref(x, axis=None, keepdims=False):
        a = np.abs(x)
        if p == np.inf:
            return np.max(a, axis=axis, keepdims=keepdims)
        return np.sum(a ** p, axis=axis, keepdims=keepdims) ** (1 / p)
    return ref


# name -> (call(t, dim, keepdim), numpy reference(x, axis, keepdims), needs distinct values)
REDUCTIONS = {
    "sum": (lambda t, d, k: t.sum(d, keepdim=k), np.sum, False),
    "mean": (lambda t, d, k: t.mean(d, keepdim=k), np.mean, False),
    "prod": (lambda t, d, k: t.prod(d, keepdim=k), np.prod, False),
    "amax": (lambda t, d, k: t.amax(() if d is None else d, keepdim=k), np.max, True),
    "amin": (lambda t, d, k: nanotorch.amin(t, () if d is None else d, keepdim=k), np.min, True),
    "var": (lambda t, d, k: t.var(d, keepdim=k), lambda x, axis, keepdims: np.var(
        x, axis=axis, keepdims=keepdims, ddof=1), False),
    "std": (lambda t, d, k: nanotorch.std(t, d, keepdim=k), lambda x, axis, keepdims: np.std(
        x, axis=axis, keepdims=keepdims, ddof=1), False),
    "norm2": (lambda t, d, k: t.norm(dim=d, keepdim=k), _norm(2), False),
    "norm1": (lambda t, d, k: t.norm(1, dim=d, keepdim=k), _norm(1), False),
    "norm3": (lambda t, d, k: nanotorch.norm(t, 3, d, k), _norm(3), False),
    "norminf": (lambda t, d, k: t.norm(float("inf"), dim=d, keepdim=k), _norm(np.inf), True),
    "logsumexp": (lambda t, d, k: t.logsumexp(tuple(range(t.ndim)) if d is None else d, keepdim=k),
                  _logsumexp, False),
}


@st.composite
def shape_and_dims(draw, min_side=1):
    shape = draw(small_shapes(1, 3, max_side=3).map(lambda s: tuple(max(n, min_side) for n in s)))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        dim = None
    elif kind == "int":
        dim = draw(st.integers(-len(shape), len(shape) - 1))
    else:
        dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
        dim = tuple(d - len(shape) if draw(st.booleans()) else d for d in dims)
    return shape, dim, draw(st.booleans())


def _axis(dim, ndim):
    if dim is None:
        return None
    return tuple(d % ndim for d in dim) if isinstance(dim, tuple) else dim % ndim


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(case=shape_and_dims(), seed=st.integers(0, 2 ** 16))
def test_reduction_forward_and_grad(name, case, seed):
    shape, dim, keepdim = case
    call, ref, needs_distinct = REDUCTIONS[name]
    if name in ("var", "std"):
        shape = tuple(max(n, 2) for n in shape)  # n - 1 > 0
    x = distinct(shape, seed) if needs_distinct else uniform(shape, 0.5, 1.5, seed) * np.where(
        np.random.default_rng(seed).random(shape) < 0.5, -1, 1)
    out = call(leaf(x), dim, keepdim)
    assert_close(out, ref(x, axis=_axis(dim, len(shape)), keepdims=keepdim))
    check_grads(lambda t: call(t, dim, keepdim), leaf(x))


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_reduction_gradgrad(name, dim, keepdim):
    call, _, needs_distinct = REDUCTIONS[name]
    x = distinct((2, 3, 2), 4) if needs_distinct else uniform((2, 3, 2), 0.5, 1.5, 4)
    check_grads(lambda t: call(t, dim, keepdim), leaf(x), second=True)


def test_sum_and_mean_of_broadcast_products():
    a, b = uniform((2, 1, 3), seed=1), uniform((4, 1), seed=2)
    check_grads(lambda x, y: (x * y).sum((0, 2)), leaf(a), leaf(b), second=True)
    check_grads(lambda x, y: (x + y).mean(-1, keepdim=True), leaf(a), leaf(b), second=True)


def test_reduction_dtypes_follow_torch():
    i = nanotorch.tensor([[1, 2], [3, 4]], dtype=nanotorch.int32)
    assert i.sum().dtype == nanotorch.int64
    assert i.prod().dtype == nanotorch.int64
    assert i.cumsum(0).dtype == nanotorch.int64
    assert nanotorch.tensor([True, True]).sum().dtype == nanotorch.int64
    assert i.sum(dtype=nanotorch.float64).dtype == nanotorch.float64
    assert i.mean(dtype=nanotorch.float32).item() == 2.5
    assert i.amax().dtype == nanotorch.int32
    assert i.max(0).values.dtype == nanotorch.int32
    assert i.argmax().dtype == nanotorch.int64
    f16 = nanotorch.ones(3, dtype=nanotorch.float16)
    assert f16.sum().dtype == nanotorch.float16 and f16.mean().dtype == nanotorch.float16
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype.*Got: Long"):
        nanotorch.tensor([1, 2]).mean()


def test_sum_of_scalar_and_of_empty_dims():
    s = nanotorch.tensor(3.0, requires_grad=True)
    out = s.sum()
    assert out.shape == nanotorch.Size([]) and out.item() == 3.0
    assert nanotorch.zeros(0, 3).sum(0).tolist() == [0.0, 0.0, 0.0]
    assert nanotorch.ones(2, 3).sum(-1, keepdim=True).shape == nanotorch.Size([2, 1])


def test_mean_of_nothing_is_nan_without_a_warning_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nanotorch.zeros(0).mean().isnan().item()
        assert nanotorch.zeros(0, 3).mean(0).isnan().all().item()
        assert nanotorch.zeros(0, 3).mean(1).shape == (0,)


# --- prod with zeros: the divide-by-x shortcut must not be used ----------------------------
@pytest.mark.parametrize("x", [[[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]],
                               [[0.0, 0.0, 3.0], [1.5, -2.0, 0.0]]])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_grad_with_zeros(x, dim):
    x = np.array(x)
    t = leaf(x)
    t.prod(dim).sum().backward()
    expected = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        others = x.copy()
        others[idx] = 1.0
        expected[idx] = np.prod(others if dim is None else others[idx[0]] if dim == 1 else
                                others[:, idx[1]])
    assert_close(t.grad, expected)
    check_grads(lambda v: v.prod(dim), leaf(x), second=True)


# --- max / min with a dim: (values, indices) -------------------------------------------------
@pytest.mark.parametrize("name,ref,argref", [("max", np.max, np.argmax), ("min", np.min, np.argmin)])
@given(shape=small_shapes(1, 3), data=st.data())
def test_max_min_dim_return_values_and_indices(name, ref, argref, shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    x = distinct(shape, seed=len(shape))
    result = getattr(leaf(x), name)(dim, keepdim)
    values, indices = result
    assert result.values is values and result.indices is indices
    assert indices.dtype == nanotorch.int64 and not indices.requires_grad
    assert_close(values, ref(x, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.numpy(), argref(x, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(getattr(leaf(x), "arg" + name)(dim, keepdim).numpy(),
                                  argref(x, axis=dim, keepdims=keepdim))
    check_grads(lambda t: getattr(t, name)(dim=dim, keepdim=keepdim).values, leaf(x), second=True)
    fn = getattr(nanotorch, name)
    np.testing.assert_array_equal(fn(leaf(x), dim=dim).indices.numpy(), argref(x, axis=dim))


def test_max_dim_gradient_goes_to_the_first_winner_like_torch():
    x = nanotorch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_full_max_and_amax_share_the_gradient_among_ties_like_torch():
    x = nanotorch.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]
    y = nanotorch.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    y.amax(1).sum().backward()
    assert y.grad.tolist() == [[0.0, 0.5, 0.5]]


def test_argmax_argmin_flatten_without_dim_and_pick_the_first_tie():
    x = nanotorch.tensor([[1, 5, 5], [0, 5, -1]])
    assert x.argmax().item() == 1
    assert x.argmin().item() == 5
    assert x.argmax(keepdim=True).shape == nanotorch.Size([1, 1])
    assert x.argmax(1).tolist() == [1, 1]
    assert nanotorch.argmin(x, dim=0).tolist() == [1, 0, 1]


def test_max_of_a_scalar_with_dim():
    values, indices = nanotorch.tensor(2.0).max(0)
    assert values.item() == 2.0 and indices.item() == 0


# --- var / std options -------------------------------------------------------------------
def test_var_std_unbiased_and_correction():
    x = uniform((3, 4), seed=7)
    t = leaf(x, requires_grad=False)
    assert_close(t.var(1, unbiased=False), np.var(x, axis=1))
    assert_close(t.var(1, correction=0), np.var(x, axis=1))
    assert_close(t.std(0, correction=2), np.std(x, axis=0, ddof=2))
    assert_close(t.var((0, 1), keepdim=True), np.var(x, ddof=1, keepdims=True))


# --- softmax, log_softmax, cumsum: one dim ----------------------------------------------------
def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@given(shape=small_shapes(1, 3), data=st.data(), seed=st.integers(0, 2 ** 16))
def test_softmax_log_softmax_cumsum(shape, data, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = uniform(shape, -3, 3, seed)
    assert_close(leaf(x).softmax(dim), _softmax(x, dim))
    assert_close(nanotorch.log_softmax(leaf(x), dim), np.log(_softmax(x, dim)))
    assert_close(nanotorch.softmax(leaf(x), dim=dim), _softmax(x, dim))
    assert_close(leaf(x).cumsum(dim), np.cumsum(x, axis=dim))
    w = uniform(shape, seed=seed + 1)  # a non-uniform weighting so the softmax grad is not ~0
    check_grads(lambda t: t.softmax(dim) * nanotorch.tensor(w), leaf(x))
    check_grads(lambda t: t.log_softmax(dim) * nanotorch.tensor(w), leaf(x))
    check_grads(lambda t: nanotorch.cumsum(t, dim), leaf(x))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "cumsum"])
def test_softmax_log_softmax_cumsum_gradgrad(name):
    x = uniform((2, 3), -2, 2, 3)
    w = nanotorch.tensor(uniform((2, 3), seed=4))
    check_grads(lambda t: getattr(t, name)(1) * w, leaf(x), second=True)
    check_grads(lambda t: getattr(t, name)(0) * w, leaf(x), second=True)


def test_softmax_is_stable_for_large_inputs_and_takes_dtype():
    x = nanotorch.tensor([[1000.0, 1000.0], [-1000.0, 0.0]])
    assert_close(x.softmax(1), np.array([[0.5, 0.5], [0.0, 1.0]], dtype=np.float32))
    assert_close(x.logsumexp(1), np.array([1000 + np.log(2), 0.0], dtype=np.float32), rtol=1e-6)
    assert x.softmax(1, dtype=nanotorch.float64).dtype == nanotorch.float64
    assert nanotorch.tensor([1, 2]).softmax(0).dtype == nanotorch.float32


def test_norm_options():
    x = np.array([[3.0, -4.0], [0.0, 0.0]])
    t = leaf(x)
    assert_close(t.norm(), np.linalg.norm(x))
    assert_close(t.norm(p="fro"), np.linalg.norm(x))
    assert_close(t.norm(dim=1), [5.0, 0.0])
    assert_close(t.norm(0, dim=1), [2.0, 0.0])
    # the gradient of the 2-norm at the zero vector is zero, like torch (not nan)
    t.norm(dim=1).sum().backward()
    assert_close(t.grad, [[0.6, -0.8], [0.0, 0.0]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_of_everything_sends_a_nan_results_gradient_to_the_nans(name):
    """torch: max() and min() share the gradient among the NaNs; amax and amin give NaN."""
    t = leaf([1.0, np.nan, 3.0, np.nan])
    getattr(t, name)().backward()
    assert t.grad.tolist() == [0.0, 0.5, 0.0, 0.5]
    t = leaf([1.0, np.nan, 3.0, np.nan])
    getattr(t, "a" + name)().backward()
    assert np.isnan(t.grad.numpy()).all()


def test_minus_inf_norm_is_the_smallest_magnitude_and_ties_share_its_gradient():
    t = leaf([3.0, -0.5, 0.5])
    n = t.norm(float("-inf"))
    assert n.item() == 0.5
    n.backward()
    assert_close(t.grad, [0.0, -0.5, 0.5])
    assert_close(leaf([[3.0, -0.5], [0.5, 2.0]]).norm(float("-inf"), dim=1), [0.5, 0.5])
    check_grads(lambda a: a.norm(float("-inf"), dim=1), leaf(uniform((3, 4), seed=1)))


@pytest.mark.parametrize("p", [float("inf"), float("-inf")])
def test_inf_norms_of_nothing_raise_and_of_empty_batches_are_empty(p):
    empty = nanotorch.zeros(0, 3)
    assert empty.norm(p, dim=1).shape == (0,)
    with pytest.raises(RuntimeError, match="norm on an empty tensor because the operation does "
                                           "not have an identity"):
        empty.norm(p)
    with pytest.raises(RuntimeError, match="on the dimension 0because this dimension is empty"):
        empty.norm(p, dim=0)


@pytest.mark.parametrize("name", ["sum", "mean", "nansum", "var", "std", "norm", "logsumexp"])
def test_an_empty_dim_tuple_reduces_every_dim_as_in_torch(name):
    x = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    whole = getattr(x, name)(dim=(0, 1))
    assert_close(getattr(x, name)(dim=()), whole.numpy())
    assert getattr(x, name)(dim=(), keepdim=True).shape == (1, 1)


def test_any_and_all_over_an_empty_dim_tuple_reduce_nothing_as_in_torch():
    x = nanotorch.tensor([[True, False], [True, True]])
    assert x.any(dim=()).tolist() == x.tolist() and x.all(dim=()).tolist() == x.tolist()


def test_all_any_count_nonzero():
    x = nanotorch.tensor([[True, False], [True, True]])
    assert x.all().item() is False and x.any().item() is True
    assert x.all(1).tolist() == [False, True]
    assert nanotorch.tensor([[0, 1], [2, 3]]).count_nonzero().item() == 3


# --- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [lambda t: t.sum(2), lambda t: t.mean(-3), lambda t: t.max(2),
                                  lambda t: t.softmax(5), lambda t: t.argmax(2),
                                  lambda t: t.cumsum(-3), lambda t: t.amax((0, 2)),
                                  lambda t: t.logsumexp(3)])
def test_dim_out_of_range_raises_index_error_naming_the_range(call):
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got -?\d\)"):
        call(nanotorch.ones(2, 3))


def test_repeated_dim_raises():
    with pytest.raises(RuntimeError, match="appears multiple times"):
        nanotorch.ones(2, 3).sum((1, -1))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "amin", "logsumexp", "cumsum",
                                  "nansum", "count_nonzero"])
@pytest.mark.parametrize("dim", [0, -1])
def test_reductions_of_a_0d_tensor_along_dim_0_return_it(name, dim):
    # torch accepts dim 0 and -1 on a 0-d tensor and has nothing to reduce
    x = nanotorch.tensor(3.0)
    out = getattr(x, name)(dim)
    assert out.shape == ()
    assert out.item() == (1 if name == "count_nonzero" else 3.0)


def test_std_of_constant_input_has_zero_gradient_like_torch():
    x = nanotorch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    x.std().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    y = nanotorch.tensor([1.0, 2.0, 4.0], dtype=nanotorch.float64, requires_grad=True)
    assert nanotorch.autograd.gradgradcheck(lambda t: t.std(), (y,))


def test_long_float32_sums_are_accurate_over_any_axis(cpu_backend):
    """numpy adds term after term over a non-last axis (1% off for 10**6 float32 terms);
    such long sums accumulate in float64, as accurate as torch's cascade."""
    assert nanotorch.full((1, 10 ** 6, 2), 0.1).sum(1).tolist() == [[100000.0, 100000.0]]
    assert nanotorch.full((10 ** 6, 2), 0.1).sum(0).tolist() == [100000.0, 100000.0]
    assert nanotorch.full((10 ** 6, 2), 0.1).mean(0)[0].item() == pytest.approx(0.1, rel=1e-7)
    assert nanotorch.full((10 ** 5,), 0.1).cumsum(0)[-1].item() == pytest.approx(1e4, rel=1e-7)
