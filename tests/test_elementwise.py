"""Elementwise ops (the lecture's map and zip): forward against numpy, gradients against
finite differences (float64, broadcast shapes), second derivatives, dtypes and errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nanotorch
from helpers import (assert_close, away_from, broadcastable, check_grads, leaf, small_shapes,
                     uniform)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (nanotorch function, numpy reference, input sampler (shape, seed) -> float64 array)
def _range(lo, hi):
    return lambda shape, seed: uniform(shape, lo, hi, seed)


def _off(points, lo=-2.0, hi=2.0, gap=0.2):
    return lambda shape, seed: away_from(uniform(shape, lo, hi, seed), points, gap)


UNARY = {
    "neg": (lambda x: -x, np.negative, _range(-2, 2)),
    "abs": (nanotorch.abs, np.abs, _off([0.0])),
    "exp": (nanotorch.exp, np.exp, _range(-2, 2)),
    "log": (nanotorch.log, np.log, _range(0.3, 3)),
    "log1p": (nanotorch.log1p, np.log1p, _range(-0.5, 2)),
    "expm1": (nanotorch.expm1, np.expm1, _range(-2, 2)),
    "sqrt": (nanotorch.sqrt, np.sqrt, _range(0.3, 3)),
    "rsqrt": (nanotorch.rsqrt, lambda x: 1 / np.sqrt(x), _range(0.3, 3)),
    "sin": (nanotorch.sin, np.sin, _range(-3, 3)),
    "cos": (nanotorch.cos, np.cos, _range(-3, 3)),
    "tanh": (nanotorch.tanh, np.tanh, _range(-2, 2)),
    "sigmoid": (nanotorch.sigmoid, _sigmoid, _range(-3, 3)),
    "relu": (nanotorch.relu, lambda x: np.maximum(x, 0), _off([0.0])),
    "reciprocal": (nanotorch.reciprocal, lambda x: 1 / x, _off([0.0], gap=0.5)),
    "square": (nanotorch.square, np.square, _range(-2, 2)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_forward_grad_and_gradgrad(name):
    fn, ref, sample = UNARY[name]
    x = sample((2, 3), 1)
    assert_close(fn(leaf(x)), ref(x))
    check_grads(fn, leaf(x), second=True)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_methods_match_functions(name):
    fn, _, sample = UNARY[name]
    t = leaf(sample((4,), 2), requires_grad=False)
    method = {"neg": "__neg__"}.get(name, name)
    assert nanotorch.equal(getattr(t, method)(), fn(t))


@settings(max_examples=10)
@given(shape=small_shapes(0, 3), seed=st.integers(0, 2 ** 16))
def test_unary_on_any_shape(shape, seed):
    for name in ("exp", "sigmoid", "log", "reciprocal"):
        fn, ref, sample = UNARY[name]
        x = sample(shape, seed)
        out = fn(leaf(x))
        assert out.shape == nanotorch.Size(shape)
        assert_close(out, ref(x))
        check_grads(fn, leaf(x))


def test_unary_ops_on_float32_stay_float32_and_on_int_become_float32():
    x = nanotorch.tensor([1.0, 2.0])
    i = nanotorch.tensor([1, 2])
    for name in ("exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "reciprocal",
                 "log1p", "expm1"):
        assert getattr(x, name)().dtype == nanotorch.float32, name
        assert getattr(i, name)().dtype == nanotorch.float32, name
    # ops that are exact on integers keep the integer dtype, like torch
    for name in ("abs", "neg", "relu", "sign", "floor", "ceil", "round"):
        assert getattr(i, name)().dtype == nanotorch.int64, name


def test_neg_of_bool_raises_like_torch():
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -nanotorch.tensor([True, False])


def test_relu_passes_the_gradient_through_nan_like_torch():
    # torch's threshold_backward zeroes where the input is <= 0; NaN is not, so its gradient
    # passes (every backend's relu_back_zip is held to this in test_backends.py)
    x = nanotorch.tensor([float("nan"), 1.0, -1.0, 0.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 0.0]


# --- zip: two inputs, broadcasting -------------------------------------------------------
BINARY = {
    "add": (lambda a, b: a + b, np.add, (-2, 2), (-2, 2)),
    "sub": (lambda a, b: a - b, np.subtract, (-2, 2), (-2, 2)),
    "mul": (lambda a, b: a * b, np.multiply, (-2, 2), (-2, 2)),
    "div": (lambda a, b: a / b, np.divide, (-2, 2), (0.5, 2)),
    "pow": (lambda a, b: a ** b, np.power, (0.5, 2), (-2, 2)),
    "atan2": (nanotorch.atan2, np.arctan2, (-2, 2), (0.5, 2)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=broadcastable(2), seed=st.integers(0, 2 ** 16))
def test_binary_broadcast_forward_and_grad(name, shapes, seed):
    fn, ref, (alo, ahi), (blo, bhi) = BINARY[name]
    (sa, sb), out_shape = shapes
    a, b = uniform(sa, alo, ahi, seed), uniform(sb, blo, bhi, seed + 1)
    out = fn(leaf(a), leaf(b))
    assert out.shape == nanotorch.Size(out_shape)
    assert_close(out, ref(a, b))
    check_grads(fn, leaf(a), leaf(b))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradgrad_with_broadcasting(name):
    fn, _, (alo, ahi), (blo, bhi) = BINARY[name]
    a, b = uniform((2, 1), alo, ahi, 3), uniform((3,), blo, bhi, 4)
    check_grads(fn, leaf(a), leaf(b), second=True)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_binary_with_python_scalar_on_either_side(name):
    fn, ref, (alo, ahi), (blo, bhi) = BINARY[name]
    a = uniform((2, 3), alo, ahi, 5)
    b = uniform((2, 3), blo, bhi, 6)
    scalar_b, scalar_a = 1.5, 1.25
    assert_close(fn(leaf(a), scalar_b), ref(a, scalar_b))
    assert_close(fn(scalar_a, leaf(b)), ref(scalar_a, b))
    check_grads(lambda t: fn(t, scalar_b), leaf(a), second=True)
    check_grads(lambda t: fn(scalar_a, t), leaf(b), second=True)


def test_pow_with_integer_exponent_of_negative_base():
    x = uniform((5,), -2, 2, 7)
    check_grads(lambda t: t ** 3, leaf(x), second=True)
    check_grads(lambda t: t ** 2, leaf(x), second=True)
    check_grads(lambda t: nanotorch.pow(t, 0), leaf(x))
    assert_close(nanotorch.pow(leaf(x), 0), np.ones(5))


def test_pow_gradient_of_exponent_at_zero_base_is_zero_like_torch():
    base = nanotorch.tensor([0.0, 2.0], dtype=nanotorch.float64)
    e = nanotorch.tensor([2.0, 3.0], dtype=nanotorch.float64, requires_grad=True)
    (base ** e).sum().backward()
    assert_close(e.grad, [0.0, 8.0 * np.log(2.0)])


def test_int_tensor_to_negative_int_power_raises():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        nanotorch.tensor([2, 3]) ** -1


def test_pow_functional_with_number_base():
    out = nanotorch.pow(2, nanotorch.tensor([1.0, 3.0]))
    assert out.tolist() == [2.0, 8.0]


@given(shapes=broadcastable(2), seed=st.integers(0, 2 ** 16))
def test_maximum_minimum_broadcast(shapes, seed):
    (sa, sb), _ = shapes
    # a in [-2, -0.5] or [0.5, 2] and b in (-0.4, 0.4): never tied, never close
    a = away_from(uniform(sa, -2, 2, seed), [0.0], 0.5)
    b = uniform(sb, -0.4, 0.4, seed + 1)
    assert_close(nanotorch.maximum(leaf(a), leaf(b)), np.maximum(a, b))
    assert_close(nanotorch.minimum(leaf(a), leaf(b)), np.minimum(a, b))
    check_grads(nanotorch.maximum, leaf(a), leaf(b))
    check_grads(nanotorch.minimum, leaf(a), leaf(b))


def test_maximum_minimum_gradgrad():
    a = away_from(uniform((2, 3), -2, 2, 8), [0.0], 0.5)
    b = uniform((3,), -0.4, 0.4, 9)
    check_grads(nanotorch.maximum, leaf(a), leaf(b), second=True)
    check_grads(nanotorch.minimum, leaf(a), leaf(b), second=True)


def test_maximum_ties_split_the_gradient_like_torch():
    a = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    b = nanotorch.tensor([1.0, 3.0], requires_grad=True)
    nanotorch.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 0.0]
    assert b.grad.tolist() == [0.5, 1.0]


def test_max_and_min_with_other_are_elementwise():
    a, b = nanotorch.tensor([1.0, 5.0]), nanotorch.tensor([3.0, 2.0])
    assert a.max(b).tolist() == [3.0, 5.0]
    assert nanotorch.min(a, b).tolist() == [1.0, 2.0]


def test_floor_divide_matches_numpy_and_has_zero_grad():
    a = np.array([[-7.0, 7.0, 5.5], [-1.5, 3.0, 0.25]])
    b = np.array([2.0, -2.0, 1.5])
    out = leaf(a) // leaf(b)
    assert_close(out, np.floor_divide(a, b))
    ta, tb = leaf(a), leaf(b)
    (ta // tb).sum().backward()
    assert_close(ta.grad, np.zeros_like(a))
    assert_close(tb.grad, np.zeros_like(b))
    ints = nanotorch.tensor([-7, 7]) // 2
    assert ints.tolist() == [-4, 3] and ints.dtype == nanotorch.int64
    assert (7 // nanotorch.tensor([2, -2])).tolist() == [3, -4]


def test_remainder_and_fmod():
    a = np.array([-7.0, 7.0, 5.5])
    b = np.array([2.0, -2.0, 1.5])
    assert_close(leaf(a) % leaf(b), np.remainder(a, b))
    assert_close(nanotorch.fmod(leaf(a), leaf(b)), np.fmod(a, b))
    a2, b2 = uniform((2, 3), 0.1, 0.9, 1), uniform((3,), 2.1, 3.0, 2)
    check_grads(lambda x, y: x % y, leaf(a2), leaf(b2))


# --- clamp / clip ---------------------------------------------------------------------------
def test_clamp_with_number_bounds():
    x = away_from(uniform((3, 4), -2, 2, 10), [-0.5, 0.5])
    assert_close(leaf(x).clamp(-0.5, 0.5), np.clip(x, -0.5, 0.5))
    assert_close(leaf(x).clamp(min=-0.5), np.maximum(x, -0.5))
    assert_close(leaf(x).clamp(max=0.5), np.minimum(x, 0.5))
    assert_close(nanotorch.clip(leaf(x), -0.5, 0.5), np.clip(x, -0.5, 0.5))
    check_grads(lambda t: t.clamp(-0.5, 0.5), leaf(x), second=True)
    check_grads(lambda t: t.clip(min=-0.5), leaf(x))
    check_grads(lambda t: nanotorch.clamp(t, max=0.5), leaf(x))


def test_clamp_with_tensor_bounds_broadcasts_and_gives_bound_gradients():
    lo = np.array([-1.0, -0.5, 0.0])
    hi = np.array([[0.5], [1.0]])
    # x far from both bounds so finite differences never cross a kink
    x = np.array([[-1.6, 0.3, 1.4], [-0.2, -1.2, 0.6]])
    check_grads(lambda t, l, h: t.clamp(l, h), leaf(x), leaf(lo), leaf(hi), second=True)
    assert_close(leaf(x).clamp(leaf(lo), leaf(hi)), np.minimum(np.maximum(x, lo), hi))
    t, l = leaf(x), leaf(lo)
    t.clamp(min=l).sum().backward()
    assert_close(l.grad, (x < lo).sum(0).astype(float))


def test_clamp_needs_a_bound():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        nanotorch.ones(2).clamp()


def test_clamp_dtypes_follow_torch():
    i = nanotorch.tensor([-1, 2])
    assert i.clamp(0).dtype == nanotorch.int64
    assert i.clamp(0.5).dtype == nanotorch.float32
    assert nanotorch.tensor([1.0], dtype=nanotorch.float64).clamp(0).dtype == nanotorch.float64


# --- where -----------------------------------------------------------------------------------
@given(shapes=broadcastable(3), seed=st.integers(0, 2 ** 16))
def test_where_broadcasts_all_three(shapes, seed):
    (sc, sa, sb), out_shape = shapes
    cond = np.random.default_rng(seed).random(sc) < 0.5
    a, b = uniform(sa, seed=seed + 1), uniform(sb, seed=seed + 2)
    c = nanotorch.tensor(cond)
    out = nanotorch.where(c, leaf(a), leaf(b))
    assert out.shape == nanotorch.Size(out_shape)
    assert_close(out, np.where(cond, a, b))
    check_grads(lambda x, y: nanotorch.where(c, x, y), leaf(a), leaf(b), second=True)


def test_where_with_scalars_and_method_form():
    x = nanotorch.tensor([-1.0, 2.0], requires_grad=True)
    out = nanotorch.where(x > 0, x, 0.0)
    assert out.tolist() == [0.0, 2.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]
    assert x.detach().where(x > 0, 5.0).tolist() == [5.0, 2.0]
    assert nanotorch.where(nanotorch.tensor([True, False]), 1.0, 2.0).tolist() == [1.0, 2.0]


def test_where_needs_a_bool_condition():
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        nanotorch.where(nanotorch.tensor([1, 0]), nanotorch.ones(2), nanotorch.zeros(2))


def test_where_with_only_condition_gives_nonzero_indices():
    (idx,) = nanotorch.where(nanotorch.tensor([0.0, 3.0, 0.0, 1.0]) != 0)
    assert idx.tolist() == [1, 3]


# --- comparisons and logic: bool results outside the graph -----------------------------------
COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}
OPERATOR = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__",
            "ge": "__ge__"}


@pytest.mark.parametrize("name", sorted(COMPARE))
@settings(max_examples=10)
@given(shapes=broadcastable(2), seed=st.integers(0, 2 ** 16))
def test_comparisons_broadcast_to_bool_without_grad(name, shapes, seed):
    (sa, sb), out_shape = shapes
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 3, sa).astype(float), rng.integers(0, 3, sb).astype(float)
    ta = leaf(a)
    for out in (getattr(nanotorch, name)(ta, leaf(b)), getattr(ta, OPERATOR[name])(leaf(b))):
        assert out.dtype == nanotorch.bool
        assert out.shape == nanotorch.Size(out_shape)
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.numpy(), COMPARE[name](a, b))
    np.testing.assert_array_equal(getattr(ta, OPERATOR[name])(1.0).numpy(), COMPARE[name](a, 1.0))


def test_reflected_comparison_with_number():
    t = nanotorch.tensor([1, 2, 3])
    assert (2 < t).tolist() == [False, False, True]
    assert (2 == t).tolist() == [False, True, False]


def test_logical_ops():
    a = np.array([[True, False, True, False]])
    b = np.array([[True], [False]])
    ta, tb = nanotorch.tensor(a), nanotorch.tensor(b)
    for name, ref in (("logical_and", np.logical_and), ("logical_or", np.logical_or),
                      ("logical_xor", np.logical_xor)):
        out = getattr(nanotorch, name)(ta, tb)
        assert out.dtype == nanotorch.bool
        np.testing.assert_array_equal(out.numpy(), ref(a, b))
    np.testing.assert_array_equal((ta & tb).numpy(), a & b)
    np.testing.assert_array_equal((ta | tb).numpy(), a | b)
    np.testing.assert_array_equal((ta ^ tb).numpy(), a ^ b)
    np.testing.assert_array_equal((~ta).numpy(), ~a)
    np.testing.assert_array_equal(nanotorch.logical_not(ta).numpy(), ~a)
    # logical ops on numbers test truthiness and still return bool
    x = nanotorch.tensor([0.0, 2.0])
    assert nanotorch.logical_and(x, nanotorch.tensor([1, 1])).tolist() == [False, True]
    assert (~nanotorch.tensor([0, 5])).tolist() == [-1, -6]


def test_isnan_isinf_isfinite_isclose():
    x = nanotorch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    assert x.isnan().tolist() == [False, True, False, False]
    assert x.isinf().tolist() == [False, False, True, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert nanotorch.isclose(nanotorch.tensor([1.0, 2.0]), nanotorch.tensor([1.0 + 1e-9, 2.1])).tolist() \
        == [True, False]


# --- piecewise-constant maps: zero gradient ---------------------------------------------------
@pytest.mark.parametrize("name,ref", [("sign", np.sign), ("floor", np.floor), ("ceil", np.ceil),
                                      ("round", np.round), ("trunc", np.trunc)])
def test_piecewise_constant_maps_have_zero_grad(name, ref):
    x = np.array([[-2.5, -1.5, -0.4, 0.0], [0.5, 1.5, 2.5, 3.7]])
    t = leaf(x)
    out = getattr(t, name)()
    assert_close(out, ref(x))
    assert out.requires_grad
    out.sum().backward()
    assert_close(t.grad, np.zeros_like(x))


def test_round_halves_to_even_and_takes_decimals():
    assert nanotorch.tensor([-0.5, 0.5, 1.5, 2.5]).round().tolist() == [-0.0, 0.0, 2.0, 2.0]
    out = nanotorch.tensor([1.2345, -2.5678], dtype=nanotorch.float64).round(decimals=2)
    assert out.tolist() == [1.23, -2.57]


# --- errors -----------------------------------------------------------------------------------
def test_broadcast_mismatch_raises_runtime_error_naming_sizes():
    a, b = nanotorch.ones(2, 3), nanotorch.ones(4)
    msg = r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"
    for op in (lambda: a + b, lambda: a * b, lambda: a - b, lambda: a / b, lambda: a ** b,
               lambda: nanotorch.maximum(a, b), lambda: a == b, lambda: a.clamp(b)):
        with pytest.raises(RuntimeError, match=msg):
            op()


@pytest.mark.parametrize("call", [
    lambda t, z: t // z, lambda t, z: t % z, lambda t, z: nanotorch.fmod(t, z),
    lambda t, z: t.div(z, rounding_mode="floor"), lambda t, z: t.div(z, rounding_mode="trunc"),
], ids=["floordiv", "remainder", "fmod", "div_floor", "div_trunc"])
@pytest.mark.parametrize("zero", ["int", "tensor"])
def test_integer_division_by_zero_raises_as_in_torch(call, zero):
    t = nanotorch.tensor([5, -3])
    z = 0 if zero == "int" else nanotorch.tensor([1, 0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(t, z)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        5 // nanotorch.tensor([1, 0])  # a Python int first


def test_float_division_by_zero_is_inf_and_nan_silently():
    assert (nanotorch.tensor([5.0]) // 0).tolist() == [float("inf")]
    assert np.isnan((nanotorch.tensor([5.0]) % nanotorch.tensor([0.0])).item())


def test_trunc_division_of_integers_is_exact_and_keeps_torchs_dtype():
    big = nanotorch.tensor([16777217, -16777217])  # not a float32: a float detour rounds it
    assert big.div(1, rounding_mode="trunc").tolist() == [16777217, -16777217]
    assert nanotorch.tensor([7, -7]).div(2, rounding_mode="trunc").tolist() == [3, -3]
    halves = nanotorch.tensor([7, -7]).div(2.0, rounding_mode="trunc")
    assert halves.dtype == nanotorch.float32 and halves.tolist() == [3.0, -3.0]
    small = nanotorch.tensor([-7, 7], dtype=nanotorch.int32).div(2, rounding_mode="trunc")
    assert small.dtype == nanotorch.int32 and small.tolist() == [-3, 3]


def test_sign_of_nan_is_zero_and_so_is_abs_gradient_there():
    """torch's sign gives 0 for NaN (numpy's keeps it), so abs and l1_loss send it no gradient."""
    nan = float("nan")
    assert nanotorch.tensor([nan, -0.0, -2.0, 3.0]).sign().tolist() == [0.0, 0.0, -1.0, 1.0]
    x = leaf([nan, -2.0])
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, -1.0]


def test_alpha_scales_in_the_result_dtype_as_torch():
    wide = nanotorch.tensor([0.0], dtype=nanotorch.float64)
    assert wide.add(nanotorch.tensor([2 ** 62]), alpha=2).item() == 2.0 ** 63  # no int64 wrap
    assert wide.sub(nanotorch.tensor([3e38]), alpha=2).item() == pytest.approx(-6e38)  # no f32 inf
    with pytest.raises(RuntimeError, match="integral input tensors, argument alpha must not be"):
        nanotorch.tensor([1]).add(nanotorch.tensor([2]), alpha=0.5)
    assert nanotorch.tensor([1]).sub(2, alpha=3).tolist() == [-5]


@pytest.mark.parametrize("call,message", [
    (lambda b, f: b - 1, "with a bool tensor is not supported"),
    (lambda b, f: 1.0 - b, "with a bool tensor is not supported"),
    (lambda b, f: f - True, "with a bool tensor is not supported"),
    (lambda b, f: b - b, "with two bool tensors is not supported"),
    (lambda b, f: b.sub_(True), "with two bool tensors is not supported"),
], ids=["bool_minus_int", "float_minus_bool", "python_bool", "two_bools", "in_place"])
def test_subtracting_booleans_raises_torchs_error(call, message):
    with pytest.raises(RuntimeError, match=message):
        call(nanotorch.tensor([True, False]), nanotorch.tensor([1.0, 2.0]))


def test_atan2_takes_tensors_and_names_a_broadcast_failure_as_torch():
    with pytest.raises(TypeError, match=r"atan2\(\): argument 'other' \(position 2\) must be "
                                        r"Tensor, not int"):
        nanotorch.atan2(nanotorch.tensor([1.0]), 1)
    with pytest.raises(RuntimeError, match="The size of tensor a \\(2\\) must match the size of "
                                           "tensor b \\(3\\)"):
        nanotorch.atan2(nanotorch.ones(2, dtype=nanotorch.int64), nanotorch.ones(3))


def test_remainder_and_floor_divide_take_a_number_first():
    assert nanotorch.remainder(5, nanotorch.tensor([3, -3])).tolist() == [2, -1]
    assert nanotorch.floor_divide(7, nanotorch.tensor([2, -2])).tolist() == [3, -4]


def test_division_gradient_does_not_square_the_divisor():
    """d(a/b)/db = -(a/b)/b: b * b underflows to 0 at 1e-200, and the gradient became -inf."""
    a = leaf([1e-200])
    b = leaf([1e-200])
    (a / b).backward()
    assert b.grad.item() == pytest.approx(-1e200)


@pytest.mark.parametrize("call,message", [
    (lambda: nanotorch.tensor([True]).mul_(2), "result type Long can't be cast to the desired "
                                               "output type Bool"),
    (lambda: nanotorch.tensor([1]).add_(0.5), "result type Float can't be cast to the desired "
                                              "output type Long"),
    (lambda: nanotorch.tensor([1]).div_(2), "result type Float can't be cast"),
])
def test_in_place_ops_refuse_a_wider_result_with_torchs_error(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()
    assert nanotorch.tensor([1], dtype=nanotorch.int32).add_(nanotorch.tensor([2])).tolist() == [3]


@pytest.mark.parametrize("name,a_grad,b_grad", [
    ("maximum", [0.0, 1.0, 0.5, 1.0], [1.0, 1.0, 0.5, 1.0]),
    ("minimum", [1.0, 1.0, 0.5, 1.0], [0.0, 1.0, 0.5, 1.0]),
])
def test_maximum_and_minimum_gradients_at_ties_and_nans_follow_torch(name, a_grad, b_grad):
    nan = float("nan")
    a, b = leaf([1.0, nan, 2.0, 3.0]), leaf([2.0, 1.0, 2.0, nan])
    getattr(nanotorch, name)(a, b).sum().backward()
    assert a.grad.tolist() == a_grad and b.grad.tolist() == b_grad


def test_clamp_promotes_as_torch_and_crossed_bounds_send_the_gradient_to_max():
    assert nanotorch.tensor([1, 5]).clamp(min=nanotorch.tensor(0.5)).dtype == nanotorch.float32
    assert nanotorch.tensor([True, False]).clamp(min=0).dtype == nanotorch.int64
    wide = nanotorch.tensor([0.5, 0.5], dtype=nanotorch.float64)
    assert nanotorch.ones(2).clamp(min=wide).dtype == nanotorch.float64
    x, lo, hi = leaf([0.0, 5.0, 2.0]), leaf([3.0, 3.0, 3.0]), leaf([1.0, 4.0, 4.0])
    y = nanotorch.clamp(x, lo, hi)
    y.sum().backward()
    assert y.tolist() == [1.0, 4.0, 3.0]
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert lo.grad.tolist() == [0.0, 0.0, 1.0] and hi.grad.tolist() == [1.0, 1.0, 0.0]


def test_integers_to_negative_tensor_powers_follow_torch():
    """Only a Python int exponent is refused; tensor exponents give 1 / x**|y| truncated."""
    base, exponent = nanotorch.tensor([2, 1, -1, 0, -2, 3]), nanotorch.tensor([-1, -2, -3, -1, -1, 0])
    assert (base ** exponent).tolist() == [0, 1, -1, 0, 0, 1]
    assert (2 ** nanotorch.tensor([-1, 3])).tolist() == [0, 8]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        nanotorch.tensor([2]) ** -1


def test_pow_and_atan2_gradients_at_zero_follow_torch():
    x, y = leaf([0.0, 0.0, 2.0]), leaf([0.0, -1.0, 0.0])
    with np.errstate(divide="ignore"):
        (x ** y).sum().backward()
    assert x.grad.tolist() == [0.0, -np.inf, 0.0]
    assert y.grad.tolist() == pytest.approx([0.0, -np.inf, np.log(2.0)])
    a, b = leaf([0.0]), leaf([0.0])
    nanotorch.atan2(a, b).backward()
    assert a.grad.tolist() == [0.0] and b.grad.tolist() == [0.0]
