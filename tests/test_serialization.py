"""Checkpoints: save/load round trips through the safetensors format, errors, atomic writes."""
import io
import os
import pickle

import numpy as np
import pytest
import safetensors.numpy

import nanotorch
from nanotorch import nn, optim
from nanotorch.serialization import CheckpointError


def test_round_trip_of_a_training_checkpoint_is_bit_exact(tmp_path):
    nanotorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(nanotorch.randn(5, 3, dtype=nanotorch.float64)).sum().backward()
    opt.step()
    obj = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
           "losses": [0.5, 0.25], "name": "run", "none": None, "pair": (1, 2.0), "flag": True}
    path = tmp_path / "ckpt.safetensors"
    nanotorch.save(obj, path)
    back = nanotorch.load(path)
    assert list(back) == list(obj)
    for key, value in obj["model"].items():
        assert back["model"][key].dtype == value.dtype
        assert np.array_equal(back["model"][key].numpy(), value.numpy())
    assert sorted(back["optimizer"]["state"]) == [0, 1, 2, 3]  # integer keys survive
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert back["epoch"] == 3 and back["losses"] == [0.5, 0.25] and back["pair"] == (1, 2.0)
    assert back["name"] == "run" and back["none"] is None and back["flag"] is True
    twin = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    twin.load_state_dict(back["model"])
    twin_opt = optim.Adam(twin.parameters(), lr=0.1)
    twin_opt.load_state_dict(back["optimizer"])
    exp_avg = twin_opt.state[twin[0].weight]["exp_avg"]
    assert np.array_equal(exp_avg.numpy(), opt.state[model[0].weight]["exp_avg"].numpy())


def test_flat_state_dict_is_plain_safetensors(tmp_path):
    layer = nn.Linear(2, 3)
    path = tmp_path / "weights.safetensors"
    nanotorch.save(layer.state_dict(), path)
    raw = safetensors.numpy.load_file(str(path))
    assert sorted(raw) == ["bias", "weight"]
    assert np.array_equal(raw["weight"], layer.weight.detach().numpy())


def test_flat_state_dict_loads_in_torch(tmp_path):
    pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    layer = nn.Linear(2, 3)
    path = tmp_path / "weights.safetensors"
    nanotorch.save(layer.state_dict(), path)
    loaded = safetensors_torch.load_file(str(path))
    assert np.array_equal(loaded["weight"].numpy(), layer.weight.detach().numpy())


def test_file_written_by_safetensors_loads(tmp_path):
    path = tmp_path / "foreign.safetensors"
    arrays = {"a.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
              "b": np.array([1, 2], dtype=np.int64), "scalar": np.array(2.5)}
    safetensors.numpy.save_file(arrays, str(path), metadata={"format": "pt"})
    back = nanotorch.load(path)
    assert sorted(back) == sorted(arrays)
    for key, value in arrays.items():
        assert isinstance(back[key], nanotorch.Tensor)
        assert np.array_equal(back[key].numpy(), value) and back[key].numpy().dtype == value.dtype
    back["b"].add_(1)  # loaded tensors are writable


def test_file_objects_and_shared_tensors():
    w = nanotorch.ones(3)
    buffer = io.BytesIO()
    nanotorch.save({"a": w, "b": [w, 2]}, buffer)
    back = nanotorch.load(io.BytesIO(buffer.getvalue()))
    assert back["a"].tolist() == [1.0, 1.0, 1.0] and back["b"][1] == 2
    assert len(safetensors.numpy.load(buffer.getvalue())) == 1  # stored once


@pytest.mark.parametrize("content", [
    b"",
    b"\x00" * 4,
    pickle.dumps({"weight": [1.0, 2.0]}),
    b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all",
])
def test_bad_files_raise_checkpoint_error(tmp_path, content):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="not a valid safetensors checkpoint"):
        nanotorch.load(path)


def test_truncated_file_raises_and_pickle_never_runs(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    nanotorch.save({"w": nanotorch.ones(100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(CheckpointError):
        nanotorch.load(path)
    assert issubclass(CheckpointError, RuntimeError)

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(CheckpointError):
        nanotorch.load(path)
    assert not (tmp_path / "pwned").exists()
    with pytest.raises(FileNotFoundError):
        nanotorch.load(tmp_path / "missing.safetensors")


def test_corrupted_metadata_raises(tmp_path):
    path = tmp_path / "meta.safetensors"
    safetensors.numpy.save_file({"x": np.zeros(1)}, str(path),
                                metadata={"nanotorch": '{"object": {"tensor": "y"}}'})
    with pytest.raises(CheckpointError, match="does not contain"):
        nanotorch.load(path)
    safetensors.numpy.save_file({"x": np.zeros(1)}, str(path), metadata={"nanotorch": "{oops"})
    with pytest.raises(CheckpointError, match="not valid JSON"):
        nanotorch.load(path)


def test_atomic_write_leaves_no_temporary_files_and_keeps_old_file_on_error(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    nanotorch.save({"w": nanotorch.ones(2)}, path)
    with pytest.raises(TypeError, match="cannot store an object of type object"):
        nanotorch.save({"w": object()}, path)
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]
    assert nanotorch.load(path)["w"].tolist() == [1.0, 1.0]
    nanotorch.save({"w": nanotorch.zeros(2)}, str(path))
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]
    assert nanotorch.load(str(path))["w"].tolist() == [0.0, 0.0]


def test_map_location_and_detached_parameters(tmp_path):
    path = tmp_path / "p.safetensors"
    nanotorch.save({"p": nn.Parameter(nanotorch.ones(2))}, path)
    back = nanotorch.load(path, map_location="cpu")
    assert not back["p"].requires_grad and back["p"].device == nanotorch.device("cpu")
    assert nanotorch.load(path, map_location={"cpu": "cpu"})["p"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        nanotorch.save({(1, 2): 3}, path)
