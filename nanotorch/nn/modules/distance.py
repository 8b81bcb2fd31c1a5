"""Similarity between vectors as a layer: ``CosineSimilarity``."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class CosineSimilarity(Module):
    """``F.cosine_similarity`` as a module: the cosine between two inputs along ``dim``.

    Shapes: ``x1`` and ``x2`` broadcast together to ``(*)`` -> ``(*)`` without ``dim``.

    >>> import nanotorch
    >>> cos = nanotorch.nn.CosineSimilarity(dim=0)
    >>> cos(nanotorch.tensor([1.0, 0.0]), nanotorch.tensor([3.0, 3.0]))
    tensor(0.7071)
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
