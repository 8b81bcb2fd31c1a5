"""Tensor reprs in torch's style: ``tensor([[1., 2.]], requires_grad=True)``."""
from __future__ import annotations

import numpy as np

from . import _dtype


def _float_formatter(values):
    finite = values[np.isfinite(values)] if values.size else values
    if finite.size == 0:
        return lambda v: _special(v) or "0."
    if np.all(finite == np.round(finite)) and np.max(np.abs(finite)) < 1e8:
        return lambda v: _special(v) or f"{v:.0f}."
    magnitudes = np.abs(finite[finite != 0])
    if magnitudes.size and (magnitudes.max() >= 1e8 or magnitudes.min() < 1e-4
                            or magnitudes.max() / magnitudes.min() > 1e3 and magnitudes.max() > 1e3):
        return lambda v: _special(v) or f"{v:.4e}"
    return lambda v: _special(v) or f"{v:.4f}"


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def format_data(array):
    """The bracketed numbers of a repr, with torch's float styles and summarisation."""
    if array.dtype.kind == "f":
        fmt = _float_formatter(array.astype(np.float64))
        formatter = {"float_kind": fmt}
    elif array.dtype.kind == "c":
        real = _float_formatter(np.concatenate([array.real.ravel(), array.imag.ravel()]).astype(np.float64))
        formatter = {"complex_kind": lambda v: f"{real(v.real)}{'+' if v.imag >= 0 or np.isnan(v.imag) else '-'}"
                                               f"{real(abs(v.imag))}j"}
    else:
        formatter = None
    return np.array2string(array, separator=", ", formatter=formatter, prefix="tensor(",
                           threshold=1000, edgeitems=3, max_line_width=80)


def tensor_repr(t):
    array = t._backend.to_numpy(t._data)
    parts = []
    if array.size == 0 and array.ndim != 1:
        body = "[]"
        parts.append(f"size={tuple(array.shape)}")
    else:
        body = format_data(array)
    dt = t.dtype
    default = {0: None, 1: _dtype.int64, 2: _dtype.get_default_dtype(),
               3: _dtype.get_default_dtype().to_complex()}[dt._kind]
    if t.device.type != "cpu":
        parts.append(f"device='{t.device}'")
    if dt is not default and dt is not _dtype.bool:
        parts.append(f"dtype={dt}")
    if t.grad_fn is not None:
        parts.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        parts.append("requires_grad=True")
    suffix = "".join(", " + p for p in parts)
    return f"tensor({body}{suffix})"
