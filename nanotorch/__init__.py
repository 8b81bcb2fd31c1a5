"""nanotorch: a small, readable deep-learning framework with PyTorch's API.

``import nanotorch as torch`` and an ordinary torch-style script runs: tensors
with autograd, ``nn``, ``optim`` and ``utils.data``, on numpy (the reference),
numba-compiled CPU kernels or CuPy on a GPU, chosen by ``NANOTORCH_BACKEND``.

>>> import nanotorch as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

import warnings as _warnings

# Like torch, ops that produce nan or inf do so silently; numpy's floating-point
# warnings are silenced only where nanotorch's own code raised them.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"nanotorch(\.|$)",
                         message=r"(divide by zero|invalid value|overflow|underflow) encountered")

from . import _dtype  # noqa: E402
from ._creation import *  # noqa: F401,F403  (factories)
from ._creation import __all__ as _creation_all
from ._device import device
from ._dtype import (bfloat16, bool, can_cast, cdouble, cfloat, complex64, complex128, double,
                     dtype, float, float16, float32, float64, get_default_dtype, half, int,
                     int8, int16, int32, int64, long, promote_types, result_type,
                     set_default_dtype, short, uint8)
from ._functions import FUNCTIONS as _FUNCTIONS
from .autograd import Function, enable_grad, inference_mode, is_grad_enabled, no_grad, \
    set_grad_enabled, is_inference_mode_enabled
from .backends import get_default_backend, set_default_backend
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, \
    seed, set_rng_state
from .tensor import Size, Tensor
from . import autograd, backends  # noqa: E402
from .array_api._dlpack import from_dlpack  # noqa: E402  (DLPack import, Array API)

globals().update(_FUNCTIONS)

# Training: layers, optimizers, data loading and checkpoints (they import the core above).
from . import nn, optim, utils  # noqa: E402
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"

__all__ = sorted(set(_creation_all) | set(_FUNCTIONS) | {
    "Tensor", "Size", "device", "dtype", "Function", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "Generator",
    "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "set_default_backend", "get_default_backend", "autograd", "backends",
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
    "bfloat16", "complex64", "complex128", "half", "float", "double", "short", "int", "long",
    "cfloat", "cdouble",
})
