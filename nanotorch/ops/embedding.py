"""Embedding lookup: rows of a table picked by integer ids, and its scatter-add gradient.

The lecture writes a word's vector as ``(layer1 * word_one_hot).sum(1)``, a
product with a one-hot vector. Picking row ``word`` of the table is the same
number without the ``vocab``-long product, and its gradient is the same too:
the output gradient added into the rows that were picked (``index_add``, a
sorted segment sum), never a dense one-hot matmul.
"""
from __future__ import annotations

from ..autograd.grad_mode import no_grad
from .base import Op
from ._util import wrap


class Embedding(Op):
    """weight (V, D), indices (*) -> weight[indices] (*, D)."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.num_rows = weight._data.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        ctx.save_for_backward(indices)
        return weight._backend.take(weight._data, indices._data, axis=0)

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        return EmbeddingBackward.apply(g, indices, ctx.num_rows, ctx.padding_idx,
                                       ctx.scale), None, None, None


class EmbeddingBackward(Op):
    """g (*, D) summed into the rows ``indices`` (*) of a (num_rows, D) zero table.

    The padding row gets nothing; with ``scale_grad_by_freq`` each row's sum is
    divided by how often the row occurs in ``indices``.
    """

    @staticmethod
    def forward(ctx, g, indices, num_rows, padding_idx, scale_grad_by_freq):
        backend = g._backend
        xp, idx, values = backend.xp, indices._data, g._data
        ctx.save_for_backward(indices)
        ctx.padding_idx, ctx.factor = padding_idx, None
        if scale_grad_by_freq:
            counts = xp.bincount(idx.reshape(-1), minlength=num_rows)
            ctx.factor = (1.0 / counts[idx]).astype(values.dtype)[..., None]
            values = values * ctx.factor
        out = backend.index_add(num_rows, idx, values)
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        (indices,) = ctx.saved_tensors
        picked = Embedding.apply(gg, indices, None, False)
        backend = gg._backend
        keep = ctx.factor
        if ctx.padding_idx is not None:
            not_pad = (indices._data != ctx.padding_idx)[..., None]
            keep = not_pad if keep is None else keep * not_pad
        if keep is not None:
            picked = picked * wrap(keep.astype(picked._data.dtype), backend)
        return picked, None, None, None, None


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Scale the rows ``indices`` of ``weight`` in place to a norm of at most ``max_norm`` (torch's embedding_renorm_)."""
    with no_grad():
        rows = wrap(weight._backend.xp.unique(indices._data.reshape(-1)), weight._backend)
        picked = weight[rows]
        norms = picked.norm(p=norm_type, dim=1, keepdim=True)
        # only rows over the limit change (a row exactly at it would shrink by 1e-7 otherwise)
        scale = (max_norm / (norms + 1e-7)).masked_fill(norms <= max_norm, 1.0)
        weight[rows] = picked * scale


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at the integer ids ``input``, as ``torch.nn.functional.embedding``.

    Shapes: ``input`` int64/int32 of any shape ``(*)``, ``weight``
    ``(num_embeddings, embedding_dim)`` -> ``(*, embedding_dim)``.
    The row ``padding_idx`` gets no gradient; ``max_norm`` first rescales, in
    place, the picked rows whose ``norm_type``-norm exceeds it;
    ``scale_grad_by_freq`` divides each row's gradient by how often the row
    occurs in ``input``. ``sparse`` is accepted for compatibility: gradients
    are always dense tensors.

    >>> import nanotorch
    >>> weight = nanotorch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> nanotorch.nn.functional.embedding(nanotorch.tensor([[2, 1, 2]]), weight)
    tensor([[[3., 4.],
             [1., 2.],
             [3., 4.]]])
    """
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    kind = input._data.dtype
    if kind.kind != "i" or kind.itemsize < 4:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           "(while checking arguments for embedding)")
    num_rows = weight.shape[0]
    if input.numel() and (int(input._data.min()) < 0 or int(input._data.max()) >= num_rows):
        raise IndexError("index out of range in self")
    if padding_idx is not None:
        if not -num_rows <= padding_idx < num_rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= num_rows
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return Embedding.apply(weight, input, padding_idx, bool(scale_grad_by_freq))
