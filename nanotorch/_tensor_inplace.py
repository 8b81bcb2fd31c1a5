"""Tensor's in-place methods (``add_``, ``fill_``, ...), ``new_*`` factories and random fills.

One rule for every in-place op (see ``_inplace``): compute out of place, then
write the result into this tensor's memory and bump its version counter.
Under ``no_grad`` the common updates (``add_``, ``mul_``, ...) write straight
into memory with the backend's ``out=`` kernels: optimizers take that path.
"""
from __future__ import annotations

from . import _dtype
from .autograd.function import bump_version
from .autograd.grad_mode import state as _grad_state
from .ops import elementwise as E, index as I
from .ops._util import as_scalar, broadcast_shapes, scalar_type_name, shape_arg, tensor_type, wrap

def _refuse_inplace_on_view(node):
    """An in-place op on a view that cannot be written back to its base: raise rather than
    return a wrong gradient.

    A view made by indexing (``y[0]``, ``y[:, 1:]``) passes the write to its
    base as ``base[key] = result`` (see ``_inplace_through_base``); other views
    (reshape, transpose, expand) would leave the base with a gradient that
    ignores the write, and so does a leaf, whose history cannot change.
    """
    while getattr(node, "is_view", False) and node.next_functions and node.next_functions[0]:
        node = node.next_functions[0][0]
    if node.name() == "AccumulateGrad":
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    raise RuntimeError(
        f"an in-place operation on a view of a tensor made by {node.name()} is not supported "
        "while recording gradients: the base would keep a gradient that ignores the write. "
        "Use an out-of-place op, or clone() the view before modifying it.")


class InPlaceMethods:
    """Mixin with Tensor's in-place methods (the class is in ``tensor.py``)."""

    __slots__ = ()

    # --- in place ------------------------------------------------------------------
    def _inplace(self, compute, *others):
        """Run ``compute(old_self)`` out of place and write the result into this tensor.

        Recording: the op sees a copy of the old value with this tensor's
        graph identity, and this tensor takes the op's grad_fn. Either way the
        version counter goes up, so stale saved copies are caught in backward.
        """
        T = tensor_type()
        record = _grad_state.enabled and (self._requires_grad or any(
            isinstance(o, T) and o._requires_grad for o in others))
        if record and self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        if record and self._data.base is not None:
            view_of = getattr(self, "_view_of", None)
            if view_of is not None:
                base = view_of[0]
                if base.grad_fn is None and base._requires_grad:
                    raise RuntimeError("a view of a leaf Variable that requires grad is being "
                                       "used in an in-place operation.")
                return self._inplace_through_base(*view_of, compute)
            if getattr(self.grad_fn, "is_view", False):
                _refuse_inplace_on_view(self.grad_fn)
        result = compute(self._old_value() if record else self)
        self._write(result._data)
        if record:
            self.grad_fn = result.grad_fn
            self._requires_grad = result._requires_grad
            self._output_nr = result._output_nr
        return self

    def _old_value(self):
        """A copy of this tensor's value with its graph identity: what a recorded in-place op
        computes from, so the write that follows cannot change what backward reads."""
        old = tensor_type()._wrap(self._backend.xp.array(self._data, copy=True), self._backend)
        old._requires_grad, old.grad_fn, old._output_nr = (self._requires_grad, self.grad_fn,
                                                           self._output_nr)
        return old

    def _inplace_through_base(self, base, key, compute):
        """An in-place op on ``self = base[key]`` while recording, as torch's CopySlices: the
        result goes into the base as ``base[key] = result`` (the base takes that history, so
        its gradient sees the write) and the view is ``base[key]`` again, of the new base."""
        result = compute(self._old_value())
        base._inplace(lambda old_base: I.IndexPut.apply(old_base, key, result), result)
        again = I.GetItem.apply(base, key)  # shares memory with self: only its history is kept
        self.grad_fn, self._requires_grad, self._output_nr = again.grad_fn, again._requires_grad, 0
        return self

    def _write(self, array):
        if array.dtype != self._data.dtype:
            src, dst = _dtype.from_numpy_dtype(array.dtype), _dtype.from_numpy_dtype(self._data.dtype)
            if not _dtype.can_cast(src, dst):
                raise RuntimeError(f"result type {scalar_type_name(src)} can't be cast to the "
                                   f"desired output type {scalar_type_name(dst)}")
        if array.shape != self._data.shape:
            try:
                if broadcast_shapes(array.shape, self._data.shape) != self._data.shape:
                    raise RuntimeError
            except RuntimeError:
                raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                                   f"broadcast shape {list(broadcast_shapes(array.shape, self._data.shape))}"
                                   ) from None
        if array is not self._data:
            self._data[...] = array
        bump_version(self)

    def _fast_inplace(self, kernel, other, alpha=1):
        """no-grad ``self op= alpha * other`` straight into memory (optimizer steps take this path)."""
        T = tensor_type()
        if isinstance(other, T):
            y = other._data
            if other._backend is not self._backend:
                from .ops._util import check_same_device
                check_same_device(self, other)
        else:
            y = as_scalar(other)
        if alpha != 1:
            y = y * alpha
        x = self._data
        if x.dtype.kind in "biu":  # a wider result (float into int, int into bool) cannot land here
            own = _dtype.from_numpy_dtype(x.dtype)
            result = (_dtype.get_default_dtype() if kernel == "true_divide"
                      else _dtype.result_type(self, other))
            if not _dtype.can_cast(result, own):
                raise RuntimeError(f"result type {scalar_type_name(result)} can't be cast to the "
                                   f"desired output type {scalar_type_name(own)}")
        try:
            getattr(self._backend, kernel)(x, y, out=x)
        except ValueError:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                               f"{list(broadcast_shapes(x.shape, getattr(y, 'shape', ())))}") from None
        bump_version(self)
        return self

    def _needs_record(self, other=None):
        return _grad_state.enabled and (self._requires_grad or (
            isinstance(other, tensor_type()) and other._requires_grad))

    def add_(self, other, *, alpha=1):
        """``self += alpha * other`` in place (``other`` broadcasts to self's shape); returns self.

        Under ``no_grad`` it writes straight into memory (the optimizers' path).

        >>> import nanotorch
        >>> x = nanotorch.ones(2, 2)
        >>> x.add_(nanotorch.tensor([1.0, 2.0]), alpha=10)
        tensor([[11., 21.],
                [11., 21.]])
        """
        if not self._needs_record(other):
            return self._fast_inplace("add", other, alpha)
        if alpha != 1:
            other = other * alpha
        return self._inplace(lambda old: old + other, other)

    def sub_(self, other, *, alpha=1):
        """``self -= alpha * other`` in place (``other`` broadcasts to self's shape); returns self.

        >>> import nanotorch
        >>> nanotorch.ones(2).sub_(0.5)
        tensor([0.5000, 0.5000])
        """
        E.check_subtraction(self, other)
        if not self._needs_record(other):
            return self._fast_inplace("subtract", other, alpha)
        if alpha != 1:
            other = other * alpha
        return self._inplace(lambda old: old - other, other)

    def mul_(self, other):
        """``self *= other`` in place (``other`` broadcasts to self's shape); returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, 2.0]).mul_(3)
        tensor([3., 6.])
        """
        if not self._needs_record(other):
            return self._fast_inplace("multiply", other)
        return self._inplace(lambda old: old * other, other)

    def div_(self, other, *, rounding_mode=None):
        """``self /= other`` in place; ``rounding_mode`` (None, ``"trunc"``, ``"floor"``) as in :meth:`div`.

        True division of an integer tensor raises: its float result cannot be written back.

        >>> import nanotorch
        >>> nanotorch.tensor([3.0, -3.0]).div_(2, rounding_mode="floor")
        tensor([ 1., -2.])
        """
        if rounding_mode is None and not self._needs_record(other):
            return self._fast_inplace("true_divide", other)
        return self._inplace(lambda old: old.div(other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        """``self **= exponent`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([2.0, 3.0]).pow_(2)
        tensor([4., 9.])
        """
        return self._inplace(lambda old: old ** exponent, exponent)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        """``self += value * tensor1 * tensor2`` in place (the operands broadcast to self's shape).

        >>> import nanotorch
        >>> a, b = nanotorch.tensor([1.0, 2.0]), nanotorch.tensor([3.0, 4.0])
        >>> nanotorch.zeros(2).addcmul_(a, b, value=0.5)
        tensor([1.5000, 4.0000])
        """
        if not (self._needs_record(tensor1) or self._needs_record(tensor2)):
            x, y, backend = E.binary_operands(tensor1, tensor2)
            return self._fast_inplace("add", wrap(backend.multiply(x, y), backend), value)
        return self.add_(tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        """``self += value * tensor1 / tensor2`` in place (the operands broadcast to self's shape).

        >>> import nanotorch
        >>> nanotorch.ones(2).addcdiv_(nanotorch.tensor([1.0, 2.0]), nanotorch.tensor([4.0, 4.0]))
        tensor([1.2500, 1.5000])
        """
        if not (self._needs_record(tensor1) or self._needs_record(tensor2)):
            x, y, backend = E.binary_operands(tensor1, tensor2)
            return self._fast_inplace("add", wrap(backend.true_divide(x, y), backend), value)
        return self.add_(tensor1 / tensor2 * value if value != 1 else tensor1 / tensor2)

    def lerp_(self, end, weight):
        """``self += weight * (end - self)`` in place: linear interpolation toward ``end``.

        >>> import nanotorch
        >>> nanotorch.zeros(2).lerp_(nanotorch.tensor([10.0, 20.0]), 0.25)
        tensor([2.5000, 5.0000])
        """
        return self._inplace(lambda old: old.lerp(end, weight), end)

    def neg_(self):
        """``self = -self`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, -2.0]).neg_()
        tensor([-1.,  2.])
        """
        return self._inplace(lambda old: -old)

    def abs_(self):
        """``self = |self|`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0, -2.0]).abs_()
        tensor([1., 2.])
        """
        return self._inplace(lambda old: old.abs())

    def exp_(self):
        """``self = exp(self)`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0]).exp_()
        tensor([1.])
        """
        return self._inplace(lambda old: old.exp())

    def log_(self):
        """``self = log(self)`` in place (natural log); returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).log_()
        tensor([0.])
        """
        return self._inplace(lambda old: old.log())

    def sqrt_(self):
        """``self = sqrt(self)`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([4.0, 9.0]).sqrt_()
        tensor([2., 3.])
        """
        return self._inplace(lambda old: old.sqrt())

    def sigmoid_(self):
        """``self = 1 / (1 + exp(-self))`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0]).sigmoid_()
        tensor([0.5000])
        """
        return self._inplace(lambda old: old.sigmoid())

    def tanh_(self):
        """``self = tanh(self)`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0]).tanh_()
        tensor([0.])
        """
        return self._inplace(lambda old: old.tanh())

    def relu_(self):
        """``self = max(self, 0)`` in place; returns self.

        >>> import nanotorch
        >>> nanotorch.tensor([-1.0, 2.0]).relu_()
        tensor([0., 2.])
        """
        return self._inplace(lambda old: old.relu())

    def clamp_(self, min=None, max=None):
        """Limit self to ``[min, max]`` in place (a bound may be None or a tensor); ``clip_`` is an alias.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 0.5, 3.0]).clamp_(-1, 1)
        tensor([-1.0000,  0.5000,  1.0000])
        """
        return self._inplace(lambda old: old.clamp(min, max), min, max)

    clip_ = clamp_

    def clamp_min_(self, min):
        """``clamp_(min=min)``: raise values below ``min`` to it, in place.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 3.0]).clamp_min_(0)
        tensor([0., 3.])
        """
        return self.clamp_(min=min)

    def clamp_max_(self, max):
        """``clamp_(max=max)``: lower values above ``max`` to it, in place.

        >>> import nanotorch
        >>> nanotorch.tensor([-2.0, 3.0]).clamp_max_(0)
        tensor([-2.,  0.])
        """
        return self.clamp_(max=max)

    def masked_fill_(self, mask, value):
        """Write ``value`` where the bool ``mask`` (broadcast to self's shape) is True, in place.

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.0, -2.0, 3.0])
        >>> x.masked_fill_(x < 0, 0.0)
        tensor([1., 0., 3.])
        """
        return self._inplace(lambda old: old.masked_fill(mask, value), value)

    def scatter_add_(self, dim, index, src):
        """In-place :meth:`scatter_add`: add ``src`` into self at ``index`` along ``dim``.

        >>> import nanotorch
        >>> nanotorch.zeros(3).scatter_add_(0, nanotorch.tensor([1, 1]), nanotorch.ones(2))
        tensor([0., 2., 0.])
        """
        return self._inplace(lambda old: old.scatter_add(dim, index, src), src)

    def scatter_(self, dim, index, src=None, *, value=None):
        """In-place :meth:`scatter`: write ``src`` (or ``value``) into self at ``index`` along ``dim``.

        >>> import nanotorch
        >>> nanotorch.zeros(3).scatter_(0, nanotorch.tensor([2]), value=5.0)
        tensor([0., 0., 5.])
        """
        return self._inplace(lambda old: old.scatter(dim, index, src, value=value), src)

    def index_add_(self, dim, index, source, *, alpha=1):
        """In-place :meth:`index_add`: add ``alpha * source`` at the positions ``index`` along ``dim``.

        >>> import nanotorch
        >>> nanotorch.zeros(3).index_add_(0, nanotorch.tensor([0, 2]), nanotorch.tensor([1.0, 2.0]))
        tensor([1., 0., 2.])
        """
        return self._inplace(lambda old: old.index_add(dim, index, source, alpha=alpha), source)

    def zero_(self):
        """Fill with zeros in place; returns self.

        >>> import nanotorch
        >>> nanotorch.ones(2).zero_()
        tensor([0., 0.])
        """
        return self.fill_(0)

    def fill_(self, value):
        """Fill with ``value`` (a number or 0-d tensor) in place; returns self.

        >>> import nanotorch
        >>> nanotorch.zeros(2, dtype=nanotorch.int64).fill_(7)
        tensor([7, 7])
        """
        if isinstance(value, tensor_type()):
            if value.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            if value._requires_grad and _grad_state.enabled:
                return self._inplace(lambda old: old * 0 + value, value)
            value = value.item()
        else:
            value = as_scalar(value, "value")
        if self._needs_record():
            return self._inplace(lambda old: old * 0 + value)
        self._data[...] = value
        bump_version(self)
        return self

    def copy_(self, src, non_blocking=False):
        """Copy ``src`` into self's memory, broadcast to self's shape and converted to its dtype and device.

        Differentiable: the gradient flows to ``src``.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 2)
        >>> x.copy_(nanotorch.tensor([1, 2]))
        tensor([[1., 2.],
                [1., 2.]])
        """
        T = tensor_type()
        if not isinstance(src, T):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
        if src._backend.device_type != self._backend.device_type or src.device != self.device:
            src = src.to(self.device)
        if self._needs_record(src):
            return self._inplace(lambda old: (old * 0 + src.to(self.dtype)), src)
        try:
            self._data[...] = src._data
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({list(self.shape)}) must match the size of "
                               f"tensor b ({list(src.shape)})") from None
        bump_version(self)
        return self

    def set_(self, source):
        """Make self use ``source``'s memory (shape and dtype too); the two then share storage.

        >>> import nanotorch
        >>> x, y = nanotorch.zeros(2), nanotorch.ones(3)
        >>> x.set_(y).shape
        nanotorch.Size([3])
        """
        self._data = source._data
        bump_version(self)
        return self

    # --- new tensors like this one ----------------------------------------------------
    def _new(self, array, dtype, requires_grad):
        T = tensor_type()
        out = T._wrap(array, self._backend)
        if requires_grad:
            out.requires_grad = True
        return out

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """A tensor of zeros of shape ``size`` with self's dtype and device (unless given).

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2]).new_zeros(2, 2)
        tensor([[0, 0],
                [0, 0]])
        """
        return self._new_full(shape_arg(size), 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """A tensor of ones of shape ``size`` with self's dtype and device (unless given).

        >>> import nanotorch
        >>> nanotorch.zeros(1, dtype=nanotorch.float64).new_ones(2).dtype
        nanotorch.float64
        """
        return self._new_full(shape_arg(size), 1, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """An uninitialised (here zero-filled) tensor of shape ``size`` with self's dtype and device.

        >>> import nanotorch
        >>> nanotorch.zeros(1).new_empty(3, 2).shape
        nanotorch.Size([3, 2])
        """
        return self._new_full(shape_arg(size), 0, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """A tensor of shape ``size`` filled with ``fill_value``, with self's dtype and device.

        >>> import nanotorch
        >>> nanotorch.zeros(1).new_full((2,), 3)
        tensor([3., 3.])
        """
        return self._new_full(shape_arg((size,)), fill_value, dtype, device, requires_grad)

    def _new_full(self, shape, value, dtype, device, requires_grad):
        from ._creation import full
        return full(shape, value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """A new tensor copied from ``data``, with self's dtype and device (unless given).

        >>> import nanotorch
        >>> nanotorch.zeros(1, dtype=nanotorch.float64).new_tensor([1, 2]).dtype
        nanotorch.float64
        """
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    # --- random fills (nn.init uses these) ------------------------------------------------
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill in place with samples from U(a, b); shape and dtype unchanged.

        >>> import nanotorch
        >>> x = nanotorch.empty(1000).uniform_(-1, 1)
        >>> bool((x >= -1).all() and (x < 1).all())
        True
        """
        from .random import _generator
        data = _generator(generator).uniform(a, b, self._data.shape)
        return self._fill_from_numpy(data)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill in place with samples from N(mean, std²); shape and dtype unchanged.

        >>> import nanotorch
        >>> nanotorch.empty(2, 3).normal_(0.0, 0.02).shape
        nanotorch.Size([2, 3])
        """
        from .random import _generator
        data = _generator(generator).normal(mean, std, self._data.shape)
        return self._fill_from_numpy(data)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill in place with 1 with probability ``p``, else 0 (in self's dtype).

        >>> import nanotorch
        >>> nanotorch.empty(4).bernoulli_(1.0)
        tensor([1., 1., 1., 1.])
        """
        from .random import _generator
        data = _generator(generator).random(self._data.shape) < p
        return self._fill_from_numpy(data)

    def random_(self, low=0, high=None, *, generator=None):
        """Fill in place with integers drawn uniformly from ``[low, high)``; ``random_(n)``: ``[0, n)``.

        >>> import nanotorch
        >>> x = nanotorch.empty(100, dtype=nanotorch.int64).random_(3)
        >>> sorted(set(x.tolist())) <= [0, 1, 2]
        True
        """
        from .random import _generator
        if high is None:
            low, high = 0, low if low else 2 ** 24
        data = _generator(generator).integers(low, high, self._data.shape)
        return self._fill_from_numpy(data)

    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill in place from the exponential distribution of rate ``lambd`` (mean ``1/lambd``).

        >>> import nanotorch
        >>> bool((nanotorch.empty(100).exponential_(2.0) >= 0).all())
        True
        """
        from .random import _generator
        return self._fill_from_numpy(_generator(generator).exponential(1.0 / lambd, self._data.shape))

    def _fill_from_numpy(self, data):
        self._data[...] = self._backend.from_numpy(data.astype(self._data.dtype, copy=False))
        bump_version(self)
        return self
