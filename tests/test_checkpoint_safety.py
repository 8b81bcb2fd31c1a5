"""Checkpoints are safe: a bad file raises ``CheckpointError`` and runs nothing; a crash while
saving never destroys the previous checkpoint; fuzzed files only ever raise the documented error.
"""
import io
import os
import pickle
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nanotorch as T
from nanotorch import nn
from nanotorch.serialization import CheckpointError


def _checkpoint():
    T.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    return {"model": model.state_dict(), "epoch": 7, "history": [0.5, 0.25], "note": "lecture"}


def _valid_bytes():
    buffer = io.BytesIO()
    T.save(_checkpoint(), buffer)
    return buffer.getvalue()


VALID = _valid_bytes()


def _same(a, b):
    if isinstance(a, T.Tensor):
        return isinstance(b, T.Tensor) and a.dtype == b.dtype and a.shape == b.shape and \
            np.array_equal(a.numpy(), b.numpy())
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _load_bytes(data, tmp_path, via_path):
    if via_path:
        path = tmp_path / "fuzz.safetensors"
        path.write_bytes(data)
        return T.load(path)
    return T.load(io.BytesIO(data))


def _is_valid_result(obj):
    if isinstance(obj, (T.Tensor, np.ndarray)) or obj is None or isinstance(obj, (bool, int, float, str)):
        return True
    if isinstance(obj, dict):
        return all(isinstance(k, (str, int)) and _is_valid_result(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return all(_is_valid_result(v) for v in obj)
    return False


def test_round_trip_is_exact(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    T.save(_checkpoint(), path)
    assert _same(T.load(path), _checkpoint())


# --- bad files ------------------------------------------------------------------------------
class _Payload:
    """Unpickling this runs code: it creates the file named by ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def _bad_files(marker):
    header = b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}'
    return {
        "empty": b"",
        "one_byte": b"\x00",
        "pickle_that_runs_code": pickle.dumps({"model": _Payload(marker)}),
        "pickle_protocol_0": pickle.dumps([_Payload(marker)], protocol=0),
        "text": b"weights = [1, 2, 3]\n",
        "npy": _npy_bytes(),
        "zip_like_torch_save": b"PK\x03\x04" + b"\x00" * 60,
        "header_length_too_big": struct.pack("<Q", 2 ** 40) + b"{}",
        "header_not_json": struct.pack("<Q", 8) + b"not json",
        "header_offsets_past_end": struct.pack("<Q", len(header)) + header + b"\x00" * 8,
        "truncated_header": VALID[:20],
        "truncated_data": VALID[:-5],
        "metadata_not_json": _with_metadata("{not json"),
        "metadata_wrong_shape": _with_metadata('{"object": 5}'),
        "metadata_unknown_kind": _with_metadata('{"object": {"pickle": "x"}}'),
        "metadata_missing_tensor": _with_metadata('{"object": {"tensor": "nope"}}'),
    }


def _npy_bytes():
    buffer = io.BytesIO()
    np.save(buffer, np.ones(3))
    return buffer.getvalue()


def _with_metadata(text):
    """A well-formed safetensors file whose nanotorch metadata entry is ``text``."""
    from safetensors.numpy import save
    return save({"w": np.ones(2, dtype=np.float32)}, metadata={"nanotorch": text})


BAD = sorted(_bad_files("unused"))


@pytest.mark.parametrize("name", BAD)
@pytest.mark.parametrize("via_path", [True, False], ids=["path", "file_object"])
def test_bad_file_raises_checkpoint_error_and_runs_nothing(tmp_path, name, via_path):
    marker = tmp_path / "code_ran"
    data = _bad_files(str(marker))[name]
    with pytest.raises(CheckpointError) as info:
        _load_bytes(data, tmp_path, via_path)
    assert isinstance(info.value, RuntimeError)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400
    assert not marker.exists(), "loading a checkpoint executed code"


def test_the_pickle_payload_really_would_run(tmp_path):
    # Guards the test above: the payload is live, so "it did not run" means something.
    marker = tmp_path / "code_ran"
    pickle.loads(_bad_files(str(marker))["pickle_that_runs_code"])
    assert marker.read_text() == "ran"


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        T.load(tmp_path / "missing.safetensors")


# --- crashes while saving -------------------------------------------------------------------
class _Crash(Exception):
    pass


def _crash_cases(monkeypatch):
    real_fdopen = os.fdopen

    def half_write_then_crash(fd, *args, **kwargs):
        out = real_fdopen(fd, *args, **kwargs)
        real_write = out.write

        def write(data):
            real_write(data[: len(data) // 2])
            out.flush()
            raise _Crash("disk full halfway")
        out.write = write
        return out

    def raising(*args, **kwargs):
        raise _Crash("power cut")

    return {
        "writer_crashes_midway": lambda: monkeypatch.setattr(os, "fdopen", half_write_then_crash),
        "fsync_fails": lambda: monkeypatch.setattr(os, "fsync", raising),
        "rename_fails": lambda: monkeypatch.setattr(os, "replace", raising),
    }


@pytest.mark.parametrize("crash", ["writer_crashes_midway", "fsync_fails", "rename_fails"])
def test_crash_during_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch, crash):
    path = tmp_path / "ckpt.safetensors"
    T.save(_checkpoint(), path)
    before = path.read_bytes()
    newer = {"model": {"weight": T.full((100, 100), 3.0)}, "epoch": 8}
    _crash_cases(monkeypatch)[crash]()
    with pytest.raises(_Crash):
        T.save(newer, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _same(T.load(path), _checkpoint())
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"], "a temporary file was left behind"


def test_unsaveable_object_leaves_the_previous_checkpoint(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    T.save(_checkpoint(), path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        T.save({"model": object()}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"]


# --- fuzzing --------------------------------------------------------------------------------
def _check_fuzzed(data, tmp_path, via_path):
    try:
        result = _load_bytes(data, tmp_path, via_path)
    except CheckpointError:
        return
    assert _is_valid_result(result), result


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), via_path=st.booleans())
def test_random_bytes_only_raise_checkpoint_error(tmp_path_factory, data, via_path):
    _check_fuzzed(data, tmp_path_factory.mktemp("fuzz"), via_path)


@st.composite
def _mutations(draw):
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 8))]
    return bytes(data)


@settings(max_examples=150, deadline=None)
@given(data=_mutations())
def test_mutated_checkpoints_only_raise_checkpoint_error(tmp_path_factory, data):
    _check_fuzzed(data, tmp_path_factory.mktemp("fuzz"), via_path=False)


@settings(max_examples=60, deadline=None)
@given(header=st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2 ** 40) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["w", "dtype", "shape", "data_offsets", "__metadata__", "nanotorch"]),
        inner, max_size=4),
    max_leaves=12))
def test_random_headers_only_raise_checkpoint_error(tmp_path_factory, header):
    import json
    text = json.dumps(header).encode()
    data = struct.pack("<Q", len(text)) + text + b"\x00" * 16
    _check_fuzzed(data, tmp_path_factory.mktemp("fuzz"), via_path=False)


@settings(max_examples=60, deadline=None)
@given(structure=st.recursive(
    st.none() | st.integers() | st.text(max_size=4) | st.just({"tensor": "w"}),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["tensor", "ndarray", "value", "dict", "list", "tuple", "x"]),
        inner, max_size=2),
    max_leaves=10))
def test_random_nanotorch_metadata_only_raises_checkpoint_error(tmp_path_factory, structure):
    import json
    data = _with_metadata(json.dumps({"object": structure}))
    _check_fuzzed(data, tmp_path_factory.mktemp("fuzz"), via_path=False)


def test_deeply_nested_metadata_is_a_checkpoint_error():
    depth = 100_000  # past Python's recursion limit, in the JSON parser and in the decoder
    text = '{"object": ' + '{"list": [' * depth + '{"value": 1}' + ']}' * depth + '}'
    with pytest.raises(CheckpointError):
        T.load(io.BytesIO(_with_metadata(text)))
