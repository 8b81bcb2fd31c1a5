"""The main job, examples/train_classifier.py, run in-process with small settings."""
import importlib.util
import os

import pytest

import nanotorch

_PATH = os.path.join(os.path.dirname(__file__), os.pardir, "examples", "train_classifier.py")


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("train_classifier", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SMALL = ["--n", "40", "--hidden", "8", "--batch-size", "20", "--quiet"]


@pytest.mark.parametrize("dataset", ["simple", "diag", "split", "xor", "circle", "spiral"])
def test_short_run_learns_and_writes_outputs(script, tmp_path, capsys, dataset):
    result = script.main(["--dataset", dataset, "--epochs", "15", "--out", str(tmp_path)] + SMALL)
    losses = result["losses"]
    assert len(losses) == 15 and losses[-1] < losses[0]
    assert os.path.getsize(tmp_path / f"{dataset}.png") > 0
    state = nanotorch.load(tmp_path / "checkpoint.safetensors")
    assert state["epoch"] == 15 and state["dataset"] == dataset
    assert sorted(state["model"]) == ["layer1.bias", "layer1.weight", "layer2.bias",
                                      "layer2.weight", "layer3.bias", "layer3.weight"]
    assert f"final training accuracy on {dataset}:" in capsys.readouterr().out


def test_resume_continues_exactly_where_it_stopped(script, tmp_path):
    args = ["--dataset", "xor", "--out"]
    straight = script.main(args + [str(tmp_path / "a"), "--epochs", "12"] + SMALL)
    script.main(args + [str(tmp_path / "b"), "--epochs", "7"] + SMALL)
    resumed = script.main(args + [str(tmp_path / "b"), "--epochs", "12", "--resume"] + SMALL)
    assert resumed["losses"] == straight["losses"]
    a = nanotorch.load(tmp_path / "a" / "checkpoint.safetensors")["model"]
    b = nanotorch.load(tmp_path / "b" / "checkpoint.safetensors")["model"]
    assert all(a[k].equal(b[k]) for k in a)
    with pytest.raises(SystemExit, match="no checkpoint"):
        script.main(args + [str(tmp_path / "c"), "--resume"] + SMALL)
