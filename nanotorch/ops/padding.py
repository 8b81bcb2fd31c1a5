"""``pad``: widen (or crop) the last dims of a tensor, as ``torch.nn.functional.pad``.

No op of its own: a constant border is a ``cat`` with filled tensors (a
negative width crops with ``narrow``), and the other modes gather the input
along each padded dim with an index that numpy's ``pad`` draws for them
(``reflect``, ``edge`` for replicate, ``wrap`` for circular). The gradients
are those of ``cat``, ``narrow`` and ``index_select``: a gathered position
used twice gets both gradients.
"""
from __future__ import annotations

import numpy as np

from ._util import wrap

_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
# torch's non-constant modes: the number of padded dims -> the input dims it accepts
_NON_CONSTANT_DIMS = {1: (2, 3), 2: (3, 4), 3: (4, 5)}


def pad(input, pad, mode="constant", value=None):
    """``input`` widened by ``pad = (left, right)`` on the last dim, then ``(top, bottom)`` on
    the one before, and so on. ``mode``: ``"constant"`` (``value``, default 0; a negative
    width crops), ``"reflect"``, ``"replicate"`` or ``"circular"``.

    Shapes: ``(*, d1, ..., dk)`` -> each padded ``d`` grows by its two widths.

    >>> import nanotorch
    >>> import nanotorch.nn.functional as F
    >>> x = nanotorch.tensor([[1.0, 2.0, 3.0]])
    >>> F.pad(x, (1, 2))
    tensor([[0., 1., 2., 3., 0., 0.]])
    >>> F.pad(x, (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    dims = len(pad) // 2
    if dims > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.ndim}")
    widths = [(input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(dims)]
    if mode == "constant":
        return _constant(input, widths, 0.0 if value is None else value)
    if mode not in _NUMPY_MODES:  # torch's own error type for an unknown mode
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if input.ndim not in _NON_CONSTANT_DIMS.get(dims, ()):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.ndim}D "
                                  "input tensor.")
    out = input
    for dim, left, right in widths:
        size = input.shape[dim]
        if mode == "reflect" and (left >= size or right >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({left}, {right}) at dimension "
                               f"{dim} of input {list(input.shape)}")
        index = np.pad(np.arange(size), (left, right), mode=_NUMPY_MODES[mode])
        out = out.index_select(dim, wrap(input._backend.asarray(index), input._backend))
    return out


def _constant(input, widths, value):
    from .._functions import cat  # imported here: the functions module imports the ops
    out = input
    for dim, left, right in widths:
        if left < 0:
            out = out.narrow(dim, -left, out.shape[dim] + left)
        if right < 0:
            out = out.narrow(dim, 0, out.shape[dim] + right)
        parts = [_filled(out, dim, left, value), out, _filled(out, dim, right, value)]
        parts = [p for p in parts if p is not None]
        out = cat(parts, dim) if len(parts) > 1 else out
    return out


def _filled(like, dim, width, value):
    """A border of ``width`` along ``dim`` filled with ``value``, or None for no border."""
    if width <= 0:
        return None
    shape = list(like.shape)
    shape[dim] = width
    return like.new_full(shape, value)
