"""Conformance of ``nanotorch.array_api`` with ``array_api_strict``, the standard's reference.

Every check runs the same call on both namespaces with hypothesis-drawn
inputs (nan, inf and signed zeros included) and compares dtype, shape and
values; where array-api-strict raises (a dtype the function does not take,
a promotion the standard does not define) nanotorch must raise the same
exception type.
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

array_api_strict = pytest.importorskip("array_api_strict")
import nanotorch  # noqa: E402
from nanotorch import array_api as xp  # noqa: E402

strict = array_api_strict
# Building special values (casting inf to float32, nan * 1j) warns in the test's own numpy code.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:test_array_api")
strict.set_array_api_strict_flags(api_version="2024.12")

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]
FLOATS = ["float32", "float64"]
NUMERIC_SAMPLE = ["int8", "uint8", "int64", "float32", "float64", "complex128"]


def shapes(min_dims=0, max_dims=3, min_side=0, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(dtype, shape=None, **elements):
    shape = shapes() if shape is None else shape
    return hnp.arrays(np.dtype(dtype), shape, elements=elements or None)


def _to(ns, value):
    """A numpy value (or a structure of them) as arrays of namespace ``ns``."""
    if isinstance(value, np.ndarray):
        return ns.asarray(value.copy())
    if isinstance(value, tuple):
        return tuple(_to(ns, v) for v in value)
    if isinstance(value, list):
        return [_to(ns, v) for v in value]
    if isinstance(value, str) and value in DTYPES:
        return getattr(ns, value)
    return value


def _as_numpy(value):
    if isinstance(value, nanotorch.Tensor):
        return value.detach().numpy()
    return np.asarray(value)


def assert_same(ours, ref, rtol):
    """Equal dtype names, shapes and values (nan where nan, zero signs alike)."""
    if isinstance(ref, (tuple, list)):
        assert type(ours) is type(ref) or isinstance(ours, tuple) and isinstance(ref, tuple)
        assert len(ours) == len(ref)
        if hasattr(ref, "_fields"):
            assert ours._fields == ref._fields
        for o, r in zip(ours, ref):
            assert_same(o, r, rtol)
        return
    if isinstance(ref, strict._dtypes.DType):
        assert ours.name == ref._np_dtype.name
        return
    if isinstance(ref, (bool, int, float, complex)) or ref is None:
        assert ours == ref or (isinstance(ref, float) and math.isnan(ref) and math.isnan(ours))
        return
    assert isinstance(ours, nanotorch.Tensor), type(ours)
    # array-api-strict hands back a bare numpy scalar from a few 0-d complex reductions
    b = np.asarray(ref._array) if hasattr(ref, "_array") else np.asarray(ref)
    assert ours.dtype.name == b.dtype.name, (ours.dtype, ref.dtype)
    assert tuple(ours.shape) == tuple(ref.shape)
    a = _as_numpy(ours)
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3, equal_nan=True)
        if a.dtype.kind == "f":
            zeros = (b == 0)
            assert np.array_equal(np.signbit(a[zeros]), np.signbit(b[zeros])), "signed zero"
    else:
        np.testing.assert_array_equal(a, b)


def compare(name, *args, rtol=None, module=None, **kwargs):
    """Call ``name`` in both namespaces on the same inputs; results or exception types must match."""
    ours_fn = getattr(getattr(xp, module) if module else xp, name)
    ref_fn = getattr(getattr(strict, module) if module else strict, name)
    ref_args = [_to(strict, a) for a in args]
    ref_kwargs = {k: _to(strict, v) for k, v in kwargs.items()}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            ref = ref_fn(*ref_args, **ref_kwargs)
        except (TypeError, ValueError, IndexError, OverflowError, np.linalg.LinAlgError) as err:
            expected = type(err)
            ref = None
    our_args = [_to(xp, a) for a in args]
    our_kwargs = {k: _to(xp, v) for k, v in kwargs.items()}
    if ref is None:
        if expected is TypeError:
            with pytest.raises(TypeError):
                ours_fn(*our_args, **our_kwargs)
        else:
            with pytest.raises(Exception):
                ours_fn(*our_args, **our_kwargs)
        return
    ours = ours_fn(*our_args, **our_kwargs)
    if rtol is None:
        rtol = 1e-4 if any(getattr(a, "dtype", None) in (np.float32, np.complex64)
                           for a in args if isinstance(a, np.ndarray)) else 1e-10
    assert_same(ours, ref, rtol)


# --- the namespace itself ------------------------------------------------------------
def test_every_2024_12_name_exists():
    assert xp.__array_api_version__ == "2024.12"
    own = {"Device", "set_array_api_strict_flags", "get_array_api_strict_flags",
           "reset_array_api_strict_flags", "ArrayAPIStrictFlags", "__version__",
           "broadcast_shapes", "isin"}  # array-api-strict's own and 2025.12 additions
    missing = [n for n in strict.__all__ if n not in own and not hasattr(xp, n)]
    assert missing == []
    assert [n for n in strict.linalg.__all__ if not hasattr(xp.linalg, n)] == []
    assert [n for n in strict.fft.__all__ if not hasattr(xp.fft, n)] == []


def test_array_object_protocol():
    x = xp.asarray([[1.0, 2.0], [3.0, 4.0]])
    assert x.__array_namespace__() is xp
    assert x.__array_namespace__(api_version="2023.12") is xp
    with pytest.raises(ValueError):
        x.__array_namespace__(api_version="1999.01")
    assert x.mT.shape == (2, 2) and x.to_device("cpu") is x
    assert x.device == xp.__array_namespace_info__().default_device()
    assert float(x[0, 1]) == 2.0 and int(xp.asarray(3)) == 3 and bool(xp.asarray(True))
    assert complex(xp.asarray(1.0)) == 1 + 0j and [10, 20][xp.asarray(1)] == 20


def test_inspection_api():
    info = xp.__array_namespace_info__()
    caps = info.capabilities()
    assert caps["boolean indexing"] and caps["data-dependent shapes"]
    assert info.default_dtypes()["real floating"] is nanotorch.get_default_dtype()
    assert info.default_dtypes()["indexing"] is xp.int64
    assert sorted(info.dtypes()) == sorted(DTYPES)
    assert set(info.dtypes(kind="integral")) == {d for d in DTYPES if "int" in d}
    assert set(info.dtypes(kind=("bool", "complex floating"))) == {"bool", "complex64",
                                                                    "complex128"}
    with pytest.raises(ValueError):
        info.dtypes(kind="quaternion")
    assert info.devices()[0] == nanotorch.device("cpu")


# --- data types ------------------------------------------------------------------------
@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_promotion_table(a, b):
    """result_type and can_cast agree with the reference for every pair, TypeError included."""
    compare("result_type", a, b)
    assert xp.can_cast(getattr(xp, a), getattr(xp, b)) == strict.can_cast(getattr(strict, a),
                                                                           getattr(strict, b))


@pytest.mark.parametrize("scalar", [True, 3, 2.5, 1j, -(2 ** 70)])
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int64", "float32", "complex64"])
def test_python_scalar_operands(scalar, dtype):
    """A Python scalar takes the array's dtype, or raises where the standard forbids the mix."""
    a = np.zeros(3, dtype=dtype)
    name = "logical_or" if dtype == "bool" and isinstance(scalar, bool) else (
        "equal" if dtype == "bool" else "add")
    compare(name, a, scalar)
    if name != "logical_or":
        compare(name, scalar, a)
    compare("result_type", dtype, scalar)


def test_info_objects():
    for d in ["float32", "float64", "complex64"]:
        ours, ref = xp.finfo(getattr(xp, d)), strict.finfo(getattr(strict, d))
        assert (ours.bits, ours.eps, ours.max, ours.min, ours.smallest_normal) == \
            (ref.bits, ref.eps, ref.max, ref.min, ref.smallest_normal)
        assert ours.dtype.name == ref.dtype._np_dtype.name
    for d in ["int8", "uint16", "int64", "uint64"]:
        ours, ref = xp.iinfo(getattr(xp, d)), strict.iinfo(getattr(strict, d))
        assert (ours.bits, ours.max, ours.min) == (ref.bits, ref.max, ref.min)
    with pytest.raises(ValueError):
        xp.iinfo(xp.float32)
    assert xp.isdtype(xp.uint8, "unsigned integer") and not xp.isdtype(xp.int8, "real floating")
    assert xp.isdtype(xp.complex64, ("bool", "complex floating"))
    with pytest.raises(ValueError):
        xp.isdtype(xp.int8, "integer")


@given(st.sampled_from(DTYPES), st.sampled_from(DTYPES), arrays("float64", shapes(max_side=3)))
def test_astype(src, dst, values):
    a = values.astype(src) if src != "bool" else values > 0
    compare("astype", a, dst)


# --- elementwise --------------------------------------------------------------------------
UNARY = ["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "bitwise_invert", "ceil",
         "conj", "cos", "cosh", "exp", "expm1", "floor", "imag", "isfinite", "isinf", "isnan",
         "log", "log1p", "log2", "log10", "logical_not", "negative", "positive", "real",
         "reciprocal", "round", "sign", "signbit", "sin", "sinh", "sqrt", "square", "tan",
         "tanh", "trunc"]
BINARY = ["add", "atan2", "bitwise_and", "bitwise_left_shift", "bitwise_or",
          "bitwise_right_shift", "bitwise_xor", "copysign", "divide", "equal", "floor_divide",
          "greater", "greater_equal", "hypot", "less", "less_equal", "logaddexp", "logical_and",
          "logical_or", "logical_xor", "maximum", "minimum", "multiply", "nextafter",
          "not_equal", "pow", "remainder", "subtract"]
SPECIALS = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, np.inf, -np.inf, np.nan, 1e-300,
                     -1e300, 3.5, -2.5])


def _values(dtype, data, shape=None):
    """Small values for integer dtypes (no overflow noise), anything for floats."""
    kind = np.dtype(dtype).kind
    if kind == "b":
        return data.draw(arrays("bool", shape))
    if kind in "iu":
        lo = 0 if kind == "u" else -20
        return data.draw(arrays(dtype, shape, min_value=lo, max_value=20))
    if kind == "c":
        shape = data.draw(shapes()) if shape is None else data.draw(shape)
        re, im = (data.draw(arrays("float64", st.just(shape))) for _ in range(2))
        return np.asarray(re + 1j * im).astype(dtype)
    return data.draw(arrays(dtype, shape))


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
@settings(max_examples=12)
def test_unary(name, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    compare(name, _reference_domain(name, _values(dtype, data)))


def _reference_domain(name, v):
    """Inputs on which the reference is the oracle: complex expm1 with an infinite or nan
    component follows the standard instead (test_complex_expm1_special_cases_follow_the_standard)."""
    if name == "expm1" and v.dtype.kind == "c":
        return np.where(np.isfinite(v), v, 1).astype(v.dtype)
    return v


@pytest.mark.parametrize("name", [n for n in UNARY if n not in ("bitwise_invert",
                                                                   "logical_not", "imag")])
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_special_cases(name, dtype):
    """nan, inf, signed zeros and the edges of each domain, as the reference handles them."""
    compare(name, SPECIALS.astype(dtype))


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
@settings(max_examples=12)
def test_binary(name, data):
    d1 = data.draw(st.sampled_from(DTYPES))
    d2 = data.draw(st.sampled_from([d1, d1, "int64", "float32", "uint8", "float64", "bool"]))
    s1, s2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_side=3)).input_shapes
    a, b = _values(d1, data, st.just(s1)), _values(d2, data, st.just(s2))
    if name in ("bitwise_left_shift", "bitwise_right_shift"):
        b = np.abs(b) % 8 if b.dtype.kind in "iu" else b
    if name in ("pow", "floor_divide", "remainder") and b.dtype.kind in "iu":
        b = (np.abs(b) % 3).astype(b.dtype) + (0 if name == "pow" else 1)
        a = a % 4 if a.dtype.kind in "iu" else a
    if name == "floor_divide":
        # infinite operands follow the standard, not the reference (test_floor_divide_special_cases)
        a, b = (np.where(np.isinf(v), 1, v).astype(v.dtype) if v.dtype.kind == "f" else v
                for v in (a, b))
    compare(name, a, b)


@pytest.mark.parametrize("name", ["add", "divide", "pow", "atan2", "copysign", "hypot",
                                  "logaddexp", "maximum", "minimum", "remainder",
                                  "nextafter", "equal", "less"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_special_cases(name, dtype):
    """Every pair of special values (nan, ±inf, ±0, ...) against the reference."""
    a = np.repeat(SPECIALS, SPECIALS.size).astype(dtype)
    b = np.tile(SPECIALS, SPECIALS.size).astype(dtype)
    compare(name, a, b)


@pytest.mark.parametrize("dtype", FLOATS)
def test_floor_divide_special_cases(dtype):
    """floor_divide follows the standard where numpy (and array-api-strict) do not:
    a signed infinity for inf // finite, a signed zero for finite // inf."""
    a = np.repeat(SPECIALS, SPECIALS.size).astype(dtype)
    b = np.tile(SPECIALS, SPECIALS.size).astype(dtype)
    with np.errstate(all="ignore"):
        expected = np.floor_divide(a, b)
        q = a / b
    expected = np.where(np.isinf(a) & np.isfinite(b) & (b != 0), q, expected)
    expected = np.where(np.isfinite(a) & (a != 0) & np.isinf(b), np.copysign(0, q), expected)
    ours = xp.floor_divide(xp.asarray(a), xp.asarray(b)).numpy()
    assert ours.dtype == expected.dtype
    np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(expected))


@pytest.mark.parametrize("name", ["add", "multiply", "greater", "maximum", "pow", "divide"])
@pytest.mark.parametrize("scalar", [2, -1.5, 1j])
@pytest.mark.parametrize("dtype", ["int16", "uint8", "float32", "float64", "complex64"])
def test_binary_with_scalars(name, scalar, dtype):
    a = np.arange(1, 5).astype(dtype)
    compare(name, a, scalar)
    compare(name, scalar, a)


@given(data=st.data())
def test_clip(data):
    dtype = data.draw(st.sampled_from(["int8", "int64", "uint8", "float32", "float64"]))
    a = _values(dtype, data)
    lo = data.draw(st.sampled_from([None, -3, 0, 2.5, "array"]))
    hi = data.draw(st.sampled_from([None, 5, 1.5]))
    if lo == "array":
        lo = _values(dtype, data, st.just(a.shape))
    compare("clip", a, min=lo, max=hi)


# --- creation -----------------------------------------------------------------------------
@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((2, 9, 3), {}), ((0, 1, 0.1), {}), ((3.0,), {}), ((5, 0, -2), {}),
    ((0, 10, 3), {"dtype": "int8"}), ((1, 2, 0.25), {"dtype": "float64"}), ((4,), {"dtype": "uint16"}),
])
def test_arange(args, kwargs):
    nanotorch.set_default_dtype(nanotorch.float64)
    compare("arange", *args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", [
    ("zeros", ((2, 3),), {"dtype": "int32"}), ("ones", (4,), {"dtype": "complex64"}),
    ("empty", ((0, 2),), {"dtype": "float32"}), ("full", ((2,), 7), {}),
    ("full", ((2, 2), True), {}), ("full", ((1,), 1j), {"dtype": "complex128"}),
    ("eye", (3,), {"dtype": "float32"}), ("eye", (2, 4), {"k": 1, "dtype": "int8"}),
    ("eye", (4, 2), {"k": -1, "dtype": "float64"}),
    ("linspace", (0, 1, 5), {"dtype": "float64"}), ("linspace", (0, 1, 4),
                                                    {"endpoint": False, "dtype": "float32"}),
    ("linspace", (1j, 2j, 3), {"dtype": "complex128"}),
])
def test_creation(name, args, kwargs):
    compare(name, *args, **kwargs)


@given(data=st.data())
def test_like_functions_and_triangles(data):
    dtype = data.draw(st.sampled_from(NUMERIC_SAMPLE))
    a = _values(dtype, data, shapes(min_dims=2))
    compare("zeros_like", a)
    compare("ones_like", a)
    assert xp.empty_like(xp.asarray(a)).shape == a.shape
    compare("full_like", a, 3)
    k = data.draw(st.integers(-2, 2))
    compare("tril", a, k=k)
    compare("triu", a, k=k)


def test_asarray_semantics():
    nanotorch.set_default_dtype(nanotorch.float64)
    assert xp.asarray([1, 2]).dtype is xp.int64
    assert xp.asarray([1, 2.5]).dtype is xp.float64
    assert xp.asarray([[True], [False]]).dtype is xp.bool
    assert xp.asarray(1j).dtype is xp.complex128
    with pytest.raises(OverflowError):
        xp.asarray(2 ** 70)
    base = np.arange(3.0)
    shared = xp.asarray(base)
    base[0] = 9
    assert float(shared[0]) == 9.0
    copied = xp.asarray(base, copy=True)
    base[0] = 1
    assert float(copied[0]) == 9.0
    with pytest.raises(ValueError):
        xp.asarray([1, 2], copy=False)
    t = xp.asarray([1.0, 2.0])
    assert xp.asarray(t) is t and xp.asarray(t, copy=True) is not t
    with pytest.raises(ValueError):
        xp.asarray(t, dtype=xp.float32, copy=False)
    assert xp.asarray([xp.asarray(1.0), xp.asarray(2.0)]).shape == (2,)


def test_meshgrid():
    a, b = np.arange(3.0), np.arange(2.0)
    for indexing in ("xy", "ij"):
        compare("meshgrid", a, b, indexing=indexing)
        compare("meshgrid", a, b, np.arange(4.0), indexing=indexing)


# --- manipulation and indexing ----------------------------------------------------------------
@given(data=st.data())
def test_manipulation(data):
    dtype = data.draw(st.sampled_from(NUMERIC_SAMPLE + ["bool"]))
    a = _values(dtype, data, shapes(min_dims=1, max_dims=3, min_side=1))
    nd = a.ndim
    axis = data.draw(st.integers(-nd, nd - 1))
    compare("flip", a, axis=axis)
    compare("flip", a)
    compare("expand_dims", a, axis=data.draw(st.integers(-nd - 1, nd)))
    compare("roll", a, data.draw(st.integers(-5, 5)), axis=axis)
    compare("roll", a, 2)
    compare("repeat", a, data.draw(st.integers(0, 3)), axis=axis)
    compare("repeat", a, 2)
    compare("tile", a, tuple(data.draw(st.lists(st.integers(1, 2), min_size=1, max_size=3))))
    compare("unstack", a, axis=axis)
    perm = tuple(data.draw(st.permutations(range(nd))))
    compare("permute_dims", a, perm)
    compare("moveaxis", a, 0, -1)
    compare("reshape", a, (-1,))
    compare("squeeze", np.expand_dims(a, 0), axis=0)
    compare("squeeze", a, axis=axis)
    compare("broadcast_to", a, (2,) + a.shape)
    compare("concat", [a, a], axis=axis)
    compare("concat", [a, a[..., :1]], axis=None)
    compare("stack", [a, a], axis=data.draw(st.integers(-nd - 1, nd)))
    compare("broadcast_arrays", a, a[..., :1])


@given(data=st.data())
def test_mixed_dtype_joins(data):
    d1, d2 = data.draw(st.sampled_from(DTYPES)), data.draw(st.sampled_from(DTYPES))
    a, b = np.ones((2, 2), dtype=d1), np.zeros((2, 2), dtype=d2)
    compare("concat", [a, b])
    compare("stack", [a, b], axis=1)


@given(data=st.data())
def test_take(data):
    a = _values("float64", data, shapes(min_dims=1, max_dims=3, min_side=1))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    idx = np.asarray(data.draw(st.lists(st.integers(0, n - 1), max_size=5)), dtype=np.int64)
    compare("take", a, idx, axis=axis)
    along_shape = list(a.shape)
    along_shape[axis] = data.draw(st.integers(0, 4))
    along = np.asarray(data.draw(hnp.arrays(np.int64, tuple(along_shape),
                                            elements=st.integers(0, n - 1))))
    compare("take_along_axis", a, along, axis=axis)


# --- linear algebra ---------------------------------------------------------------------------
@given(data=st.data())
def test_linear_algebra(data):
    dtype = data.draw(st.sampled_from(["float32", "float64", "int64", "complex128"]))
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch = data.draw(st.sampled_from([(), (2,), (1,)]))
    a = data.draw(hnp.arrays(np.dtype(dtype), batch + (n, k),
                             elements=st.integers(-3, 3) if dtype == "int64" else
                             st.floats(-3, 3, width=32 if dtype == "float32" else 64)
                             if dtype != "complex128" else st.complex_numbers(max_magnitude=3)))
    b = data.draw(hnp.arrays(np.dtype(dtype), (k, m),
                             elements=st.integers(-3, 3) if dtype == "int64" else
                             st.floats(-3, 3, width=32 if dtype == "float32" else 64)
                             if dtype != "complex128" else st.complex_numbers(max_magnitude=3)))
    compare("matmul", a, b)
    compare("matmul", a, b[:, 0])
    compare("matrix_transpose", a)
    compare("tensordot", a, b, axes=1)
    if not batch:
        compare("tensordot", a[..., :1, :], a, axes=((-1, -2), (-1, -2)))
    compare("vecdot", a, a)
    compare("vecdot", a, a[..., :1, :], axis=-1)
    same_kind = {"float32": "float64", "float64": "float32", "int64": "int8",
                 "complex128": "float32"}[dtype]
    compare("matmul", a, np.ones((k, 2), dtype=same_kind))
    with pytest.raises(TypeError):  # array-api-strict lets numpy promote here; the standard does not
        xp.matmul(xp.asarray(a), xp.ones((k, 2), dtype=xp.int8 if dtype != "int64" else xp.float32))


# --- searching, sorting, sets -------------------------------------------------------------------
@given(data=st.data())
def test_searching_and_sorting(data):
    dtype = data.draw(st.sampled_from(["int8", "uint8", "int64", "float32", "float64"]))
    a = _values(dtype, data, shapes(min_dims=1, max_dims=3, min_side=1))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    keep = data.draw(st.booleans())
    for name in ("argmax", "argmin"):
        compare(name, a, axis=axis, keepdims=keep)
        compare(name, a)
    compare("count_nonzero", a, axis=axis, keepdims=keep)
    compare("nonzero", a)
    descending, stable = data.draw(st.booleans()), True
    compare("argsort", a, axis=axis, descending=descending, stable=stable)
    compare("sort", a, axis=axis, descending=descending)
    sorted_ = np.sort(a.reshape(-1))
    needles = _values(dtype, data, shapes(max_dims=2))
    compare("searchsorted", sorted_, needles, side=data.draw(st.sampled_from(["left", "right"])))
    cond = _values("bool", data, st.just(a.shape))
    compare("where", cond, a, a[..., :1])
    compare("where", cond, a, 0 if dtype[0] in "iu" else 0.5)


@given(data=st.data())
def test_sets(data):
    dtype = data.draw(st.sampled_from(["int8", "int64", "float32", "float64"]))
    a = _values(dtype, data, shapes(max_dims=2))
    if a.dtype.kind == "f":
        a = np.where(np.arange(a.size).reshape(a.shape) % 3 == 0, a[::-1] if a.ndim else a, a)
    for name in ("unique_values", "unique_counts", "unique_inverse", "unique_all"):
        compare(name, a)


# --- statistics and utility ----------------------------------------------------------------------
@given(data=st.data())
def test_statistics(data):
    dtype = data.draw(st.sampled_from(["int8", "uint8", "int32", "float32", "float64",
                                       "complex64", "bool"]))
    a = _values(dtype, data, shapes(max_dims=3, max_side=3))
    axes = data.draw(st.sampled_from([None, 0, -1, (0, -1)])) if a.ndim else None
    if isinstance(axes, tuple) and a.ndim < 2:
        axes = None
    keep = data.draw(st.booleans())
    for name in ("sum", "prod", "max", "min", "mean"):
        compare(name, a, axis=axes, keepdims=keep)
    if dtype != "complex64":
        compare("sum", a, axis=axes, dtype="float64")
    compare("var", a, axis=axes, correction=data.draw(st.sampled_from([0, 1, 0.5])),
            keepdims=keep)
    compare("std", a, axis=axes, keepdims=keep)
    compare("all", a, axis=axes, keepdims=keep)
    compare("any", a, axis=axes, keepdims=keep)
    if a.ndim:
        ax = data.draw(st.integers(-a.ndim, a.ndim - 1))
        init = data.draw(st.booleans())
        compare("cumulative_sum", a, axis=ax, include_initial=init)
        compare("cumulative_prod", a, axis=ax, include_initial=init)
        compare("diff", a, axis=ax, n=data.draw(st.integers(0, 2)))
        compare("diff", a, axis=ax, prepend=a, append=a)


# --- linalg and fft extensions ----------------------------------------------------------------------
def _spd(rng, batch, n, dtype):
    m = rng.normal(size=batch + (n, n))
    return (m @ np.swapaxes(m, -1, -2) + n * np.eye(n)).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("batch", [(), (2,)])
def test_linalg_extension(dtype, batch):
    rng = np.random.default_rng(0)
    a = _spd(rng, batch, 3, dtype)
    r = rng.normal(size=batch + (3, 2)).astype(dtype)
    v = rng.normal(size=(3,)).astype(dtype)
    for name in ("cholesky", "det", "inv", "slogdet", "eigvalsh", "svdvals", "matrix_rank",
                 "pinv", "trace", "diagonal"):
        compare(name, a, module="linalg", rtol=1e-3 if dtype == "float32" else 1e-8)
    compare("cholesky", a, upper=True, module="linalg", rtol=1e-3)
    compare("solve", a, r, module="linalg", rtol=1e-3)
    compare("solve", a, v, module="linalg", rtol=1e-3)
    for ord in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        compare("matrix_norm", r, ord=ord, keepdims=True, module="linalg", rtol=1e-3)
    for ord in (2, 1, 0, 3, -1, math.inf, -math.inf):
        compare("vector_norm", r, ord=ord, axis=-1, module="linalg", rtol=1e-3)
        compare("vector_norm", r, ord=ord, module="linalg", rtol=1e-3)
    compare("matrix_power", a, 3, module="linalg", rtol=1e-3)
    compare("matrix_power", a, -2, module="linalg", rtol=1e-3)
    compare("matrix_power", a, 0, module="linalg")
    compare("cross", r[..., :3, :1].reshape(batch + (3,)), v, module="linalg", rtol=1e-4)
    compare("outer", v, v[:2], module="linalg", rtol=1e-4)
    compare("trace", a, offset=1, module="linalg", rtol=1e-4)
    compare("diagonal", r, offset=-1, module="linalg")
    # factorizations are unique only up to signs: check what they reconstruct
    q, rr = xp.linalg.qr(xp.asarray(r))
    np.testing.assert_allclose((q @ rr).numpy(), r, rtol=1e-4, atol=1e-5)
    w, vecs = xp.linalg.eigh(xp.asarray(a))
    np.testing.assert_allclose((vecs * w[..., None, :] @ xp.matrix_transpose(vecs)).numpy(), a,
                               rtol=1e-3, atol=1e-4)
    u, s, vh = xp.linalg.svd(xp.asarray(r), full_matrices=False)
    np.testing.assert_allclose((u * s[..., None, :] @ vh).numpy(), r, rtol=1e-3, atol=1e-4)
    with pytest.raises(TypeError):
        xp.linalg.inv(xp.asarray([[1, 0], [0, 1]]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fft_extension(dtype):
    rng = np.random.default_rng(1)
    real = rng.normal(size=(4, 6)).astype(dtype)
    cplx = (real + 1j * real[::-1]).astype("complex64" if dtype == "float32" else "complex128")
    tol = 1e-4 if dtype == "float32" else 1e-10
    for name in ("fft", "ifft", "irfft", "hfft"):
        compare(name, cplx, module="fft", rtol=tol, norm="ortho")
        compare(name, cplx, module="fft", rtol=tol, n=5, axis=0)
    for name in ("rfft", "ihfft"):
        compare(name, real, module="fft", rtol=tol)
    for name in ("fftn", "ifftn", "irfftn"):
        compare(name, cplx, module="fft", rtol=tol)
    compare("rfftn", real, module="fft", rtol=tol, axes=(0,))
    compare("fft", real, module="fft")  # real input to a complex transform: TypeError
    compare("fftfreq", 5, module="fft", d=0.5, dtype=dtype)
    compare("rfftfreq", 6, module="fft", dtype=dtype)
    compare("fftshift", real, module="fft", axes=(1,))
    compare("ifftshift", real, module="fft")


# --- DLPack -----------------------------------------------------------------------------------------
def test_dlpack_with_numpy_shares_memory():
    base = np.arange(6.0).reshape(2, 3)
    t = nanotorch.from_dlpack(base)
    base[0, 0] = 42.0
    assert float(t[0, 0]) == 42.0 and t.dtype is xp.float64
    back = np.from_dlpack(t)
    back[1, 2] = -1.0
    assert float(t[1, 2]) == -1.0 and np.shares_memory(back, base)
    assert t.__dlpack_device__() == (1, 0)
    assert xp.from_dlpack(t) is t
    copied = xp.from_dlpack(base, copy=True)
    base[0, 1] = 7.0
    assert float(copied[0, 1]) == 1.0
    with pytest.raises(RuntimeError, match="require"):
        np.from_dlpack(nanotorch.ones(2, requires_grad=True))
    with pytest.raises(TypeError):
        nanotorch.from_dlpack([1, 2, 3])


def test_dlpack_with_torch():
    torch = pytest.importorskip("torch")
    src = torch.arange(4, dtype=torch.float32)
    t = nanotorch.from_dlpack(src)
    src[0] = 9.0
    assert float(t[0]) == 9.0
    back = torch.from_dlpack(t)
    back[1] = -3.0
    assert float(t[1]) == -3.0


@pytest.mark.slow
@settings(max_examples=150)
@pytest.mark.parametrize("name", UNARY + BINARY)
@given(data=st.data())
def test_elementwise_bigger_sweep(name, data):
    """The same checks as test_unary/test_binary with many more drawn inputs."""
    d1 = data.draw(st.sampled_from(DTYPES))
    if name in UNARY:
        compare(name, _reference_domain(name, _values(d1, data)))
        return
    d2 = data.draw(st.sampled_from(DTYPES))
    s1, s2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_side=4)).input_shapes
    a, b = _values(d1, data, st.just(s1)), _values(d2, data, st.just(s2))
    if name in ("bitwise_left_shift", "bitwise_right_shift", "pow", "floor_divide",
                "remainder") and b.dtype.kind in "iu":
        b = (np.abs(b) % 3).astype(b.dtype) + (0 if name in ("pow",) or "shift" in name else 1)
        a = a % 4 if a.dtype.kind in "iu" else a
    if name == "floor_divide":
        # infinite operands follow the standard, not the reference (test_floor_divide_special_cases)
        a, b = (np.where(np.isinf(v), 1, v).astype(v.dtype) if v.dtype.kind == "f" else v
                for v in (a, b))
    compare(name, a, b)


def test_docs_page_examples_run():
    """docs/array_api.rst's examples (the GPU part is a plain code block, not run here)."""
    import doctest
    import pathlib
    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "array_api.rst"
    result = doctest.testfile(str(page), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


def test_zero_dim_results_hold_writable_arrays():
    """numpy gives scalars for 0-d comparisons; the tensor must still take item assignment."""
    for out in (xp.asarray(1.0) == xp.asarray(1.0), xp.logical_not(xp.asarray(True)),
                xp.asarray(3) << xp.asarray(1), xp.isnan(xp.asarray(1.0))):
        assert isinstance(out._data, np.ndarray)
        out[()] = out[()]


def test_reflected_shifts_and_augmented_assignments_write_in_place():
    assert (1 << xp.asarray([1, 2])).tolist() == [2, 4]
    assert (8 >> xp.asarray([1, 2])).tolist() == [4, 2]
    for op, expected in (("//=", [2, 3]), ("%=", [1, 0]), ("**=", [25, 36]), ("&=", [4, 6]),
                         ("|=", [7, 6]), ("^=", [3, 0]), ("<<=", [20, 24]), (">>=", [1, 1])):
        a = xp.asarray([5, 6])
        alias = a
        scope = {"a": a, "k": 6 if op in ("&=", "|=", "^=") else 2}
        exec(f"a {op} k", scope)
        assert scope["a"] is alias and alias.tolist() == expected, op
    a = xp.asarray([5, 6])
    with pytest.raises(RuntimeError, match="can't be cast"):
        a //= 1.5


def test_mixed_signedness_promotion_widens_order_independently():
    """uint16/32 with a signed int promote to the next wider signed int, in either order."""
    u32, i32 = xp.asarray(1, dtype=xp.uint32), xp.asarray(-1, dtype=xp.int32)
    for out in (u32 * i32, i32 * u32):
        assert out.dtype == xp.int64 and int(out) == -1
    assert (xp.asarray([1], dtype=xp.uint16) + xp.asarray([1], dtype=xp.int8)).dtype == xp.int32
    with pytest.raises(RuntimeError, match="uint64"):
        xp.asarray([1], dtype=xp.uint64) + xp.asarray([1], dtype=xp.int64)


def test_complex_expm1_special_cases_follow_the_standard():
    inf, nan = math.inf, math.nan
    cases = [((inf, 0.0), (inf, 0.0)), ((-inf, inf), (-1.0, 0.0)), ((-inf, nan), (-1.0, 0.0)),
             ((nan, 0.0), (nan, 0.0)), ((-inf, 2.0), (-1.0, 0.0)), ((inf, -0.0), (inf, -0.0))]
    z = np.zeros(len(cases), complex)
    z.real, z.imag = [c[0][0] for c in cases], [c[0][1] for c in cases]
    out = xp.expm1(xp.asarray(z))._data
    for got, (_, (re, im)) in zip(out, cases):
        assert (math.isnan(got.real) if math.isnan(re) else got.real == re)
        assert got.imag == im and math.copysign(1, got.imag) == math.copysign(1, im)
    for bad in (complex(inf, inf), complex(inf, nan)):
        got = xp.expm1(xp.asarray([bad]))._data[0]
        assert math.isinf(got.real) and math.isnan(got.imag)
    finite = np.array([0.5 + 0.5j, -1e-12 + 3j])
    np.testing.assert_allclose(xp.expm1(xp.asarray(finite))._data, np.expm1(finite))
