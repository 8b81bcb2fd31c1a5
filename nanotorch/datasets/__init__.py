"""Data sets of the lecture: toy 2-D point sets and sentiment-labelled text.

Point sets (numpy only): ``simple``, ``diag``, ``split``, ``xor``, ``circle``,
``spiral``, each ``f(N=50, seed=0) -> (X, y)``, also reachable by name through
:data:`DATASETS` and :func:`load`.

Text (optional packages, ``pip install "nanotorch[text]"``): :func:`tokenize`,
:class:`Vocab`, :func:`load_glove`, :func:`glove_embedding_matrix`,
:func:`load_movie_reviews`, :func:`load_glue_sst2`.
"""

from .points import DATASETS, circle, diag, load, simple, spiral, split, xor
from .text import (
    Example,
    GloVe,
    Vocab,
    cache_dir,
    glove_embedding_matrix,
    load_glove,
    load_glue_sst2,
    load_movie_reviews,
    tokenize,
)

__all__ = [
    "DATASETS",
    "Example",
    "GloVe",
    "Vocab",
    "cache_dir",
    "circle",
    "diag",
    "glove_embedding_matrix",
    "load",
    "load_glove",
    "load_glue_sst2",
    "load_movie_reviews",
    "simple",
    "spiral",
    "split",
    "tokenize",
    "xor",
]
