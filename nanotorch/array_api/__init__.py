"""``nanotorch.array_api``: the Python Array API standard (2024.12) over nanotorch tensors.

Code written once against the standard runs here unchanged, on the CPU or a
GPU, and is differentiable: every function takes and returns
:class:`nanotorch.Tensor`, and the numeric ones are built from nanotorch's
differentiable ops, so ``.backward()`` works through them.

>>> import nanotorch
>>> x = nanotorch.tensor([0.5, -1.0, 2.0], dtype=nanotorch.float64, requires_grad=True)
>>> xp = x.__array_namespace__()
>>> loss = xp.sum(xp.log1p(xp.exp(-x)))          # logistic loss, written the standard way
>>> loss.backward()
>>> x.grad
tensor([-0.3775, -0.7311, -0.1192], dtype=nanotorch.float64)

The namespace follows the standard's type promotion (no mixing of kinds:
``int32`` with ``float32`` raises ``TypeError``, as in ``array-api-strict``);
``Tensor``'s own operators keep torch's rules. See ``docs/array_api.rst``.
"""
from __future__ import annotations

from .. import _dtype as _D
from . import fft, linalg
from ._creation import *  # noqa: F401,F403
from ._creation import __all__ as _creation_all
from ._data_types import *  # noqa: F401,F403
from ._data_types import __all__ as _data_types_all
from ._dlpack import from_dlpack
from ._elementwise import *  # noqa: F401,F403
from ._elementwise import __all__ as _elementwise_all
from ._info import __array_namespace_info__
from ._linear_algebra import *  # noqa: F401,F403
from ._linear_algebra import __all__ as _linear_algebra_all
from ._manipulation import *  # noqa: F401,F403
from ._manipulation import __all__ as _manipulation_all
from ._search_sort_set import *  # noqa: F401,F403
from ._search_sort_set import __all__ as _search_sort_set_all
from ._statistics import *  # noqa: F401,F403
from ._statistics import __all__ as _statistics_all

__array_api_version__ = "2024.12"

bool = _D.bool
int8, int16, int32, int64 = _D.int8, _D.int16, _D.int32, _D.int64
uint8, uint16, uint32, uint64 = _D.uint8, _D.uint16, _D.uint32, _D.uint64
float32, float64 = _D.float32, _D.float64
complex64, complex128 = _D.complex64, _D.complex128

e = 2.718281828459045
pi = 3.141592653589793
inf = float("inf")
nan = float("nan")
newaxis = None

_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float32", "float64", "complex64", "complex128"]

__all__ = sorted(set(_creation_all + _data_types_all + _elementwise_all + _linear_algebra_all
                     + _manipulation_all + _search_sort_set_all + _statistics_all + _DTYPES
                     + ["from_dlpack", "__array_namespace_info__", "__array_api_version__",
                        "e", "pi", "inf", "nan", "newaxis", "linalg", "fft"]))
