"""Batching variable-length sequences: ``pad_sequence``."""
from __future__ import annotations

from ..._functions import cat, stack

__all__ = ["pad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of different lengths into one tensor, padding the short ones.

    Every sequence is ``(L_i, *)`` with the same trailing dims ``*``. The
    result is ``(max L_i, B, *)``, or ``(B, max L_i, *)`` with ``batch_first``;
    the padding is ``padding_value``, after each sequence (``padding_side="right"``)
    or before it (``"left"``). Differentiable in every sequence.

    >>> import nanotorch
    >>> from nanotorch.nn.utils.rnn import pad_sequence
    >>> pad_sequence([nanotorch.tensor([5, 6, 7]), nanotorch.tensor([8])], batch_first=True)
    tensor([[5, 6, 7],
            [8, 0, 0]])
    >>> pad_sequence([nanotorch.ones(2), nanotorch.ones(1)], padding_side="left").shape
    nanotorch.Size([2, 2])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if any(s.ndim == 0 for s in sequences):
        raise RuntimeError("pad_sequence: every sequence needs at least one dimension (its length)")
    trailing = tuple(sequences[0].shape[1:])
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise _trailing_mismatch(trailing, tuple(s.shape[1:]))
        missing = longest - s.shape[0]
        if missing:
            fill = s.new_full((missing, *trailing), padding_value)
            s = cat([s, fill] if padding_side == "right" else [fill, s])
        padded.append(s)
    return stack(padded, dim=0 if batch_first else 1)


def _trailing_mismatch(expected, got):
    for dim, (a, b) in enumerate(zip(expected, got), 1):
        if a != b:
            return RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                                f"({b}) at non-singleton dimension {dim}")
    return RuntimeError(f"pad_sequence: every sequence must have the trailing dims "
                        f"{list(expected)}, but one has {list(got)}")
