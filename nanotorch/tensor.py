"""``Tensor``: one backend array, its device, and its place in the autograd graph.

A tensor owns three things: ``_data`` (a numpy or cupy array), ``_backend``
(the object whose kernels run on it) and autograd metadata (``requires_grad``,
``grad``, ``grad_fn``). Every method that computes something calls an op from
``nanotorch.ops``; this file only routes, checks arguments and converts.
The computing methods live in four mixins, one room each: ``_tensor_math.py``
(operators and elementwise math), ``_tensor_reduce.py``, ``_tensor_shape.py``
(views, joins, indexing) and ``_tensor_inplace.py``.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import _dtype
from ._device import device as _device_cls
from ._tensor_inplace import InPlaceMethods
from ._tensor_math import MathMethods
from ._tensor_reduce import ReductionMethods
from ._tensor_shape import ShapeMethods
from ._tensor_str import tensor_repr
from .autograd.function import _bind_tensor, leaf_accumulator, share_version
from .autograd.grad_mode import state as _grad_state
from .backends import backend_for_device

__all__ = ["Tensor", "Size"]


class Size(tuple):
    """A tensor's shape: a tuple that prints like torch's ``Size``.

    >>> import nanotorch
    >>> nanotorch.zeros(2, 3).shape
    nanotorch.Size([2, 3])
    """

    __slots__ = ()

    def __repr__(self):
        return f"nanotorch.Size({list(self)})"

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n


class _Kernels:
    """``t.f``: the backend's raw kernels on tensors, the lecture's ``t.f.inv_map(t)``.

    Each attribute is a backend kernel that takes and returns tensors. These
    are *kernels*, not differentiable ops: use them inside a ``Function``.
    """

    __slots__ = ("_backend",)

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        kernel = getattr(self._backend, name)
        backend = self._backend

        def call(*args, **kwargs):
            raw = [a._data if isinstance(a, Tensor) else a for a in args]
            out = kernel(*raw, **kwargs)
            return Tensor._wrap(out, backend) if backend.is_array(out) else out
        call.__name__ = name
        call.__doc__ = kernel.__doc__
        return call


class Tensor(MathMethods, ReductionMethods, ShapeMethods, InPlaceMethods):
    """A multi-dimensional array with autograd, like ``torch.Tensor``.

    Create tensors with :func:`nanotorch.tensor` and the other factories;
    ``Tensor(data)`` also works and behaves like ``nanotorch.tensor(data)``.

    >>> import nanotorch
    >>> x = nanotorch.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[2., 4.]])
    """

    __slots__ = ("_data", "_backend", "_requires_grad", "grad", "grad_fn", "_output_nr",
                 "_vcell", "_accumulator", "_hooks", "_retains_grad", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    def __init__(self, data=None, *, dtype=None, device=None, requires_grad=False):
        from ._creation import tensor as make
        made = make([] if data is None else data, dtype=dtype, device=device,
                    requires_grad=requires_grad)
        self._adopt(made._data, made._backend)
        self.requires_grad = requires_grad

    def _adopt(self, data, backend):
        self._data = data
        self._backend = backend
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._vcell = None
        self._accumulator = None
        self._hooks = None
        self._retains_grad = False

    @staticmethod
    def _wrap(data, backend):
        """A tensor around a raw backend array, outside the graph (the hot-path constructor)."""
        t = _new_tensor(Tensor)
        t._data = data
        t._backend = backend
        t._requires_grad = False
        t.grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._vcell = None
        t._accumulator = None
        t._hooks = None
        t._retains_grad = False
        return t

    __hash__ = object.__hash__

    # --- metadata ------------------------------------------------------------
    @property
    def shape(self):
        """The size of each dimension, as a :class:`Size`."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """``size()`` is the shape; ``size(d)`` the length of dim ``d``."""
        if dim is None:
            return Size(self._data.shape)
        from .ops._util import normalize_dim
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    def dim(self):
        """The number of dimensions."""
        return self._data.ndim

    @property
    def ndim(self):
        """The number of dimensions."""
        return self._data.ndim

    def ndimension(self):
        return self._data.ndim

    def numel(self):
        """The number of elements."""
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        """The element type, e.g. ``nanotorch.float32``."""
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        """Where the data lives: ``device(type='cpu')`` or ``device(type='cuda', index=0)``."""
        return self._backend.device_of(self._data)

    @property
    def is_cuda(self):
        return self._backend.device_type == "cuda"

    @property
    def itemsize(self):
        return self._data.itemsize

    def element_size(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self):
        return int(self._data.nbytes)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        """Strides in elements (not bytes), like torch."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[dim]

    def data_ptr(self):
        return self._backend.data_ptr(self._data) if hasattr(self._backend, "data_ptr") \
            else self._data.__array_interface__["data"][0]

    @property
    def f(self):
        """The backend kernels on this tensor's device (the lecture's ``t.f``)."""
        return _Kernels(self._backend)

    # --- autograd metadata ---------------------------------------------------
    @property
    def requires_grad(self):
        """Whether gradients are computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if flag and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               f"gradients (got {self.dtype})")
        if not flag and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        self._requires_grad = flag

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (honouring ``False``) and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors made by the user (not by a recorded op)."""
        return self.grad_fn is None

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version(self):
        """How many times this tensor's memory was modified in place (shared with its views)."""
        return 0 if self._vcell is None else self._vcell[0]

    @property
    def data(self):
        """The same storage as a tensor outside the graph."""
        return self.detach()

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data
        self._backend = value._backend

    def _grad_edge(self):
        return self.grad_fn if self.grad_fn is not None else leaf_accumulator(self)

    def detach(self):
        """A tensor sharing this one's memory, cut from the graph."""
        out = Tensor._wrap(self._data, self._backend)
        share_version(out, self)
        return out

    def detach_(self):
        """Cut this tensor from the graph, in place."""
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    def _detached_copy(self):
        out = Tensor._wrap(self._backend.xp.array(self._data, copy=True), self._backend)
        return out

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                g = grad if _grad_state.enabled else grad.detach()
                t.grad = g._detached_copy() if t.grad is None else t.grad + g
        self.grad_fn._add_pre_hook(self._output_nr, keep)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            hooks = self.grad_fn._pre_hooks
            self.grad_fn._add_pre_hook(self._output_nr, hook)
            hooks = self.grad_fn._pre_hooks[self._output_nr]
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
            hooks.append(hook)
        return _HookHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves, into their ``.grad``.

        ``gradient`` is required unless the tensor has one element.
        ``retain_graph`` keeps the graph for another backward;
        ``create_graph`` records the backward so it can be differentiated again.
        """
        from .autograd import backward as _backward
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- conversion ----------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._backend.to_numpy(self._data).reshape(()).item()

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return self._backend.to_numpy(self._data).tolist()

    def numpy(self, *, force=False):
        """The data as a numpy array sharing memory (on the CPU)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if self._backend.device_type != "cpu" and not force:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. "
                            "Use Tensor.cpu() to copy the tensor to host memory first.")
        return self._backend.to_numpy(self._data)

    def __array__(self, dtype=None, copy=None):
        array = self._backend.to_numpy(self._data)
        if dtype is not None:
            array = array.astype(dtype, copy=False)
        return np.array(array, copy=True) if copy else array

    # --- Array API standard: namespace, DLPack, device transfer -------------------
    def __array_namespace__(self, /, *, api_version=None):
        """``nanotorch.array_api``, the Array API standard namespace for tensors."""
        if api_version not in (None, "2021.12", "2022.12", "2023.12", "2024.12"):
            raise ValueError(f"unsupported Array API version {api_version!r}; this is 2024.12")
        from . import array_api
        return array_api

    def __dlpack__(self, /, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export the memory through DLPack (``numpy.from_dlpack(t)`` shares it)."""
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        kwargs = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                                    ("dl_device", dl_device), ("copy", copy)) if v is not None}
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        """``(device type, index)`` in DLPack's codes: (1, 0) for the CPU, (2, n) for cuda:n."""
        return self._data.__dlpack_device__()

    def to_device(self, device, /, *, stream=None):
        """This tensor on ``device`` (the Array API spelling of ``to(device)``)."""
        return self.to(device)

    def __repr__(self):
        return tensor_repr(self)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def _scalar(self, kind):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return kind(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __int__(self):
        return self._scalar(int)

    def __float__(self):
        return self._scalar(float)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __reduce_ex__(self, protocol):
        # Pickling (for multiprocessing, deepcopy) goes through numpy on the CPU.
        return (_rebuild, (self._backend.to_numpy(self._data), str(self.device), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        out = type(self).__new__(type(self))
        Tensor._adopt(out, self._backend.xp.array(self._data, copy=True), self._backend)
        out._requires_grad = self._requires_grad
        if self.grad is not None:
            out.grad = self.grad.__deepcopy__(memo)
        for key, value in getattr(self, "__dict__", {}).items():
            out.__dict__[key] = value
        memo[id(self)] = out
        return out

    # --- dtype and device ----------------------------------------------------
    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)``: a converted tensor.

        Returns ``self`` when nothing changes, like torch.
        """
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype, dev = arg.dtype, arg.device
            elif isinstance(arg, (_dtype.dtype, type)) or (isinstance(arg, str) and arg in _dtype._BY_NAME):
                dtype = arg
            elif isinstance(arg, (str, _device_cls)):
                dev = arg
            elif arg is not None:
                raise TypeError(f"to() received an invalid argument: {arg!r}")
        out = self
        if dev is not None:
            out = out._to_device(_device_cls(dev) if not isinstance(dev, _device_cls) else dev)
        if dtype is not None:
            target = _dtype.to_dtype(dtype)
            if target.np != out._data.dtype:
                from .ops.shape import ToDtype
                out = ToDtype.apply(out, target.np)
        if copy and out is self:
            out = self.clone()
        return out

    def _to_device(self, dev):
        target = backend_for_device(dev)
        if target is self._backend or (target.device_type == self._backend.device_type == "cpu"):
            if dev.index is None or dev == self.device:
                return self
        from .ops.device import ToDevice
        return ToDevice.apply(self, target, dev)

    def cpu(self):
        """This tensor on the CPU (itself if already there)."""
        return self.to("cpu")

    def cuda(self, device=None):
        """This tensor on a GPU (``cuda:0`` unless ``device`` says otherwise)."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def type(self, dtype=None):
        if dtype is None:
            return f"nanotorch.{ {'f': 'Float', 'i': 'Long', 'b': 'Bool'}.get(self._data.dtype.kind, '')}Tensor"
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def short(self):
        return self.to(_dtype.int16)

    def bool(self):
        return self.to(_dtype.bool)

    def byte(self):
        return self.to(_dtype.uint8)

    def cfloat(self):
        return self.to(_dtype.complex64)

    def cdouble(self):
        return self.to(_dtype.complex128)


_new_tensor = object.__new__


def _rebuild(array, device, requires_grad):
    from ._creation import tensor
    return tensor(array, device=device, requires_grad=requires_grad)


class _HookHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook out again."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


_bind_tensor(Tensor)
