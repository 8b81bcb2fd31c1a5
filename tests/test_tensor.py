"""The Tensor itself: factories, dtypes and torch's promotion rules, attributes, repr,
conversions, seeded random numbers and the backend registry."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import nanotorch


# --- factories ---------------------------------------------------------------------------------
def test_tensor_infers_dtypes_like_torch():
    assert nanotorch.tensor([1.0, 2.0]).dtype == nanotorch.float32
    assert nanotorch.tensor([1, 2]).dtype == nanotorch.int64
    assert nanotorch.tensor([1, 2.5]).dtype == nanotorch.float32
    assert nanotorch.tensor([True, 1]).dtype == nanotorch.int64
    assert nanotorch.tensor([True, False]).dtype == nanotorch.bool
    assert nanotorch.tensor([]).dtype == nanotorch.float32
    assert nanotorch.tensor([[]]).shape == nanotorch.Size([1, 0])
    assert nanotorch.tensor(3.5).shape == nanotorch.Size([])
    assert nanotorch.tensor(np.array([1.5])).dtype == nanotorch.float64  # numpy keeps its dtype
    assert nanotorch.tensor(np.float64(1.5)).dtype == nanotorch.float64
    assert nanotorch.tensor([1, 2], dtype=nanotorch.float16).dtype == nanotorch.float16
    assert nanotorch.tensor([[1, 2]], dtype=nanotorch.int32).tolist() == [[1, 2]]


def test_tensor_copies_and_from_numpy_as_tensor_share():
    a = np.zeros(3, dtype=np.float32)
    t, shared, alias = nanotorch.tensor(a), nanotorch.from_numpy(a), nanotorch.as_tensor(a)
    a[0] = 7
    assert t[0].item() == 0.0 and shared[0].item() == 7.0 and alias[0].item() == 7.0
    shared[1] = 3.0
    assert a[1] == 3.0
    assert nanotorch.as_tensor(np.array([1, 2], dtype=np.int32)).dtype == nanotorch.int32
    assert nanotorch.as_tensor([1.0, 2.0], dtype=nanotorch.float64).dtype == nanotorch.float64
    with pytest.raises(TypeError, match="expected np.ndarray"):
        nanotorch.from_numpy([1, 2])


def test_tensor_from_a_ragged_list_raises():
    with pytest.raises((ValueError, TypeError)):
        nanotorch.tensor([[1, 2], [3]])


def test_filled_factories():
    for shape_args in ((2, 3), ((2, 3),), ([2, 3],)):
        assert nanotorch.zeros(*shape_args).shape == nanotorch.Size([2, 3])
        assert nanotorch.ones(*shape_args).tolist() == [[1.0] * 3] * 2
        assert nanotorch.empty(*shape_args).shape == nanotorch.Size([2, 3])
    assert nanotorch.zeros(()).shape == nanotorch.Size([])
    assert nanotorch.zeros(2, dtype=nanotorch.int32).dtype == nanotorch.int32
    assert nanotorch.full((2,), 3).dtype == nanotorch.int64
    assert nanotorch.full((2,), 3.0).dtype == nanotorch.float32
    assert nanotorch.full((2,), True).dtype == nanotorch.bool
    assert nanotorch.full((1, 2), 7.0).tolist() == [[7.0, 7.0]]
    assert nanotorch.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert nanotorch.eye(2).dtype == nanotorch.float32
    t = nanotorch.zeros(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf


def test_ranges():
    assert nanotorch.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert nanotorch.arange(5).dtype == nanotorch.int64
    assert nanotorch.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert nanotorch.arange(1, 2, 0.5).dtype == nanotorch.float32
    assert nanotorch.arange(5.0).dtype == nanotorch.float32
    assert nanotorch.arange(10, 0, -3).tolist() == [10, 7, 4, 1]
    lin = nanotorch.linspace(0, 1, 5)
    assert lin.dtype == nanotorch.float32 and lin.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_like_factories_keep_shape_and_dtype():
    base = nanotorch.ones(2, 3, dtype=nanotorch.int32)
    assert nanotorch.zeros_like(base).dtype == nanotorch.int32
    assert nanotorch.ones_like(base).shape == base.shape
    assert nanotorch.full_like(base, 7).tolist() == [[7] * 3] * 2
    assert nanotorch.empty_like(base).shape == base.shape
    f64 = nanotorch.ones(4, dtype=nanotorch.float64)
    assert nanotorch.rand_like(f64).dtype == nanotorch.float64
    assert nanotorch.randn_like(f64).shape == f64.shape
    assert nanotorch.zeros_like(base, dtype=nanotorch.float32).dtype == nanotorch.float32
    assert base.new_zeros(3).dtype == nanotorch.int32 and base.new_ones((1, 2)).shape == (1, 2)
    assert base.new_full((2,), 5).tolist() == [5, 5]
    assert base.new_tensor([1.5]).dtype == nanotorch.int32


# --- random numbers: reproducible with manual_seed and Generator ---------------------------------
def test_manual_seed_makes_draws_reproducible():
    nanotorch.manual_seed(0)
    a = (nanotorch.rand(3), nanotorch.randn(2, 2), nanotorch.randint(0, 10, (4,)))
    nanotorch.manual_seed(0)
    b = (nanotorch.rand(3), nanotorch.randn(2, 2), nanotorch.randint(0, 10, (4,)))
    for x, y in zip(a, b):
        assert nanotorch.equal(x, y)
    assert not nanotorch.equal(nanotorch.rand(3), a[0])
    nanotorch.manual_seed(1)
    assert not nanotorch.equal(nanotorch.rand(3), a[0])


def test_generators_are_independent_and_reproducible():
    g1 = nanotorch.Generator().manual_seed(42)
    g2 = nanotorch.Generator().manual_seed(42)
    nanotorch.manual_seed(0)
    first = nanotorch.randn(5, generator=g1)
    nanotorch.rand(10)  # the default generator does not disturb g2
    assert nanotorch.equal(first, nanotorch.randn(5, generator=g2))
    assert g1.initial_seed() == 42
    state = g1.get_state()
    x = nanotorch.rand(3, generator=g1)
    g1.set_state(state)
    assert nanotorch.equal(x, nanotorch.rand(3, generator=g1))


def test_seeded_draws_are_identical_in_a_fresh_process():
    code = ("import nanotorch; nanotorch.manual_seed(123); "
            "print(nanotorch.randn(4).tolist(), nanotorch.randint(0, 100, (3,)).tolist())")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and runs[0]


def test_random_distributions_and_dtypes():
    nanotorch.manual_seed(3)
    u = nanotorch.rand(10_000)
    assert u.dtype == nanotorch.float32 and 0.0 <= u.min().item() and u.max().item() < 1.0
    assert abs(u.mean().item() - 0.5) < 0.02
    n = nanotorch.randn(10_000, dtype=nanotorch.float64)
    assert n.dtype == nanotorch.float64 and abs(n.std().item() - 1.0) < 0.05
    r = nanotorch.randint(3, 5, (1000,))
    assert r.dtype == nanotorch.int64 and set(r.tolist()) == {3, 4}
    assert set(nanotorch.randint(2, (100,)).tolist()) <= {0, 1}
    assert sorted(nanotorch.randperm(5).tolist()) == [0, 1, 2, 3, 4]


# --- dtypes and promotion ---------------------------------------------------------------------------
I32, I64, F16, F32, F64, B = (nanotorch.int32, nanotorch.int64, nanotorch.float16,
                              nanotorch.float32, nanotorch.float64, nanotorch.bool)


def _t(dtype, dim=1):
    return nanotorch.ones((1,) * dim, dtype=dtype)


# (left, right, result of left + right): checked against torch 2.13
PROMOTION = [
    (_t(I32), 1.5, F32),                 # int tensor + float scalar -> default float
    (_t(I32), 2, I32),                   # int scalars do not widen
    (_t(I32), _t(I64), I64),
    (_t(I32), _t(I64, 0), I32),          # a 0-d tensor of the same kind does not widen
    (_t(I32), _t(F32, 0), F32),          # ... but a higher kind wins
    (_t(I32), _t(F64, 0), F64),
    (_t(F16), _t(F64, 0), F16),
    (_t(F16), _t(F32), F32),
    (_t(F16), _t(I64), F16),
    (_t(I64, 0), _t(F16), F16),
    (_t(F32, 0), _t(I64), F32),
    (_t(F16), 2.5, F16),
    (_t(F64), 2, F64),
    (_t(B), _t(B), B),
    (_t(B), 1, I64),
    (_t(B), 1.0, F32),
    (_t(I64), True, I64),
]


@pytest.mark.parametrize("left,right,expected", PROMOTION,
                         ids=[f"{a.dtype}-{b.dtype if hasattr(b, 'dtype') else b}"
                              for a, b, _ in PROMOTION])
def test_promotion_follows_torch(left, right, expected):
    assert (left + right).dtype == expected
    assert (right + left).dtype == expected
    assert (left * right).dtype == expected
    assert nanotorch.result_type(left, right) == expected


def test_division_and_power_dtypes():
    assert (nanotorch.tensor([1]) / 2).dtype == F32
    assert (nanotorch.tensor([1]) / nanotorch.tensor([2])).dtype == F32
    assert (3 / nanotorch.tensor([2])).dtype == F32
    assert (nanotorch.tensor([3]) / nanotorch.tensor([2])).tolist() == [1.5]
    assert (nanotorch.tensor([1]) // 2).dtype == I64
    assert (nanotorch.tensor([2]) ** 2).dtype == I64
    assert (nanotorch.tensor([2]) ** 0.5).dtype == F32
    assert (nanotorch.tensor([True]) * 2.5).dtype == F32


def test_promote_types_and_default_dtype():
    assert nanotorch.promote_types(I32, F16) == F16
    assert nanotorch.promote_types(B, I32) == I32
    nanotorch.set_default_dtype(nanotorch.float64)
    assert nanotorch.tensor([1.5]).dtype == F64
    assert (nanotorch.tensor([1]) * 1.5).dtype == F64
    nanotorch.set_default_dtype(nanotorch.float32)
    assert nanotorch.get_default_dtype() == F32


def test_conversions_between_dtypes():
    x = nanotorch.tensor([1.7, -2.2, 0.0])
    assert x.long().tolist() == [1, -2, 0] and x.long().dtype == I64
    assert x.int().dtype == I32
    assert x.double().dtype == F64 and x.float() is x
    assert x.half().dtype == F16
    assert x.bool().tolist() == [True, True, False]
    assert nanotorch.tensor([1, 2]).float().tolist() == [1.0, 2.0]
    assert x.to(F64).dtype == F64 and x.to(F32) is x
    assert x.to(nanotorch.ones(1, dtype=I64)).dtype == I64
    assert x.to("cpu") is x and x.to("cpu", F64).dtype == F64
    assert x.type_as(nanotorch.ones(1, dtype=F64)).dtype == F64
    # gradients flow back through a float conversion, to the source dtype
    y = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    (y.double() * 3).sum().backward()
    assert y.grad.dtype == F32 and y.grad.tolist() == [3.0, 3.0]


def test_dtype_objects():
    assert repr(F32) == "nanotorch.float32" and str(I64) == "nanotorch.int64"
    assert F32.is_floating_point and not I64.is_floating_point
    assert nanotorch.float is F32 and nanotorch.double is F64 and nanotorch.long is I64
    assert nanotorch.half is F16 and nanotorch.int is I32
    assert F64.itemsize == 8


# --- attributes ---------------------------------------------------------------------------------------
def test_shape_attributes():
    t = nanotorch.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, nanotorch.Size)
    assert t.size() == nanotorch.Size([2, 3, 4]) and t.size(-1) == 4 and t.size(1) == 3
    assert t.dim() == 3 and t.ndim == 3 and t.numel() == 24 and len(t) == 2
    assert t.stride() == (12, 4, 1) and t.is_contiguous()
    assert t.element_size() == 4 and t.nbytes == 96
    assert t.device == nanotorch.device("cpu") and str(t.device) == "cpu"
    assert repr(t.shape) == "nanotorch.Size([2, 3, 4])" and t.shape.numel() == 24
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)


def test_transposes_and_item_tolist_numpy():
    t = nanotorch.tensor([[1.0, 2.0, 3.0]])
    assert t.T.shape == (3, 1) and t.mT.shape == (3, 1)
    assert nanotorch.zeros(2, 3, 4).mT.shape == (2, 4, 3)
    assert nanotorch.tensor([[2.5]]).item() == 2.5 and isinstance(nanotorch.tensor(2).item(), int)
    assert isinstance(nanotorch.tensor(True).item(), bool)
    assert t.tolist() == [[1.0, 2.0, 3.0]] and nanotorch.tensor(4.0).tolist() == 4.0
    arr = t.numpy()
    arr[0, 0] = 9.0
    assert t[0, 0].item() == 9.0  # numpy() shares memory
    assert np.asarray(t).shape == (1, 3)
    assert float(nanotorch.tensor([1.5])) == 1.5 and int(nanotorch.tensor(3)) == 3
    assert [1, 2, 3][nanotorch.tensor(1)] == 2  # __index__
    with pytest.raises(RuntimeError, match="a Tensor with 3 elements cannot be converted to Scalar"):
        t.item()
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        nanotorch.ones(2, requires_grad=True).numpy()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(nanotorch.ones(2))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(nanotorch.tensor(1.0))


def test_iteration_and_pickle_and_deepcopy():
    import copy
    t = nanotorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    back = pickle.loads(pickle.dumps(t))
    assert nanotorch.equal(back, t) and back.requires_grad
    clone = copy.deepcopy(t)
    assert nanotorch.equal(clone, t) and clone.requires_grad
    with nanotorch.no_grad():
        clone[0, 0] = 5.0
    assert t[0, 0].item() == 1.0


# --- repr: checked against torch 2.13 -----------------------------------------------------------------
REPRS = [
    (lambda: nanotorch.tensor([[1.0, 2.0]], requires_grad=True),
     "tensor([[1., 2.]], requires_grad=True)"),
    (lambda: nanotorch.tensor([[1.0, 2.0]], requires_grad=True) * 2,
     "tensor([[2., 4.]], grad_fn=<MulBackward0>)"),
    (lambda: nanotorch.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: nanotorch.tensor([-1, 100]), "tensor([ -1, 100])"),
    (lambda: nanotorch.tensor([1.5, 2], dtype=nanotorch.float64),
     "tensor([1.5000, 2.0000], dtype=nanotorch.float64)"),
    (lambda: nanotorch.tensor(3.0), "tensor(3.)"),
    (lambda: nanotorch.tensor(5), "tensor(5)"),
    (lambda: nanotorch.tensor([True, False]), "tensor([ True, False])"),
    (lambda: nanotorch.tensor([1.0, 2.0], dtype=nanotorch.float16),
     "tensor([1., 2.], dtype=nanotorch.float16)"),
    (lambda: nanotorch.tensor([1, 2], dtype=nanotorch.int32), "tensor([1, 2], dtype=nanotorch.int32)"),
    (lambda: nanotorch.zeros(0), "tensor([])"),
    (lambda: nanotorch.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: nanotorch.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: nanotorch.tensor([1e10, -1.0]), "tensor([ 1.0000e+10, -1.0000e+00])"),
    (lambda: nanotorch.tensor([0.001, 2.0]), "tensor([1.0000e-03, 2.0000e+00])"),
    (lambda: nanotorch.tensor([0.1234567, 100.5]), "tensor([  0.1235, 100.5000])"),
    (lambda: nanotorch.tensor([[-1.0, 0.0], [10.0, 2.0]]), "tensor([[-1.,  0.],\n        [10.,  2.]])"),
    (lambda: nanotorch.tensor([float("nan"), 1.0, -2.5]), "tensor([    nan,  1.0000, -2.5000])"),
    (lambda: nanotorch.tensor([float("inf"), -float("inf"), 1.0]), "tensor([inf, -inf, 1.])"),
    (lambda: nanotorch.arange(10).reshape(2, 5).float() / 3,
     "tensor([[0.0000, 0.3333, 0.6667, 1.0000, 1.3333],\n        [1.6667, 2.0000, 2.3333, 2.6667, 3.0000]])"),
    (lambda: nanotorch.tensor([1.0, 2.0], requires_grad=True).sum(),
     "tensor(3., grad_fn=<SumBackward0>)"),
    (lambda: nanotorch.tensor([1.0, 2.0], requires_grad=True).exp().mean(),
     "tensor(5.0537, grad_fn=<MeanBackward0>)"),
    (lambda: nanotorch.tensor([[1.0, 2.0]], requires_grad=True).to(nanotorch.float64) + 1,
     "tensor([[2., 3.]], dtype=nanotorch.float64, grad_fn=<AddBackward0>)"),
]


@pytest.mark.parametrize("make,expected", REPRS, ids=[r for _, r in REPRS])
def test_repr_matches_torch(make, expected):
    assert repr(make()) == expected


def test_long_tensors_are_summarised():
    text = repr(nanotorch.arange(2000.0))
    assert text.startswith("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,") and "..." in text
    assert text.rstrip(")]").endswith("1.9990e+03")


# --- errors -------------------------------------------------------------------------------------------------
def test_requires_grad_on_an_integer_tensor_raises():
    for make in (lambda: nanotorch.tensor([1, 2], requires_grad=True),
                 lambda: nanotorch.zeros(2, dtype=nanotorch.int64, requires_grad=True),
                 lambda: nanotorch.arange(3, requires_grad=True)):
        with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype "
                                               "can require gradients"):
            make()


def test_unknown_backend_fails_with_one_sentence_listing_the_valid_ones():
    env = dict(os.environ, NANOTORCH_BACKEND="tpu")
    result = subprocess.run([sys.executable, "-c", "import nanotorch; nanotorch.zeros(1)"],
                            capture_output=True, text=True, env=env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "tpu" in last and "numpy" in last and "numba" in last and "cupy" in last, last


def test_numpy_backend_is_selected_by_the_environment():
    env = dict(os.environ, NANOTORCH_BACKEND="numpy")
    code = "import nanotorch; print(nanotorch.get_default_backend().name, nanotorch.zeros(1).device)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["numpy", "cpu"]


@pytest.mark.parametrize("dtype, name", [("float32", "FloatTensor"), ("float64", "DoubleTensor"),
                                         ("int32", "IntTensor"), ("int64", "LongTensor"),
                                         ("uint8", "ByteTensor"), ("bool", "BoolTensor")])
def test_type_names_the_legacy_tensor_type_like_torch(dtype, name):
    assert nanotorch.zeros(1, dtype=getattr(nanotorch, dtype)).type() == "nanotorch." + name
