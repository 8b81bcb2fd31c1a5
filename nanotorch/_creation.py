"""Factories: ``tensor``, ``zeros``, ``arange``, ``randn``, ... with torch's signatures.

Data is built with numpy on the CPU and handed to the target device's
backend (no copy for the CPU backends).
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._device import device as _device_cls
from .backends import backend_for_device, get_default_backend
from .ops._util import shape_arg
from .random import _generator
from .tensor import Tensor

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty", "arange",
    "linspace", "logspace", "eye", "rand", "randn", "randint", "randperm", "zeros_like",
    "ones_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like", "scalar_tensor",
]


def _backend(device):
    if device is None:
        return get_default_backend(), None
    dev = device if isinstance(device, _device_cls) else _device_cls(device)
    return backend_for_device(dev), dev


def _finish(array, dtype, device, requires_grad):
    """Wrap a numpy array as a tensor on ``device``, optionally requiring grad."""
    if dtype is not None:
        array = array.astype(_dtype.to_dtype(dtype).np, copy=False)
    backend, dev = _backend(device)
    data = backend.from_numpy(array, dev) if backend.device_type != "cpu" else array
    out = Tensor._wrap(data, backend)
    if requires_grad:
        out.requires_grad = True
    return out


def _infer(array):
    """torch's dtype inference for Python data: floats -> default float, ints -> int64."""
    kind = array.dtype.kind
    if kind == "f":
        return array.astype(_dtype.get_default_dtype().np, copy=False)
    if kind in "iu":
        return array.astype(np.int64, copy=False)
    if kind == "c":
        return array.astype(_dtype.get_default_dtype().to_complex().np, copy=False)
    if kind == "b":
        return array
    raise TypeError(f"Could not infer dtype of {array.dtype}: tensor data must be numbers, "
                    "nested sequences of numbers, numpy arrays or tensors")


def _to_numpy(data):
    if isinstance(data, Tensor):
        return data._backend.to_numpy(data._data), False
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)  # rejects unsupported dtypes with a clear error
        return data, False
    if isinstance(data, np.generic):
        return np.asarray(data), False
    if hasattr(data, "__dlpack__") and not isinstance(data, (list, tuple)):
        return np.from_dlpack(data), False
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _tensors_to_lists(data)
    try:
        array = np.array(data)
    except ValueError as err:
        raise ValueError(_ragged_message(data) or f"expected a rectangular nested sequence of "
                         f"numbers: {err}") from None
    if array.dtype == object:
        raise TypeError(f"tensor data must be numbers or rectangular nested sequences of numbers; "
                        f"got {type(data).__name__} holding objects")
    return array, True


def _ragged_message(data):
    """Where a nested sequence stops being rectangular, in torch's words (None if nowhere)."""
    level, dim = [data], 0
    while level and all(isinstance(x, (list, tuple)) for x in level):
        want = len(level[0])
        for x in level:
            if len(x) != want:
                return f"expected sequence of length {want} at dim {dim} (got {len(x)})"
        level, dim = [y for x in level for y in x], dim + 1
    return None


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor copied from ``data`` (nested lists, numbers, numpy arrays, tensors).

    Python floats give ``float32`` (the default dtype), ints ``int64``;
    numpy arrays keep their dtype.

    >>> import nanotorch
    >>> nanotorch.tensor([[1, 2], [3, 4]]).dtype
    nanotorch.int64
    >>> nanotorch.tensor([0.5, 1.0], requires_grad=True)
    tensor([0.5000, 1.0000], requires_grad=True)
    """
    array, python_data = _to_numpy(data)
    if python_data and dtype is None:
        array = _infer(array)
    array = np.array(array, copy=True)
    return _finish(array, dtype, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor` but shares memory with a numpy array or tensor when it can.

    >>> import numpy as np, nanotorch
    >>> a = np.zeros(2, dtype=np.float32)
    >>> t = nanotorch.as_tensor(a); a[0] = 5
    >>> t
    tensor([5., 0.])
    """
    if isinstance(data, Tensor):
        out = data.to(device=device, dtype=dtype) if (dtype or device) else data
        return out
    array, python_data = _to_numpy(data)
    if python_data and dtype is None:
        array = _infer(array)
    return _finish(array, dtype, device, False)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor; shares memory with an array or tensor unless ``copy=True`` or a cast needs one.

    >>> import numpy as np, nanotorch
    >>> a = np.zeros(2, dtype=np.float32)
    >>> t = nanotorch.asarray(a); a[0] = 1
    >>> t, nanotorch.asarray(a, copy=True).data_ptr() == t.data_ptr()
    (tensor([1., 0.]), False)
    """
    out = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        out.requires_grad = True
    return out


def from_numpy(ndarray):
    """A CPU tensor sharing memory with a numpy array (writes show through both ways).

    >>> import numpy as np, nanotorch
    >>> nanotorch.from_numpy(np.arange(3)).dtype
    nanotorch.int64
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    backend = backend_for_device("cpu")
    return Tensor._wrap(ndarray, backend)


def _float_dtype(dtype):
    return _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()


def _new_shape(size):
    """The shape of a new tensor; a negative size is torch's RuntimeError, not numpy's ValueError."""
    shape = shape_arg(size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from it).

    >>> import nanotorch
    >>> nanotorch.full((2,), 7)
    tensor([7, 7])
    """
    shape = _new_shape((size,))
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = _dtype.bool
        elif isinstance(fill_value, (int, np.integer)):
            dtype = _dtype.int64
        elif isinstance(fill_value, complex):
            dtype = _dtype.get_default_dtype().to_complex()
        else:
            dtype = _dtype.get_default_dtype()
    array = np.full(shape, fill_value, dtype=_dtype.to_dtype(dtype).np)
    return _finish(array, None, device, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``; float32 unless ``dtype``.

    >>> import nanotorch
    >>> nanotorch.zeros(2, 3).shape
    nanotorch.Size([2, 3])
    """
    return full(shape_arg(size), 0, dtype=_float_dtype(dtype), device=device,
                requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones: ``ones(2, 3)``; float32 unless ``dtype``.

    >>> import nanotorch
    >>> nanotorch.ones(2)
    tensor([1., 1.])
    """
    return full(shape_arg(size), 1, dtype=_float_dtype(dtype), device=device,
                requires_grad=requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor (zero-filled here, which is one valid 'uninitialised').

    >>> import nanotorch
    >>> nanotorch.empty(2, 2).shape
    nanotorch.Size([2, 2])
    """
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor (shape ``()``) holding ``s``; float32 unless ``dtype``.

    >>> import nanotorch
    >>> nanotorch.scalar_tensor(3)
    tensor(3.)
    """
    return full((), s, dtype=_float_dtype(dtype), device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``: int64 for ints, else float32.

    >>> import nanotorch
    >>> nanotorch.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> nanotorch.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    values = [float(v) if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values)
        dtype = _dtype.int64 if integral else _dtype.get_default_dtype()
    array = np.arange(*values, dtype=np.float64 if _dtype.to_dtype(dtype).is_floating_point else None)
    return _finish(array, dtype, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> import nanotorch
    >>> nanotorch.linspace(0, 1, 3)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got steps={steps}")
    array = np.linspace(float(start), float(end), int(steps))
    return _finish(array, _float_dtype(dtype), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` values from ``base**start`` to ``base**end`` on a log scale; shape ``(steps,)``.

    >>> import nanotorch
    >>> nanotorch.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    array = np.logspace(float(start), float(end), int(steps), base=base)
    return _finish(array, _float_dtype(dtype), device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The (n, m) identity matrix.

    >>> import nanotorch
    >>> nanotorch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    array = np.eye(n, n if m is None else m)
    return _finish(array, _float_dtype(dtype), device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples from [0, 1) of the given shape.

    >>> import nanotorch
    >>> x = nanotorch.rand(2, 3)
    >>> bool(((x >= 0) & (x < 1)).all())
    True
    """
    array = _generator(generator).random(_new_shape(size))
    return _finish(array, _float_dtype(dtype), device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples of the given shape.

    >>> import nanotorch
    >>> nanotorch.randn(4, 5).shape
    nanotorch.Size([4, 5])
    """
    array = _generator(generator).normal(0.0, 1.0, _new_shape(size))
    return _finish(array, _float_dtype(dtype), device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(2, 10, (3,))``.

    >>> import nanotorch
    >>> nanotorch.randint(0, 10, (3,)).dtype
    nanotorch.int64
    """
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    array = _generator(generator).integers(low, high, _new_shape((size,)))
    return _finish(array, dtype or _dtype.int64, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of ``0..n-1``, shape ``(n,)``, int64 unless ``dtype``.

    >>> import nanotorch
    >>> sorted(nanotorch.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    _new_shape((n,))
    return _finish(_generator(generator).permutation(n), dtype or _dtype.int64, device, requires_grad)


def _like(t, dtype, device):
    return (dtype or t.dtype), (device or t.device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False):
    """Zeros with the shape (and, unless given, the dtype and device) of ``input``.

    >>> import nanotorch
    >>> nanotorch.zeros_like(nanotorch.tensor([[1, 2]]))
    tensor([[0, 0]])
    """
    dtype, device = _like(input, dtype, device)
    return full(input.shape, 0, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False):
    """Ones with the shape (and, unless given, the dtype and device) of ``input``.

    >>> import nanotorch
    >>> nanotorch.ones_like(nanotorch.zeros(2), dtype=nanotorch.int64)
    tensor([1, 1])
    """
    dtype, device = _like(input, dtype, device)
    return full(input.shape, 1, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False):
    """An uninitialised (here zero-filled) tensor with the shape, dtype and device of ``input``.

    >>> import nanotorch
    >>> nanotorch.empty_like(nanotorch.zeros(2, 3)).shape
    nanotorch.Size([2, 3])
    """
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    """``fill_value`` everywhere, with the shape (and unless given the dtype and device) of ``input``.

    >>> import nanotorch
    >>> nanotorch.full_like(nanotorch.zeros(2), 7)
    tensor([7., 7.])
    """
    dtype, device = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    """Uniform ``[0, 1)`` samples with the shape, dtype and device of ``input``.

    >>> import nanotorch
    >>> nanotorch.rand_like(nanotorch.zeros(2, 3, dtype=nanotorch.float64)).dtype
    nanotorch.float64
    """
    dtype, device = _like(input, dtype, device)
    return rand(input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    """Standard normal samples with the shape, dtype and device of ``input``.

    >>> import nanotorch
    >>> nanotorch.randn_like(nanotorch.zeros(2, 3)).shape
    nanotorch.Size([2, 3])
    """
    dtype, device = _like(input, dtype, device)
    return randn(input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None, device=None, requires_grad=False):
    """Random integers in ``[low, high)`` (``[0, low)`` given one bound), shaped like ``input``.

    >>> import nanotorch
    >>> x = nanotorch.randint_like(nanotorch.zeros(5, dtype=nanotorch.int64), 3)
    >>> x.dtype, bool(((x >= 0) & (x < 3)).all())
    (nanotorch.int64, True)
    """
    dtype, device = _like(input, dtype, device)
    return randint(low, high, input.shape, dtype=dtype, device=device, requires_grad=requires_grad)
