"""``Embedding``: a lookup table of word vectors, the lecture's first layer of a text model."""
from __future__ import annotations

from ..._creation import empty
from ...autograd.grad_mode import no_grad
from ...ops.embedding import embedding
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Embedding"]


def _check_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by integer id.

    ``Embedding(V, D)(ids)`` is ``weight[ids]``: the lecture's
    ``(layer1 * word_one_hot).sum(1)`` without the one-hot product. The
    weight starts as N(0, 1) with the ``padding_idx`` row zeroed; that row
    never gets a gradient, so it stays zero. ``max_norm``,
    ``scale_grad_by_freq`` and ``sparse`` are as in :func:`nanotorch.nn.functional.embedding`.

    Shapes: ids int64/int32 ``(*)`` -> ``(*, embedding_dim)``; ``weight`` is
    ``(num_embeddings, embedding_dim)``.

    >>> import nanotorch
    >>> emb = nanotorch.nn.Embedding(10, 3, padding_idx=0)
    >>> emb
    Embedding(10, 3, padding_idx=0)
    >>> emb(nanotorch.tensor([[0, 4, 4]])).shape
    nanotorch.Size([1, 3, 3])
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _check_padding_idx(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), device=device,
                                          dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        """Redraw the weight from N(0, 1) and zero the padding row."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is ``embeddings`` (shared, not copied), e.g. GloVe vectors.

        ``freeze=True`` (the default) sets ``weight.requires_grad = False``: the
        table gets no gradient and an optimizer leaves it alone. The rows are
        used as given (the ``padding_idx`` row is not zeroed), but the padding
        row gets no gradient when fine-tuning.

        Shapes: ``embeddings`` ``(num_embeddings, embedding_dim)``.

        >>> import nanotorch
        >>> emb = nanotorch.nn.Embedding.from_pretrained(nanotorch.eye(3))
        >>> emb(nanotorch.tensor([2])), emb.weight.requires_grad
        (tensor([[0., 0., 1.]]), False)
        """
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                   sparse=sparse)
