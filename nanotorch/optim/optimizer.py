"""``Optimizer``: the base class that holds parameter groups and per-parameter state.

A subclass only writes ``step()``. Everything else (groups with their own
hyper-parameters, ``zero_grad``, and ``state_dict`` in torch's format, where
parameters are named by their position across all groups) lives here.
"""
from __future__ import annotations

import collections
import copy
import warnings

from ..autograd.grad_mode import enable_grad
from ..nn.modules.module import zero_grads
from ..tensor import Tensor

__all__ = ["Optimizer"]


class _RequiredParameter:
    """The default of a hyper-parameter that every group must set."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of optimizers, like ``torch.optim.Optimizer``.

    ``params`` is an iterable of tensors, or of dicts (parameter groups) with
    a ``"params"`` entry and per-group options that override ``defaults``.

    >>> import nanotorch
    >>> w = nanotorch.nn.Parameter(nanotorch.ones(2))
    >>> opt = nanotorch.optim.SGD([{"params": [w], "lr": 0.5}], lr=0.1)
    >>> opt.param_groups[0]["lr"], opt.defaults["lr"]
    (0.5, 0.1)
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        param_groups = list(params)
        if not param_groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group (a dict with ``"params"`` and optional options), e.g. to fine-tune new layers."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):  # kept, and stepped twice, as in torch
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error", UserWarning, stacklevel=4)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter: to ``None`` (default) or to zeros."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # --- state dict -------------------------------------------------------------
    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``.

        Parameters are numbered in order across groups; the state tensors are
        the optimizer's own (not copies), as in torch.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by :meth:`state_dict`.

        Floating-point state tensors are cast to their parameter's dtype and
        device (except ``step`` counters).
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, saved in zip(self.param_groups, saved_groups):
            if len(ours["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        by_index = {}
        for ours, saved in zip(self.param_groups, saved_groups):
            for i, p in zip(saved["params"], ours["params"]):
                by_index[i] = p
        self.state = collections.defaultdict(dict)
        for key, values in state_dict["state"].items():
            key = int(key)
            if key not in by_index:
                continue
            p = by_index[key]
            self.state[p] = {name: _cast_state(name, v, p) for name, v in values.items()}
        for ours, saved in zip(self.param_groups, saved_groups):
            params = ours["params"]
            ours.clear()
            ours.update(copy.deepcopy({k: v for k, v in saved.items() if k != "params"}))
            ours["params"] = params

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += "\n" + f"Parameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _count_step(step):
    """Add one to a ``step`` state tensor in place and return the new count as a Python float.

    The counter is the optimizer's own, outside any graph, so its raw array is bumped directly.
    """
    count = step._data
    count += 1
    return float(count)


def _cast_state(name, value, param):
    if not isinstance(value, Tensor):
        return copy.deepcopy(value)
    if name == "step":
        return value.detach().clone()
    if value.is_floating_point():
        return value.to(param.device, param.dtype, copy=True)
    return value.to(param.device, copy=True)
