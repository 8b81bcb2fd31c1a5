"""The torch-style functions of the top-level namespace: ``nanotorch.exp(x)``, ``nanotorch.cat``...

Most are the Tensor method of the same name called on the first argument;
the few whose arguments differ from the method (``cat``, ``stack``,
``where``, ...) are written out here.
"""
from __future__ import annotations

from . import _dtype
from .ops import elementwise as E, shape as S
from .ops._util import as_scalar, broadcast_shapes as _broadcast_shapes, normalize_dim
from .tensor import Size, Tensor

# Tensor methods that are also top-level functions taking the tensor first.
METHOD_FUNCTIONS = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "atan2", "arctan2", "maximum", "minimum", "matmul", "mm", "bmm", "dot",
    "inner", "outer", "ger", "mv", "neg", "negative", "abs", "absolute", "exp", "expm1", "log",
    "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tan", "asin", "acos",
    "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu",
    "reciprocal", "sign", "sgn", "floor", "ceil", "trunc", "fix", "round", "frac", "clamp",
    "clip", "clamp_min", "clamp_max", "masked_fill", "lerp", "logical_not", "logical_and",
    "logical_or", "logical_xor", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal",
    "less", "less_equal", "not_equal", "equal", "allclose", "isclose", "isnan", "isinf",
    "isfinite", "sum", "nansum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin",
    "var", "std", "norm", "logsumexp", "softmax", "log_softmax", "cumsum", "all", "any",
    "sort", "argsort", "topk",
    "count_nonzero", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze",
    "unsqueeze", "flatten", "unflatten", "broadcast_to", "tile", "flip", "fliplr", "flipud",
    "narrow", "split", "chunk", "unbind", "select", "movedim", "moveaxis", "gather",
    "take_along_dim", "index_select", "masked_select", "scatter_add", "scatter", "index_add",
    "nonzero", "clone", "detach", "numel", "conj", "real", "imag", "float_power",
)


def _make(name):
    method = getattr(Tensor, name)
    if isinstance(method, property):
        def fn(input):
            return getattr(input, name)
    else:
        def fn(input, *args, **kwargs):
            if not isinstance(input, Tensor):
                raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                                f"{type(input).__name__}")
            return method(input, *args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (getattr(method, "__doc__", None) or f"``nanotorch.{name}(input, ...)``: "
                  f"see :meth:`Tensor.{name}`.")
    fn.__module__ = "nanotorch"
    return fn


# The one-input maps are hot in scripts (``torch.tanh(x)`` in a model's forward):
# there they are the Tensor methods themselves, with no wrapper call; given a
# non-tensor, the op raises the same TypeError the wrapper would.
DIRECT_METHODS = (
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "reciprocal", "abs",
    "neg", "sign", "floor", "ceil", "trunc",
)

FUNCTIONS = {name: getattr(Tensor, name) if name in DIRECT_METHODS else _make(name)
             for name in METHOD_FUNCTIONS}


def pow(input, exponent):
    """``input ** exponent``; either may be a number.

    >>> import nanotorch
    >>> nanotorch.pow(2, nanotorch.tensor([1.0, 3.0]))
    tensor([2., 8.])
    """
    return E.Pow.apply(input, exponent)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` else ``other`` (broadcast); ``where(cond)`` gives nonzero indices.

    >>> import nanotorch
    >>> x = nanotorch.tensor([-1.0, 2.0])
    >>> nanotorch.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from ._creation import tensor
        input = tensor(input, device=condition.device)
    return E.Where.apply(condition, input, other)


def _check_join(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        # torch 2.x: ValueError for cat, RuntimeError for stack
        raise (ValueError if name in ("cat", "concat", "concatenate") else RuntimeError)(
            f"{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")


def cat(tensors, dim=0):
    """Join tensors along an existing dim; other dims must match.

    >>> import nanotorch
    >>> nanotorch.cat([nanotorch.zeros(1, 2), nanotorch.ones(2, 2)]).shape
    nanotorch.Size([3, 2])
    """
    _check_join(tensors, "cat")
    tensors = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or list(tensors[:1])
    first = tensors[0]
    d = normalize_dim(dim, first.ndim)
    target = _dtype.result_type(*tensors) if len({t._data.dtype for t in tensors}) > 1 else None
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} and "
                               f"{t.ndim}")
        for k, (a, b) in enumerate(zip(first.shape, t.shape)):
            if k != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {a} but got size {b} for tensor number {i} in the list.")
        if t.device != first.device:
            raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                               f"two devices, {first.device} and {t.device}!")
    if target is not None:
        tensors = [t.to(target) for t in tensors]
    return S.Cat.apply(d, *tensors)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dim.

    >>> import nanotorch
    >>> nanotorch.stack([nanotorch.zeros(2), nanotorch.ones(2)], dim=1)
    tensor([[0., 1.],
            [0., 1.]])
    """
    _check_join(tensors, "stack")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    d = normalize_dim(dim, len(shape) + 1)
    return cat([t.unsqueeze(d) for t in tensors], d)


def hstack(tensors):
    """Join tensors horizontally: along dim 1, or along dim 0 for 1-D tensors (see :func:`cat`).

    >>> import nanotorch
    >>> nanotorch.hstack([nanotorch.zeros(2, 1), nanotorch.ones(2, 2)])
    tensor([[0., 1., 1.],
            [0., 1., 1.]])
    """
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """Join tensors vertically along dim 0; 1-D tensors of length n count as rows ``(1, n)``.

    >>> import nanotorch
    >>> nanotorch.vstack([nanotorch.tensor([1, 2]), nanotorch.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return cat([t.reshape(1, -1) if t.ndim == 1 else t for t in tensors], 0)


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to (RuntimeError if they do not).

    >>> import nanotorch
    >>> nanotorch.broadcast_shapes((2, 1), (3,))
    nanotorch.Size([2, 3])
    """
    return Size(_broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes]))


def broadcast_tensors(*tensors):
    """Expand tensors to their common broadcast shape; returns a tuple of views.

    ``(3, 1)`` and ``(4,)`` -> two ``(3, 4)`` tensors.

    >>> import nanotorch
    >>> a, b = nanotorch.broadcast_tensors(nanotorch.zeros(3, 1), nanotorch.zeros(4))
    >>> a.shape, b.shape
    (nanotorch.Size([3, 4]), nanotorch.Size([3, 4]))
    """
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def is_tensor(obj):
    """True if ``obj`` is a nanotorch tensor.

    >>> import nanotorch
    >>> nanotorch.is_tensor(nanotorch.zeros(1)), nanotorch.is_tensor([0.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """True if ``input`` has a floating dtype (see :meth:`Tensor.is_floating_point`).

    >>> import nanotorch
    >>> nanotorch.is_floating_point(nanotorch.zeros(1)), nanotorch.is_floating_point(nanotorch.arange(2))
    (True, False)
    """
    return input.is_floating_point()


def is_complex(input):
    """True if ``input`` has a complex dtype (see :meth:`Tensor.is_complex`).

    >>> import nanotorch
    >>> nanotorch.is_complex(nanotorch.tensor([1j])), nanotorch.is_complex(nanotorch.zeros(1))
    (True, False)
    """
    return input.is_complex()


def numel(input):
    """The number of elements of ``input``.

    >>> import nanotorch
    >>> nanotorch.numel(nanotorch.zeros(2, 3))
    6
    """
    return input.numel()


def clamp(input, min=None, max=None):
    """Limit ``input`` to ``[min, max]`` elementwise (see :meth:`Tensor.clamp`); ``clip`` is an alias.

    >>> import nanotorch
    >>> nanotorch.clamp(nanotorch.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    return input.clamp(min, max)


clip = clamp


def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcast; either may be a number.

    >>> import nanotorch
    >>> nanotorch.add(nanotorch.tensor([1.0, 2.0]), nanotorch.tensor([[10.0], [20.0]]), alpha=0.1)
    tensor([[2., 3.],
            [3., 4.]])
    """
    if isinstance(input, Tensor):
        return input.add(other, alpha=alpha)
    return E.Add.apply(as_scalar(input, "input"), other * alpha if alpha != 1 else other)


def mul(input, other):
    """``input * other``, broadcast; either may be a number. ``multiply`` is an alias.

    >>> import nanotorch
    >>> nanotorch.mul(2, nanotorch.tensor([1.0, 3.0]))
    tensor([2., 6.])
    """
    return E.Mul.apply(input, other)


multiply = mul


def sub(input, other, *, alpha=1):
    """``input - alpha * other``, broadcast; either may be a number. ``subtract`` is an alias.

    >>> import nanotorch
    >>> nanotorch.sub(nanotorch.tensor([5.0, 5.0]), nanotorch.tensor([1.0, 2.0]), alpha=2)
    tensor([3., 1.])
    """
    if isinstance(input, Tensor):
        return input.sub(other, alpha=alpha)
    return E.Sub.apply(as_scalar(input, "input"), other * alpha if alpha != 1 else other)


subtract = sub


def remainder(input, other):
    """Python's ``input % other`` (the sign of ``other``), broadcast; either may be a number.

    >>> import nanotorch
    >>> x = nanotorch.tensor([-3, 3])
    >>> nanotorch.remainder(x, 2), nanotorch.remainder(5, nanotorch.tensor([3]))
    (tensor([1, 1]), tensor([2]))
    """
    if isinstance(input, Tensor):
        return input.remainder(other)
    return E.Remainder.apply(as_scalar(input, "input"), other)


def floor_divide(input, other):
    """``input // other``, rounded towards minus infinity, broadcast; either may be a number.

    >>> import nanotorch
    >>> x = nanotorch.tensor([-7, 7])
    >>> nanotorch.floor_divide(x, 2), nanotorch.floor_divide(7, nanotorch.tensor([2]))
    (tensor([-4,  3]), tensor([3]))
    """
    if isinstance(input, Tensor):
        return input.floor_divide(other)
    return E.FloorDivide.apply(as_scalar(input, "input"), other)


def _overrides():
    return {name: value for name, value in globals().items()
            if callable(value) and getattr(value, "__module__", None) == __name__
            and not name.startswith("_")}


FUNCTIONS.update(_overrides())
for _name, _fn in FUNCTIONS.items():
    if _name not in DIRECT_METHODS:
        _fn.__module__ = "nanotorch"
