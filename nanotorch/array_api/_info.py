"""The inspection API: ``xp.__array_namespace_info__()`` says what this namespace supports."""
from __future__ import annotations

from .. import _dtype as D
from .._device import device as _device_cls
from . import _base as B

_NAMES = {d.name: d for d in B.STANDARD}
_KIND_MEMBERS = {
    "bool": (D.bool,),
    "signed integer": B.SIGNED,
    "unsigned integer": B.UNSIGNED,
    "integral": B.INTEGER,
    "real floating": B.REAL_FLOATING,
    "complex floating": B.COMPLEX_FLOATING,
    "numeric": B.NUMERIC,
}


class Info:
    """Capabilities, devices and dtypes of ``nanotorch.array_api``.

    >>> from nanotorch import array_api as xp
    >>> info = xp.__array_namespace_info__()
    >>> info.capabilities()["boolean indexing"], info.default_device()
    (True, device(type='cpu'))
    """

    __module__ = "nanotorch.array_api"

    def capabilities(self):
        """Optional features: boolean indexing and data-dependent output shapes are supported.

        >>> from nanotorch import array_api as xp
        >>> xp.__array_namespace_info__().capabilities()["max dimensions"]
        64
        """
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self):
        """The device arrays are created on when no ``device`` is given.

        >>> from nanotorch import array_api as xp
        >>> xp.__array_namespace_info__().default_device()
        device(type='cpu')
        """
        from ..backends import get_default_backend
        backend = get_default_backend()
        return _device_cls("cpu") if backend.device_type == "cpu" else _device_cls("cuda", 0)

    def default_dtypes(self, *, device=None):
        """The default dtypes: nanotorch's default float (float32 unless changed) and int64.

        >>> from nanotorch import array_api as xp
        >>> xp.__array_namespace_info__().default_dtypes()["indexing"]
        nanotorch.int64
        """
        self._check_device(device)
        return {"real floating": B.default_float(), "complex floating": B.default_complex(),
                "integral": B.default_int(), "indexing": B.default_int()}

    def dtypes(self, *, device=None, kind=None):
        """The supported dtypes by name, all of them or those of ``kind`` (a kind name or a tuple).

        >>> from nanotorch import array_api as xp
        >>> list(xp.__array_namespace_info__().dtypes(kind="real floating"))
        ['float32', 'float64']
        """
        self._check_device(device)
        if kind is None:
            return dict(_NAMES)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        members = set()
        for k in kinds:
            if isinstance(k, D.dtype):
                members.add(k)
            elif k in _KIND_MEMBERS:
                members.update(_KIND_MEMBERS[k])
            else:
                raise ValueError(f"dtypes(): unknown kind {k!r}")
        return {name: d for name, d in _NAMES.items() if d in members}

    def devices(self):
        """The devices arrays can live on: the CPU, and each GPU when CuPy can reach one.

        >>> from nanotorch import array_api as xp
        >>> xp.__array_namespace_info__().devices()[0]
        device(type='cpu')
        """
        out = [_device_cls("cpu")]
        try:
            from ..backends import get_backend
            cupy = get_backend("cupy").xp
            out += [_device_cls("cuda", i) for i in range(cupy.cuda.runtime.getDeviceCount())]
        except Exception:  # no CuPy, no driver or no GPU: the CPU is all there is
            pass
        return out

    def _check_device(self, device):
        if device is not None and _device_cls(device) not in self.devices():
            raise ValueError(f"unknown device {device!r}")


def __array_namespace_info__():
    """The inspection object of this namespace (see :class:`Info`).

    >>> from nanotorch import array_api as xp
    >>> xp.__array_namespace_info__().default_dtypes()["integral"]
    nanotorch.int64
    """
    return Info()
