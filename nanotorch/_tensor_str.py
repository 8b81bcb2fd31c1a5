"""Tensor reprs in torch's style: ``tensor([[1., 2.]], requires_grad=True)``."""
from __future__ import annotations

import numpy as np

from . import _dtype


def _float_formatter(values):
    """torch's choice: integer style, fixed 4 decimals, or scientific when magnitudes spread."""
    finite = values[np.isfinite(values)] if values.size else values
    if finite.size == 0:
        return lambda v: _special(v) or "0."
    int_mode = bool(np.all(finite == np.round(finite)))
    magnitudes = np.abs(finite[finite != 0])
    if magnitudes.size and (magnitudes.max() / magnitudes.min() > 1e3 or magnitudes.max() > 1e8
                            or not int_mode and magnitudes.min() < 1e-4):
        return lambda v: _special(v) or f"{v:.4e}"
    if int_mode:
        return lambda v: _special(v) or f"{v:.0f}."
    return lambda v: _special(v) or f"{v:.4f}"


def _shown(array, edgeitems=3, threshold=1000):
    """The elements a summarised repr prints (all of them up to ``threshold``)."""
    if array.size <= threshold:
        return array
    for axis, n in enumerate(array.shape):
        if n > 2 * edgeitems:
            keep = list(range(edgeitems)) + list(range(n - edgeitems, n))
            array = np.take(array, keep, axis=axis)
    return array


def _padded(fmt, values):
    """Right-align every element to the widest finite one, as torch does."""
    width = max((len(fmt(v)) for v in values[np.isfinite(values)]), default=0)
    return lambda v: fmt(v).rjust(width)


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def format_data(array):
    """The bracketed numbers of a repr, with torch's float styles and summarisation."""
    if array.dtype.kind == "f":
        shown = _shown(array).astype(np.float64)
        formatter = {"float_kind": _padded(_float_formatter(shown), shown)}
    elif array.dtype.kind == "c":
        real = _float_formatter(np.concatenate([array.real.ravel(), array.imag.ravel()]).astype(np.float64))
        formatter = {"complex_kind": lambda v: f"{real(v.real)}{'+' if v.imag >= 0 or np.isnan(v.imag) else '-'}"
                                               f"{real(abs(v.imag))}j"}
    elif array.dtype.kind == "b":
        # torch pads True to False's width only when a False is there to line up with
        width = 4 if array.all() else 5
        formatter = {"bool": lambda v: ("True" if v else "False").rjust(width)}
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
