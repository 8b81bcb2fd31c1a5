"""Backend registry: which array library and kernels a tensor runs on.

``NANOTORCH_BACKEND=numpy|numba|cupy`` picks the default backend at import.
Without it, the fastest correct CPU backend that is installed is used
(numba when importable, else numpy). Tensors on ``cuda`` devices always use
the cupy backend; tensors on ``cpu`` use the default CPU backend.

>>> from nanotorch.backends import get_backend, available_backends
>>> get_backend("numpy").name
'numpy'
>>> "numpy" in available_backends()
True
"""
from __future__ import annotations

import importlib
import importlib.util
import os

from .._device import device
from .numpy_backend import NumpyBackend

__all__ = [
    "NumpyBackend", "register_backend", "get_backend", "available_backends",
    "set_default_backend", "get_default_backend", "backend_for_device", "BackendUnavailable",
]


class BackendUnavailable(RuntimeError):
    """A backend's package, driver or hardware is missing (the message says what to install).

    A ``RuntimeError``; :func:`available_backends` lists only the backends that do not raise it.

    >>> from nanotorch.backends import BackendUnavailable, available_backends, get_backend
    >>> for name in ("numpy", "numba", "cupy"):
    ...     try:
    ...         _ = get_backend(name)
    ...     except BackendUnavailable:
    ...         assert name not in available_backends()
    """


# name -> zero-argument factory; instances are made on first use and memoized
_FACTORIES = {}
_INSTANCES = {}


def register_backend(name, factory):
    """Register a backend under ``name``.

    ``factory`` is called once, on first use, and returns a backend object
    (usually a :class:`NumpyBackend` subclass). It raises
    :class:`BackendUnavailable` with one clear sentence if it cannot run here.

    >>> from nanotorch.backends import register_backend, get_backend, NumpyBackend
    >>> class Loud(NumpyBackend):
    ...     name = "loud"
    ...     def relu_map(self, a):
    ...         return self.xp.maximum(a, 0)
    >>> register_backend("loud", Loud)
    >>> get_backend("loud").name
    'loud'
    """
    _FACTORIES[name] = factory
    _INSTANCES.pop(name, None)


def _lazy(module, attr):
    def factory():
        return getattr(importlib.import_module(module, __name__), attr)()
    return factory


register_backend("numpy", NumpyBackend)
register_backend("numba", _lazy(".numba_backend", "NumbaBackend"))
register_backend("cupy", _lazy(".cupy_backend", "CupyBackend"))


def get_backend(name):
    """The backend registered as ``name``, created once; ``BackendUnavailable`` if it cannot run here.

    >>> from nanotorch.backends import get_backend
    >>> b = get_backend("numpy")
    >>> b.name, b.device_type, b is get_backend("numpy")
    ('numpy', 'cpu', True)
    """
    backend = _INSTANCES.get(name)
    if backend is not None:
        return backend
    if name not in _FACTORIES:
        raise ValueError(
            f"unknown nanotorch backend {name!r}; valid backends are: {', '.join(sorted(_FACTORIES))}")
    try:
        backend = _FACTORIES[name]()
    except ModuleNotFoundError as err:
        raise BackendUnavailable(
            f"the {name!r} backend needs the package {err.name!r}, which is not installed; "
            f"install it with: pip install \"nanotorch[{'cuda' if name == 'cupy' else name}]\""
        ) from None
    _INSTANCES[name] = backend
    return backend


def available_backends():
    """Names of the registered backends that can run on this machine, sorted (creating each once).

    >>> from nanotorch.backends import available_backends
    >>> "numpy" in available_backends()
    True
    """
    names = []
    for name in sorted(_FACTORIES):
        try:
            get_backend(name)
        except BackendUnavailable:
            continue
        names.append(name)
    return names


def _initial_backend():
    name = os.environ.get("NANOTORCH_BACKEND", "").strip().lower()
    if name:
        if name not in _FACTORIES:
            raise ValueError(
                f"NANOTORCH_BACKEND={name!r} is not a nanotorch backend; "
                f"valid values are: {', '.join(sorted(_FACTORIES))}")
        return get_backend(name)
    # The fastest correct CPU backend installed. Picking numba costs no import
    # time: its kernels import numba and compile (or load their cache) on first call.
    return get_backend("numba" if importlib.util.find_spec("numba") else "numpy")


_default = None


def get_default_backend():
    """The backend new tensors use when no device is given.

    Chosen at first use from ``NANOTORCH_BACKEND``, else numba when installed,
    else numpy; :func:`set_default_backend` changes it.

    >>> import nanotorch
    >>> from nanotorch.backends import available_backends, get_default_backend
    >>> get_default_backend().name in available_backends()
    True
    """
    global _default
    if _default is None:
        _default = _initial_backend()
    return _default


def set_default_backend(name):
    """Make ``name`` the backend of newly created tensors (``numpy``, ``numba``, ``cupy``, ...).

    >>> import nanotorch
    >>> nanotorch.set_default_backend("numpy")
    >>> nanotorch.zeros(1).device
    device(type='cpu')
    """
    global _default
    _default = get_backend(name)


def backend_for_device(dev):
    """The backend that holds tensors on device ``dev`` (a :class:`device` or string).

    ``cuda`` devices get the cupy backend; ``cpu`` the default backend when it is a CPU one, else numpy.

    >>> import nanotorch
    >>> from nanotorch.backends import backend_for_device
    >>> backend_for_device("cpu").device_type
    'cpu'
    """
    dev = device(dev) if not isinstance(dev, device) else dev
    if dev.type == "cuda":
        return get_backend("cupy")
    default = get_default_backend()
    return default if default.device_type == "cpu" else get_backend("numpy")


# An explicit NANOTORCH_BACKEND is checked at import, so a typo or a missing
# package fails on `import nanotorch` with one sentence, not at the first tensor.
if os.environ.get("NANOTORCH_BACKEND", "").strip():
    get_default_backend()
