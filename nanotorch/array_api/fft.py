"""The standard's ``fft`` extension on the backend's ``xp.fft`` (numpy or CuPy).

These return tensors outside the graph (they are not differentiable here);
the result keeps the input's precision (``complex64`` from ``float32``).
"""
from __future__ import annotations

import numpy as np

from . import _base as B

__all__ = ["fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
           "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = ("backward", "ortho", "forward")


def _run(x, name, kernel, category, out_kind, **kwargs):
    B.check_array(x, name)
    B.check_dtype(x, category, name)
    if kwargs.get("norm") not in _NORMS:
        raise ValueError(f"{name}(): norm must be one of {_NORMS}, got {kwargs.get('norm')!r}")
    out = getattr(x._backend.xp.fft, kernel)(x._data, **kwargs)
    real = x.dtype.to_real()
    target = real if out_kind == "real" else real.to_complex()
    return B.wrap(out.astype(target.np, copy=False), x._backend)


def _one(kernel, category, out_kind, summary):
    def fn(x, /, *, n=None, axis=-1, norm="backward"):
        return _run(x, kernel, kernel, category, out_kind, n=n, axis=axis, norm=norm)
    fn.__name__ = fn.__qualname__ = kernel
    fn.__doc__ = (f"{summary} along ``axis``, with ``n`` points (cropped or zero-padded) and "
                  "``norm`` 'backward', 'ortho' or 'forward'.\n\n"
                  "    >>> from nanotorch import array_api as xp\n"
                  "    >>> xp.fft.fft(xp.asarray([1.0, 0.0, 0.0, 0.0]) + 0j)\n"
                  "    tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])\n    ")
    return fn


def _many(kernel, category, out_kind, summary):
    def fn(x, /, *, s=None, axes=None, norm="backward"):
        return _run(x, kernel, kernel, category, out_kind, s=s, axes=axes, norm=norm)
    fn.__name__ = fn.__qualname__ = kernel
    fn.__doc__ = (f"{summary} over ``axes`` (all when None), with sizes ``s``.\n\n"
                  "    >>> from nanotorch import array_api as xp\n"
                  "    >>> xp.fft.fftn(xp.ones((2, 2)) + 0j)\n"
                  "    tensor([[4.+0.j, 0.+0.j],\n"
                  "            [0.+0.j, 0.+0.j]])\n    ")
    return fn


CFP, RFP = "complex floating-point", "real floating-point"
fft = _one("fft", CFP, "complex", "The discrete Fourier transform of complex x")
ifft = _one("ifft", CFP, "complex", "The inverse discrete Fourier transform of complex x")
rfft = _one("rfft", RFP, "complex", "The Fourier transform of real x (non-negative frequencies)")
irfft = _one("irfft", CFP, "real", "The inverse of rfft: a real signal")
hfft = _one("hfft", CFP, "real", "The Fourier transform of a Hermitian-symmetric signal")
ihfft = _one("ihfft", RFP, "complex", "The inverse of hfft")
fftn = _many("fftn", CFP, "complex", "The n-dimensional Fourier transform of complex x")
ifftn = _many("ifftn", CFP, "complex", "The n-dimensional inverse Fourier transform")
rfftn = _many("rfftn", RFP, "complex", "The n-dimensional Fourier transform of real x")
irfftn = _many("irfftn", CFP, "real", "The inverse of rfftn")


def fftfreq(n, /, *, d=1.0, dtype=None, device=None):
    """The sample frequencies of an ``n``-point fft with sample spacing ``d``.

    >>> from nanotorch import array_api as xp
    >>> xp.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    from ._creation import from_host
    dtype = B.to_dtype(dtype) or B.default_float()
    return from_host(np.fft.fftfreq(n, d).astype(dtype.np), device)


def rfftfreq(n, /, *, d=1.0, dtype=None, device=None):
    """The non-negative sample frequencies of an ``n``-point rfft.

    >>> from nanotorch import array_api as xp
    >>> xp.fft.rfftfreq(4)
    tensor([0.0000, 0.2500, 0.5000])
    """
    from ._creation import from_host
    dtype = B.to_dtype(dtype) or B.default_float()
    return from_host(np.fft.rfftfreq(n, d).astype(dtype.np), device)


def _shift(x, axes, name, kernel):
    B.check_array(x, name)
    B.check_dtype(x, "floating-point", name)
    return B.wrap(getattr(x._backend.xp.fft, kernel)(x._data, axes=axes), x._backend)


def fftshift(x, /, *, axes=None):
    """x with the zero frequency moved to the centre along ``axes`` (all when None).

    >>> from nanotorch import array_api as xp
    >>> xp.fft.fftshift(xp.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift(x, axes, "fftshift", "fftshift")


def ifftshift(x, /, *, axes=None):
    """The inverse of :func:`fftshift`.

    >>> from nanotorch import array_api as xp
    >>> xp.fft.ifftshift(xp.fft.fftshift(xp.fft.fftfreq(4)))
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    return _shift(x, axes, "ifftshift", "ifftshift")
