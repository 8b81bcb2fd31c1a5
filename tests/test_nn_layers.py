"""Layers against their formulas and against nn.functional; the fused ops against gradcheck."""
import math

import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch import nn
from nanotorch.ops.nn import Erf, Linear as LinearOp

from helpers import assert_close, check_grads, leaf, uniform


def x64(shape, seed=0, lo=-2.0, hi=2.0):
    return leaf(uniform(shape, lo, hi, seed))


# --- Linear ---------------------------------------------------------------------------
def test_linear_matches_formula_and_functional():
    layer = nn.Linear(3, 4).double()
    x = x64((5, 3))
    expected = x.detach().numpy() @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    assert_close(layer(x), expected)
    assert_close(F.linear(x, layer.weight, layer.bias), expected)
    no_bias = nn.Linear(3, 4, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ["weight"]
    assert layer(x64((2, 6, 3))).shape == (2, 6, 4)
    assert layer(x64((3,))).shape == (4,)


def test_linear_default_init_bounds():
    nanotorch.manual_seed(0)
    layer = nn.Linear(25, 400)
    bound = 1 / math.sqrt(25)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound) has std bound / sqrt(3); 10,000 draws pin it to ~1%.
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert layer.weight.dtype == nanotorch.float32
    assert nn.Linear(2, 2, dtype=nanotorch.float64).weight.dtype == nanotorch.float64


def test_linear_errors_like_torch():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(6x4 and 5x6\)"):
        F.linear(nanotorch.zeros(2, 3, 4), nanotorch.zeros(6, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(nanotorch.zeros(2, 3), nanotorch.zeros(4, 3, dtype=nanotorch.float64))
    # the same with a bias, which takes the layer's inlined path when everything fits
    with pytest.raises(RuntimeError, match=r"shapes cannot be multiplied \(2x3 and 4x6\)"):
        F.linear(nanotorch.zeros(2, 3), nanotorch.zeros(6, 4), nanotorch.zeros(6))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(nanotorch.zeros(2, 3), nanotorch.zeros(4, 3, dtype=nanotorch.float64),
                 nanotorch.zeros(4, dtype=nanotorch.float64))
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(4\) must match the existing "
                                           r"size \(5\) at non-singleton dimension 1"):
        F.linear(nanotorch.zeros(2, 3), nanotorch.zeros(4, 3), nanotorch.zeros(5))
    assert F.linear(nanotorch.ones(2, 3), nanotorch.ones(4, 3), nanotorch.ones(1)).tolist() == [[4.0] * 4] * 2


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3), (3,)])
def test_linear_op_gradcheck(x_shape):
    w, b = x64((2, 3), 1), x64((2,), 2)
    check_grads(lambda x, w, b: LinearOp.apply(x, w, b), x64(x_shape), w, b, second=True)
    check_grads(lambda x, w: LinearOp.apply(x, w, None), x64(x_shape), w)


# --- activations ----------------------------------------------------------------------
def _np(t):
    return t.detach().numpy()


def test_activations_match_formulas():
    x = x64((4, 5))
    a = _np(x)
    cases = [
        (nn.ReLU(), F.relu, np.maximum(a, 0)),
        (nn.LeakyReLU(0.2), lambda t: F.leaky_relu(t, 0.2), np.where(a > 0, a, 0.2 * a)),
        (nn.Sigmoid(), F.sigmoid, 1 / (1 + np.exp(-a))),
        (nn.Tanh(), F.tanh, np.tanh(a)),
        (nn.Softmax(dim=1), lambda t: F.softmax(t, 1),
         np.exp(a) / np.exp(a).sum(1, keepdims=True)),
        (nn.LogSoftmax(dim=0), lambda t: F.log_softmax(t, 0),
         a - np.log(np.exp(a).sum(0, keepdims=True))),
    ]
    for module, fn, expected in cases:
        assert_close(module(x), expected)
        assert_close(fn(x), expected)


def test_gelu_exact_and_tanh():
    x = x64((50,), lo=-6, hi=6)
    a = _np(x)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in a])
    assert_close(nn.GELU()(x), exact, rtol=1e-12, atol=1e-14)
    tanh = 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
    assert_close(nn.GELU("tanh")(x), tanh)
    assert_close(F.gelu(x, approximate="tanh"), tanh)
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(x, approximate="fast")
    check_grads(F.gelu, x64((3, 4)), second=True)
    check_grads(lambda t: F.gelu(t, approximate="tanh"), x64((3, 4)))


def test_erf_matches_math_erf_everywhere():
    values = np.concatenate([np.linspace(-7, 7, 20001), [0.0, 1e-300, -1e-8, 1.9999999, 2.0,
                                                         5.99, 6.0, 30.0]])
    got = Erf.apply(nanotorch.tensor(values)).numpy()
    expected = np.array([math.erf(v) for v in values])
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)
    got32 = Erf.apply(nanotorch.tensor(values, dtype=nanotorch.float32))
    assert got32.dtype == nanotorch.float32
    np.testing.assert_allclose(got32.numpy(), expected.astype(np.float32), rtol=1e-6, atol=1e-7)
    check_grads(Erf.apply, x64((3, 4), lo=-3, hi=3), second=True)


def test_leaky_relu_gradient_at_zero_is_the_slope():
    x = nanotorch.tensor([0.0, -1.0, 2.0], requires_grad=True)
    F.leaky_relu(x, 0.1).sum().backward()
    assert x.grad.tolist() == pytest.approx([0.1, 0.1, 1.0])


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(nanotorch.zeros(2, 4))
    assert_close(out, np.full((2, 4), 0.25))


def test_inplace_relu():
    x = nanotorch.tensor([-1.0, 1.0])
    assert nn.ReLU(inplace=True)(x) is x and x.tolist() == [0.0, 1.0]
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"


# --- dropout, flatten, identity -----------------------------------------------------------
def test_dropout_training_and_eval():
    nanotorch.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = nanotorch.ones(200, 100)
    y = _np(drop(x))
    kept = y != 0
    assert np.allclose(y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01
    assert drop.eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert not nn.Dropout(1.0)(x).any()
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_dropout_gradient_is_the_mask():
    nanotorch.manual_seed(1)
    x = nanotorch.ones(50, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), y.detach().numpy())


def test_flatten_unflatten_identity():
    x = nanotorch.zeros(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Unflatten(-1, (-1, 5))(nanotorch.zeros(2, 10)).shape == (2, 2, 5)
    assert nn.Identity(3, key=1)(x) is x
    with pytest.raises(TypeError):
        nn.Unflatten(1, 6)


# --- containers ----------------------------------------------------------------------------
def test_sequential_indexing_slicing_and_growth():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c
    assert list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    x = nanotorch.ones(4, 2)
    assert seq(x).equal(c(b(a(x))))
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
    del seq[1]
    assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Sigmoid"]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    seq.insert(1, nn.Tanh())
    assert isinstance(seq[1], nn.Tanh)
    with pytest.raises(IndexError):
        seq[10]
    import collections
    named = nn.Sequential(collections.OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    assert isinstance(named.fc, nn.Linear)


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    assert [type(m).__name__ for m in layers] == ["Linear"] * 3 + ["ReLU", "Tanh"]
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])) == (
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)")
    with pytest.raises(TypeError):
        layers.extend(nn.ReLU())
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    heads["b"] = nn.Linear(2, 3)
    assert list(heads) == ["a", "b"] and "b" in heads and len(heads) == 2
    assert [n for n, _ in heads.named_parameters()] == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert isinstance(heads.pop("a"), nn.Linear) and list(heads.keys()) == ["b"]


def test_leaky_relu_in_place_backpropagates_and_refuses_integers():
    """Its derivative is fixed at the forward, so overwriting the input in place is fine."""
    x = nanotorch.tensor([-1.0, 2.0, float("nan"), -0.0], requires_grad=True)
    y = nn.LeakyReLU(0.1, inplace=True)(x * 1)
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([0.1, 1.0, 0.1, 0.1])
    with pytest.raises(NotImplementedError, match='"leaky_relu_cpu" not implemented for \'Long\''):
        F.leaky_relu(nanotorch.tensor([1, 2]))


def test_linear_with_a_vector_of_weights_is_a_dot_product_per_row():
    x = nanotorch.ones(2, 3, requires_grad=True)
    w = nanotorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = F.linear(x, w)
    assert y.shape == (2,)
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0]] * 2 and w.grad.tolist() == [2.0, 2.0, 2.0]


# --- activations added in the sixth session; values and gradients from torch 2.13 -----------
_POINTS = [-30.0, -2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 25.0]
_TORCH_ACTIVATIONS = {
    "silu": (F.silu, [-0.0, -0.238405844, -0.1887703344, 0.0, 0.3112296656, 0.7310585786,
                      1.761594156, 24.9999999997],
             [-0.0, -0.0907842488, 0.2600388127, 0.5, 0.7399611873, 0.9276705119, 1.0907842488,
              1.0000000003]),
    "elu": (lambda x: F.elu(x, 0.7), [-0.7, -0.6052653017, -0.2754285382, 0.0, 0.5, 1.0, 2.0,
                                      25.0],
            [0.0, 0.0947346983, 0.4245714618, 0.7, 1.0, 1.0, 1.0, 1.0]),
    "softplus": (lambda x: F.softplus(x, 2, 10), [0.0, 0.009074964, 0.1566308438, 0.3465735903,
                                                  0.6566308438, 1.0634640055, 2.009074964, 25.0],
                 [0.0, 0.01798621, 0.2689414214, 0.5, 0.7310585786, 0.880797078, 0.98201379,
                  1.0]),
    "hardtanh": (F.hardtanh, [-1.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.0, 1.0],
                 [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]),
    "relu6": (F.relu6, [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.0, 6.0],
              [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0]),
    "logsigmoid": (F.logsigmoid, [-30.0, -2.126928011, -0.9740769842, -0.6931471806,
                                  -0.4740769842, -0.3132616875, -0.126928011, -0.0],
                   [1.0, 0.880797078, 0.6224593312, 0.5, 0.3775406688, 0.2689414214,
                    0.119202922, 0.0]),
    "mish": (F.mish, [-0.0, -0.2525014827, -0.2207437747, 0.0, 0.3752452113, 0.8650983883,
                      1.9439589595, 25.0],
             [-0.0, -0.1083550924, 0.2895106779, 0.6, 0.8864243754, 1.0490362201, 1.0693179343,
              1.0]),
}


@pytest.mark.parametrize("name", sorted(_TORCH_ACTIVATIONS))
def test_activations_match_torch_values_and_gradients(name):
    fn, values, grads = _TORCH_ACTIVATIONS[name]
    x = leaf(_POINTS)
    y = fn(x)
    y.sum().backward()
    assert y.tolist() == pytest.approx(values, abs=1e-9)
    assert x.grad.tolist() == pytest.approx(grads, abs=1e-9)
    away = leaf(uniform((3, 4), seed=3) * 3 + 0.05)  # off the kinks at 0 and the bounds
    check_grads(fn, away, second=name not in ("hardtanh", "relu6"))


@pytest.mark.parametrize("module,text", [
    (nn.SiLU(), "SiLU()"), (nn.SiLU(True), "SiLU(inplace=True)"), (nn.ELU(), "ELU(alpha=1.0)"),
    (nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)"),
    (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (nn.Hardtanh(-2, 3, True), "Hardtanh(min_val=-2, max_val=3, inplace=True)"),
    (nn.ReLU6(), "ReLU6()"), (nn.LogSigmoid(), "LogSigmoid()"), (nn.Mish(), "Mish()"),
])
def test_activation_modules_print_as_torchs(module, text):
    assert repr(module) == text


@pytest.mark.parametrize("module", [nn.SiLU(True), nn.ELU(inplace=True), nn.Hardtanh(inplace=True),
                                    nn.ReLU6(True), nn.Mish(True)])
def test_in_place_activations_overwrite_their_input_and_backpropagate(module):
    x = leaf([-1.5, 0.5, 2.5])
    h = x * 1
    out = module(h)
    assert out is h
    out.sum().backward()
    reference = leaf([-1.5, 0.5, 2.5])
    type(module)()(reference).sum().backward()
    assert_close(x.grad, reference.grad.numpy())


# --- F.pad, added in the sixth session; values from torch 2.13 ------------------------------
@pytest.mark.parametrize("pad,kwargs,expected", [
    ((1, 2), {}, [[[0, 0, 1, 2, 0, 0], [0, 3, 4, 5, 0, 0]]]),
    ((1, 1, 1, 0), {"value": 9}, [[[9, 9, 9, 9, 9], [9, 0, 1, 2, 9], [9, 3, 4, 5, 9]]]),
    ((-1, 1), {}, [[[1, 2, 0], [4, 5, 0]]]),
    ((2, 1), {"mode": "reflect"}, [[[2, 1, 0, 1, 2, 1], [5, 4, 3, 4, 5, 4]]]),
    ((2, 1), {"mode": "replicate"}, [[[0, 0, 0, 1, 2, 2], [3, 3, 3, 4, 5, 5]]]),
    ((2, 1), {"mode": "circular"}, [[[1, 2, 0, 1, 2, 0], [4, 5, 3, 4, 5, 3]]]),
], ids=["constant", "constant_two_dims", "crop", "reflect", "replicate", "circular"])
def test_pad_matches_torch(pad, kwargs, expected):
    x = nanotorch.arange(6.0).reshape(1, 2, 3)
    assert F.pad(x, pad, **kwargs).tolist() == expected
    check_grads(lambda t: F.pad(t, pad, **kwargs), leaf(uniform((1, 2, 3), seed=4)))


@pytest.mark.parametrize("pad,kwargs,error,message", [
    ((1,), {}, RuntimeError, "Padding length must be divisible by 2"),
    ((3, 3), {"mode": "reflect"}, RuntimeError, r"Padding size should be less than the "
                                                r"corresponding input dimension"),
    ((1, 1), {"mode": "bogus"}, NotImplementedError, "Unrecognised padding mode bogus"),
    ((1,) * 8, {}, RuntimeError, "Padding length should be less than or equal to two times"),
])
def test_pad_refuses_what_torch_refuses(pad, kwargs, error, message):
    with pytest.raises(error, match=message):
        F.pad(nanotorch.arange(6.0).reshape(1, 2, 3), pad, **kwargs)
