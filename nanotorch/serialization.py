"""Checkpoints: ``nanotorch.save`` and ``nanotorch.load`` in the safetensors format.

A checkpoint is a state dict, or nested dicts, lists and tuples of tensors,
numbers, strings and None (e.g. ``{"model": model.state_dict(),
"optimizer": opt.state_dict(), "epoch": 3}``). The tensors go into the
safetensors file as named arrays; everything else (the nesting, the
numbers, which name sits where) goes into its ``__metadata__`` as JSON.
Nothing is ever pickled or unpickled, so loading a file cannot run code.

A flat dict of tensors is stored under its own keys, so PyTorch reads it
with ``safetensors.torch.load_file``; a file written by the safetensors
library (no nanotorch metadata) loads as a flat dict of tensors.

>>> import os, tempfile
>>> import nanotorch
>>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
>>> nanotorch.save({"w": nanotorch.ones(2), "epoch": 3}, path)
>>> nanotorch.load(path)
{'w': tensor([1., 1.]), 'epoch': 3}
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from ._creation import from_numpy
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError"]

_METADATA_KEY = "nanotorch"
_FORMAT_VERSION = 1


class CheckpointError(RuntimeError):
    """A file given to :func:`nanotorch.load` is not a readable nanotorch/safetensors checkpoint
    (empty, truncated, corrupted, or another format such as a pickle)."""


# --- save --------------------------------------------------------------------------
def _encode(obj, tensors, names, path):
    """The JSON description of ``obj``; tensors are put into ``tensors`` under fresh names."""
    if isinstance(obj, Tensor):
        return {"tensor": _tensor_name(obj, tensors, names, path)}
    if isinstance(obj, np.ndarray):
        return {"ndarray": _tensor_name(obj, tensors, names, path)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"nanotorch.save: dict keys must be str or int, got "
                                f"{type(key).__name__} ({key!r})")
        return {"dict": [[key, _encode(value, tensors, names, path + [str(key)])]
                         for key, value in obj.items()]}
    if isinstance(obj, (list, tuple)):
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return {kind: [_encode(v, tensors, names, path + [str(i)]) for i, v in enumerate(obj)]}
    raise TypeError(f"nanotorch.save cannot store an object of type {type(obj).__name__}: only "
                    "tensors, numbers, strings, None and dicts, lists and tuples of them "
                    "(nothing is pickled)")


def _tensor_name(obj, tensors, names, path):
    # A tensor stored twice (e.g. tied weights) is written once.
    if id(obj) in names:
        return names[id(obj)][0]
    name = ".".join(path) or "tensor"
    base, n = name, 1
    while name in tensors:
        name, n = f"{base}.{n}", n + 1
    array = obj.detach().cpu().numpy() if isinstance(obj, Tensor) else obj
    tensors[name] = np.ascontiguousarray(array)
    names[id(obj)] = (name, obj)  # keep obj alive so its id is not reused meanwhile
    return name


def _flat_keys(obj):
    """The keys of a dict whose values are all tensors (stored under exactly those names)."""
    if isinstance(obj, dict) and obj and all(isinstance(k, str) and isinstance(v, Tensor)
                                             for k, v in obj.items()):
        return list(obj)
    return None


def _serialize(obj):
    tensors, names = {}, {}
    keys = _flat_keys(obj)
    if keys is not None:
        structure = {"dict": [[k, {"tensor": _tensor_name(v, tensors, names, [k])}]
                              for k, v in obj.items()]}
    else:
        structure = _encode(obj, tensors, names, [])
    from safetensors.numpy import save as save_bytes
    metadata = {_METADATA_KEY: json.dumps({"version": _FORMAT_VERSION, "object": structure})}
    return save_bytes(tensors, metadata=metadata)


def save(obj, f):
    """Write ``obj`` (tensors, numbers, strings, None, and dicts/lists/tuples of them) to ``f``.

    ``f`` is a path or a writable binary file object. A path is written
    atomically: the data goes to a temporary file in the same directory,
    is flushed to disk and then renamed over ``f``, so a crash never leaves
    a half-written checkpoint. Tensors are stored on the CPU, detached.

    >>> import io, nanotorch
    >>> buffer = io.BytesIO()
    >>> nanotorch.save(nanotorch.nn.Linear(2, 1).state_dict(), buffer)
    >>> sorted(nanotorch.load(io.BytesIO(buffer.getvalue())))
    ['bias', 'weight']
    """
    data = _serialize(obj)
    if hasattr(f, "write"):
        f.write(data)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable where the platform allows it
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# --- load --------------------------------------------------------------------------
def _target_device(map_location):
    if map_location is None:
        return None
    if isinstance(map_location, dict):
        return map_location.get("cpu")
    if callable(map_location):
        raise TypeError("nanotorch.load: map_location must be a device, a string or a dict; "
                        "callables are not supported")
    return map_location


def _well_formed(kind, value):
    """Whether a metadata entry has the type its kind needs (before it is used as one)."""
    if kind in ("tensor", "ndarray"):
        return isinstance(value, str)
    if kind == "value":
        return value is None or isinstance(value, (bool, int, float, str))
    if kind == "dict":
        return isinstance(value, list) and all(
            isinstance(item, list) and len(item) == 2 and isinstance(item[0], (str, int))
            and not isinstance(item[0], bool) for item in value)
    if kind in ("list", "tuple"):
        return isinstance(value, list)
    return True  # unknown kinds get their own message below


def _decode(node, arrays, device, where):
    if not isinstance(node, dict) or len(node) != 1:
        raise CheckpointError(f"{where}: malformed nanotorch metadata")
    kind, value = next(iter(node.items()))
    if not _well_formed(kind, value):  # the metadata is untrusted input, like the rest of the file
        raise CheckpointError(f"{where}: malformed nanotorch metadata")
    if kind in ("tensor", "ndarray"):
        if value not in arrays:
            raise CheckpointError(f"{where}: the metadata names a tensor {value!r} that the file "
                                  "does not contain")
        array = arrays[value]
        if kind == "ndarray":
            return array
        t = from_numpy(array)
        return t if device is None else t.to(device)
    if kind == "value":
        return value
    if kind == "dict":
        return {key: _decode(v, arrays, device, where) for key, v in value}
    if kind == "list":
        return [_decode(v, arrays, device, where) for v in value]
    if kind == "tuple":
        return tuple(_decode(v, arrays, device, where) for v in value)
    raise CheckpointError(f"{where}: unknown entry {kind!r} in nanotorch metadata")


def _read(path, where):
    from safetensors import SafetensorError, safe_open
    try:
        with safe_open(path, framework="numpy") as reader:
            metadata = reader.metadata() or {}
            arrays = {}
            for key in reader.keys():
                array = reader.get_tensor(key)
                arrays[key] = array if array.flags.writeable else array.copy()
    except SafetensorError as err:
        raise CheckpointError(f"{where} is not a valid safetensors checkpoint: {err}") from None
    return metadata, arrays


def load(f, map_location=None, weights_only=None, mmap=None):
    """Read a checkpoint written by :func:`save` (or any safetensors file) from ``f``.

    ``f`` is a path or a readable binary file object. ``map_location`` (a
    device or string such as ``"cpu"``, or a dict whose ``"cpu"`` entry
    names the target) moves the tensors; ``weights_only`` and ``mmap`` are
    accepted for torch compatibility (loading never unpickles, so it is
    always weights-only, and the arrays are always read into memory).
    A safetensors file without nanotorch metadata loads as a dict from
    tensor names to tensors. Raises :class:`CheckpointError` for a file
    that is empty, truncated, corrupted or not safetensors (e.g. a pickle),
    and ``FileNotFoundError`` for a missing path.

    >>> import io, nanotorch
    >>> buffer = io.BytesIO()
    >>> nanotorch.save([1, 2.5, None, "x"], buffer)
    >>> nanotorch.load(io.BytesIO(buffer.getvalue()))
    [1, 2.5, None, 'x']
    """
    device = _target_device(map_location)
    if hasattr(f, "read"):
        data = f.read()
        tmp_dir = tempfile.mkdtemp(prefix="nanotorch-load-")
        tmp = os.path.join(tmp_dir, "checkpoint.safetensors")
        try:
            with open(tmp, "wb") as out:
                out.write(data)
            metadata, arrays = _read(tmp, "the file object")
        finally:
            os.unlink(tmp)
            os.rmdir(tmp_dir)
        where = "the file object"
    else:
        path = os.fspath(f)
        if not os.path.exists(path):
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{path}'")
        where = repr(path)
        metadata, arrays = _read(path, where)
    text = metadata.get(_METADATA_KEY)
    if text is None:
        return {key: (from_numpy(a) if device is None else from_numpy(a).to(device))
                for key, a in arrays.items()}
    try:
        description = json.loads(text)
        structure = description["object"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise CheckpointError(f"{where}: its nanotorch metadata is not valid JSON") from None
    try:
        return _decode(structure, arrays, device, where)
    except RecursionError:
        raise CheckpointError(f"{where}: its nanotorch metadata is nested too deeply") from None

