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

import warnings
import weakref

import numpy as np

from . import _dtype
from ._device import device as _device_cls
from ._tensor_inplace import InPlaceMethods
from ._tensor_math import MathMethods
from ._tensor_reduce import ReductionMethods
from ._tensor_shape import ShapeMethods
from ._tensor_str import tensor_repr
from .autograd import backward as _autograd_backward
from .autograd.function import _bind_tensor, leaf_accumulator, share_version
from .autograd.grad_mode import state as _grad_state
from .backends import backend_for_device
from .ops._util import normalize_dim

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
        """The number of elements a tensor of this shape holds (the product of the sizes).

        >>> import nanotorch
        >>> nanotorch.Size([2, 3, 4]).numel()
        24
        """
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


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.")


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

    # ``_view_of`` is set only on views made by indexing, ``(base, key)``: ops never write it,
    # and reading it goes through getattr with a default
    __slots__ = ("_data", "_backend", "_requires_grad", "_grad", "grad_fn", "_output_nr",
                 "_vcell", "_accumulator", "_hooks", "_retains_grad", "_view_of", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    def __init__(self, data=None, *, dtype=None, device=None, requires_grad=False):
        from ._creation import tensor as make
        made = make([] if data is None else data, dtype=dtype, device=device,
                    requires_grad=requires_grad)
        self._adopt(made._data, made._backend)
        self.requires_grad = requires_grad

    def _adopt(self, data, backend):
        """Fill every slot: ``data`` on ``backend``, a leaf with no gradient and no history."""
        self._data = data
        self._backend = backend
        self._requires_grad = False
        self._grad = None
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
        t._adopt(data, backend)
        return t

    @staticmethod
    def _wrap_raw(data, backend):
        """``_wrap`` for a result of raw arithmetic, where numpy may have made a 0-d array a scalar."""
        if not backend.is_array(data):
            data = backend.xp.asarray(data)
        return Tensor._wrap(data, backend)

    __hash__ = object.__hash__

    # --- metadata ------------------------------------------------------------
    @property
    def shape(self):
        """The size of each dimension, as a :class:`Size` (a tuple).

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3).shape
        nanotorch.Size([2, 3])
        """
        return Size(self._data.shape)

    def size(self, dim=None):
        """``size()`` is the shape (a :class:`Size`); ``size(d)`` the length of dim ``d`` (an int).

        Negative ``d`` counts from the last dim.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3)
        >>> x.size(), x.size(-1)
        (nanotorch.Size([2, 3]), 3)
        """
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    def dim(self):
        """The number of dimensions (0 for a scalar tensor).

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3).dim(), nanotorch.tensor(1.0).dim()
        (2, 0)
        """
        return self._data.ndim

    @property
    def ndim(self):
        """The number of dimensions, as a property (``dim()`` as a method).

        >>> import nanotorch
        >>> nanotorch.zeros(4, 1, 2).ndim
        3
        """
        return self._data.ndim

    def ndimension(self):
        """The number of dimensions; an alias of :meth:`dim`.

        >>> import nanotorch
        >>> nanotorch.zeros(4, 2).ndimension()
        2
        """
        return self._data.ndim

    def numel(self):
        """The number of elements (the product of the shape); ``nelement`` is an alias.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3).numel()
        6
        """
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        """The element type, e.g. ``nanotorch.float32``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).dtype, nanotorch.tensor([1]).dtype
        (nanotorch.float32, nanotorch.int64)
        """
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        """Where the data lives: ``device(type='cpu')`` or ``device(type='cuda', index=0)``.

        >>> import nanotorch
        >>> nanotorch.zeros(2).device
        device(type='cpu')
        """
        return self._backend.device_of(self._data)

    @property
    def is_cuda(self):
        """True when the tensor lives on a GPU (the cupy backend).

        >>> import nanotorch
        >>> nanotorch.zeros(2).is_cuda
        False
        """
        return self._backend.device_type == "cuda"

    @property
    def itemsize(self):
        """Bytes per element, as a property (``element_size()`` as a method).

        >>> import nanotorch
        >>> nanotorch.zeros(2, dtype=nanotorch.float64).itemsize
        8
        """
        return self._data.itemsize

    def element_size(self):
        """Bytes per element.

        >>> import nanotorch
        >>> nanotorch.zeros(2).element_size()
        4
        """
        return self._data.itemsize

    @property
    def nbytes(self):
        """Bytes held by the elements: ``numel() * element_size()``.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3).nbytes
        24
        """
        return int(self._data.nbytes)

    def is_floating_point(self):
        """True for floating dtypes (``float16``, ``float32``, ``float64``).

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).is_floating_point(), nanotorch.tensor([1]).is_floating_point()
        (True, False)
        """
        return self._data.dtype.kind == "f"

    def is_complex(self):
        """True for complex dtypes (``complex64``, ``complex128``).

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).is_complex()
        False
        """
        return self._data.dtype.kind == "c"

    def is_contiguous(self):
        """True when the elements lie in memory in row-major (C) order without gaps.

        Views such as ``t()`` or ``permute`` usually are not; :meth:`contiguous` makes a copy that is.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3)
        >>> x.is_contiguous(), x.t().is_contiguous()
        (True, False)
        """
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        """Strides in elements (not bytes), like torch: the step in memory for each dim.

        ``stride()`` gives all of them as a tuple, ``stride(d)`` one.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3)
        >>> x.stride(), x.t().stride(), x.stride(1)
        ((3, 1), (1, 3), 1)
        """
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[dim]

    def data_ptr(self):
        """The address of the first element in memory, as an int.

        Views that start at the same element share it.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3)
        >>> x.view(6).data_ptr() == x.data_ptr()
        True
        """
        return self._backend.data_ptr(self._data) if hasattr(self._backend, "data_ptr") \
            else self._data.__array_interface__["data"][0]

    @property
    def f(self):
        """The backend kernels on this tensor's device (the lecture's ``t.f``).

        Each kernel takes and returns tensors but is not differentiable: use these
        inside a :class:`~nanotorch.autograd.Function`.

        >>> import nanotorch
        >>> x = nanotorch.tensor([2.0, 4.0])
        >>> x.f.inv_map(x)
        tensor([0.5000, 0.2500])
        """
        return _Kernels(self._backend)

    # --- autograd metadata ---------------------------------------------------
    @property
    def requires_grad(self):
        """Whether gradients are computed for this tensor; settable on leaves.

        Only floating and complex tensors can require gradients.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2)
        >>> x.requires_grad = True
        >>> x.requires_grad, (x * 2).requires_grad
        (True, True)
        """
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
        """Set ``requires_grad`` in place (honouring ``False``) and return self.

        >>> import nanotorch
        >>> nanotorch.zeros(2).requires_grad_()
        tensor([0., 0.], requires_grad=True)
        """
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The gradient accumulated by ``backward``: a tensor shaped like this one, or None.

        Only leaves get one (and non-leaves that called :meth:`retain_grad`);
        reading it on any other non-leaf warns, as in torch, since it stays None.

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
        """
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value

    @property
    def is_leaf(self):
        """True for tensors made by the user (not by a recorded op); only leaves get ``.grad``.

        >>> import nanotorch
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> x.is_leaf, (x * 2).is_leaf
        (True, False)
        """
        return self.grad_fn is None

    @property
    def retains_grad(self):
        """True once :meth:`retain_grad` was called on this non-leaf tensor.

        >>> import nanotorch
        >>> y = nanotorch.ones(2, requires_grad=True) * 2
        >>> y.retain_grad()
        >>> y.retains_grad
        True
        """
        return self._retains_grad

    @property
    def output_nr(self):
        """Which output of its ``grad_fn`` this tensor is (0 for single-output ops and leaves).

        >>> import nanotorch
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> x.output_nr, (x * 2).output_nr
        (0, 0)
        """
        return self._output_nr

    @property
    def _version(self):
        """How many times this tensor's memory was modified in place (shared with its views)."""
        return 0 if self._vcell is None else self._vcell[0]

    @property
    def data(self):
        """The same storage as a tensor outside the graph; assigning replaces the storage.

        Writes through ``.data`` are not seen by autograd (prefer :meth:`detach`
        with ``no_grad``).

        >>> import nanotorch
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> x.data.mul_(3)
        tensor([3., 3.])
        >>> x
        tensor([3., 3.], requires_grad=True)
        """
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
        """A tensor sharing this one's memory, cut from the graph (same shape, no copy).

        In-place changes to either are seen by both (and by autograd's version checks).

        >>> import nanotorch
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> y = (x * 2).detach()
        >>> y, y.requires_grad
        (tensor([2., 2.]), False)
        """
        out = Tensor._wrap(self._data, self._backend)
        share_version(out, self)
        return out

    def detach_(self):
        """Cut this tensor from the graph, in place: it becomes a leaf that does not require grad.

        >>> import nanotorch
        >>> y = nanotorch.ones(2, requires_grad=True) * 2
        >>> y.detach_().is_leaf, y.requires_grad
        (True, False)
        """
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    def _detached_copy(self):
        out = Tensor._wrap(self._backend.xp.array(self._data, copy=True), self._backend)
        return out

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves keep it anyway).

        >>> import nanotorch
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> y = x * 3
        >>> y.retain_grad()
        >>> (y * y).sum().backward()
        >>> y.grad
        tensor([6., 6.])
        """
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

        The gradient has this tensor's shape. Returns a handle whose ``remove()``
        unregisters the hook.

        >>> import nanotorch
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> handle = x.register_hook(lambda g: g * 10)
        >>> (x * 2).sum().backward()
        >>> x.grad
        tensor([20., 20.])
        >>> handle.remove()
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
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

        ``gradient`` (same shape as this tensor) is required unless the tensor has
        one element. Gradients accumulate: zero them between steps.
        ``retain_graph`` keeps the graph for another backward;
        ``create_graph`` records the backward so it can be differentiated again;
        ``inputs`` limits which leaves receive ``.grad``.

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
        >>> (x ** 2).backward(nanotorch.ones(2))
        >>> x.grad
        tensor([2., 4.])
        """
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- conversion ----------------------------------------------------------
    def item(self):
        """The value of a one-element tensor (any shape) as a Python number.

        >>> import nanotorch
        >>> nanotorch.tensor([[2.5]]).item(), nanotorch.tensor(3).item()
        (2.5, 3)
        """
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._backend.to_numpy(self._data).reshape(()).item()

    def tolist(self):
        """The data as (nested) Python lists of numbers; a 0-d tensor gives a number.

        >>> import nanotorch
        >>> nanotorch.tensor([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self._backend.to_numpy(self._data).tolist()

    def numpy(self, *, force=False):
        """The data as a numpy array sharing memory (CPU tensors only), same shape and dtype.

        Raises for a tensor that requires grad unless ``force=True``: use
        ``detach().numpy()``.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2)
        >>> a = x.numpy(); a[0] = 7
        >>> x
        tensor([7., 0.])
        """
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
        """This tensor on ``device`` (the Array API spelling of ``to(device)``).

        >>> import nanotorch
        >>> nanotorch.zeros(2).to_device("cpu").device
        device(type='cpu')
        """
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
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        for key, value in getattr(self, "__dict__", {}).items():
            out.__dict__[key] = value
        memo[id(self)] = out
        return out

    # --- dtype and device ----------------------------------------------------
    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)``: a converted tensor.

        Same shape; returns ``self`` when nothing changes, like torch (``copy=True``
        forces a copy). Differentiable: gradients flow back through the conversion.

        >>> import nanotorch
        >>> x = nanotorch.tensor([1.5, 2.5])
        >>> x.to(nanotorch.int64), x.to("cpu") is x
        (tensor([1, 2]), True)
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
        """This tensor on the CPU (itself if already there).

        >>> import nanotorch
        >>> x = nanotorch.zeros(2)
        >>> x.cpu() is x
        True
        """
        return self.to("cpu")

    def cuda(self, device=None):
        """This tensor on a GPU (``cuda:0`` unless ``device`` says otherwise); needs the cupy backend.

        Raises :class:`~nanotorch.backends.BackendUnavailable` where cupy is not installed.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2)
        >>> if "cupy" in nanotorch.backends.available_backends():
        ...     assert x.cuda().device == nanotorch.device("cuda", 0)
        """
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def type(self, dtype=None):
        """``type()`` names the tensor type as a string; ``type(dtype)`` is ``to(dtype)``.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2)
        >>> x.type(), x.type(nanotorch.int64).dtype
        ('nanotorch.FloatTensor', nanotorch.int64)
        """
        if dtype is None:
            return f"nanotorch.{_TYPE_NAMES.get(self.dtype.name, '')}Tensor"
        return self.to(dtype)

    def type_as(self, other):
        """This tensor converted to ``other``'s dtype (``to(other.dtype)``).

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2]).type_as(nanotorch.zeros(1))
        tensor([1., 2.])
        """
        return self.to(other.dtype)

    def float(self):
        """``to(nanotorch.float32)``: a differentiable conversion (self when already float32).

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2]).float()
        tensor([1., 2.])
        """
        return self.to(_dtype.float32)

    def double(self):
        """``to(nanotorch.float64)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2]).double().dtype
        nanotorch.float64
        """
        return self.to(_dtype.float64)

    def half(self):
        """``to(nanotorch.float16)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).half().dtype
        nanotorch.float16
        """
        return self.to(_dtype.float16)

    def long(self):
        """``to(nanotorch.int64)``: floats are truncated toward zero.

        >>> import nanotorch
        >>> nanotorch.tensor([1.7, -1.7]).long()
        tensor([ 1, -1])
        """
        return self.to(_dtype.int64)

    def int(self):
        """``to(nanotorch.int32)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.7]).int().dtype
        nanotorch.int32
        """
        return self.to(_dtype.int32)

    def short(self):
        """``to(nanotorch.int16)``.

        >>> import nanotorch
        >>> nanotorch.tensor([3]).short().dtype
        nanotorch.int16
        """
        return self.to(_dtype.int16)

    def bool(self):
        """``to(nanotorch.bool)``: nonzero is True.

        >>> import nanotorch
        >>> nanotorch.tensor([0.0, 2.0]).bool()
        tensor([False,  True])
        """
        return self.to(_dtype.bool)

    def byte(self):
        """``to(nanotorch.uint8)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 255]).byte().dtype
        nanotorch.uint8
        """
        return self.to(_dtype.uint8)

    def cfloat(self):
        """``to(nanotorch.complex64)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).cfloat().dtype
        nanotorch.complex64
        """
        return self.to(_dtype.complex64)

    def cdouble(self):
        """``to(nanotorch.complex128)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1.0]).cdouble().dtype
        nanotorch.complex128
        """
        return self.to(_dtype.complex128)


_new_tensor = object.__new__

# torch's legacy tensor-type names, by dtype
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


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
