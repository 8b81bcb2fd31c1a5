"""Zero-copy exchange through DLPack: ``from_dlpack`` and the tensor side of the protocol.

Any object with ``__dlpack__`` and ``__dlpack_device__`` (numpy, CuPy,
PyTorch, JAX arrays, and nanotorch tensors themselves) becomes a tensor
that shares its memory: host memory through ``numpy.from_dlpack``, GPU
memory through ``cupy.from_dlpack``.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._device import device as _device_cls
from ..backends import backend_for_device
from ..tensor import Tensor

__all__ = ["from_dlpack"]

# DLPack device type codes (dlpack.h: DLDeviceType)
_CPU, _CUDA, _CUDA_HOST, _CUDA_MANAGED = 1, 2, 3, 13


def from_dlpack(x, /, *, device=None, copy=None):
    """A tensor sharing memory with any DLPack-capable array (numpy, CuPy, PyTorch, JAX, ...).

    ``copy=True`` always copies, ``copy=False`` never does (the producer
    raises if it would have to), ``None`` copies only when needed.
    ``device`` moves the result (a copy) when it differs from the source's.

    >>> import numpy as np, nanotorch
    >>> a = np.arange(3.0)
    >>> t = nanotorch.from_dlpack(a); a[0] = 7
    >>> t
    tensor([7., 1., 2.], dtype=nanotorch.float64)
    """
    if isinstance(x, Tensor):
        out = x.clone() if copy else x
        return out if device is None else out.to_device(device)
    if not hasattr(x, "__dlpack_device__"):
        raise TypeError(f"from_dlpack(): {type(x).__name__} does not support the DLPack protocol "
                        "(it has no __dlpack_device__ method)")
    kind, index = (int(v) for v in x.__dlpack_device__())
    if kind in (_CPU, _CUDA_HOST):
        kwargs = {} if copy is None else {"copy": copy}
        array = np.from_dlpack(x, **kwargs)
        D.from_numpy_dtype(array.dtype)
        out = Tensor._wrap(array, backend_for_device("cpu"))
    elif kind in (_CUDA, _CUDA_MANAGED):
        backend = backend_for_device(_device_cls("cuda", index))
        array = backend.xp.from_dlpack(x)
        if copy:
            array = array.copy()
        out = Tensor._wrap(array, backend)
    else:
        raise BufferError(f"from_dlpack(): DLPack device type {kind} is neither a CPU nor a "
                          "CUDA device, which are the ones nanotorch runs on")
    return out if device is None else out.to_device(device)
