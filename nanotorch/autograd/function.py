"""Graph nodes and ``Function``: one differentiable operation with its derivative.

A ``Function`` subclass pairs ``forward(ctx, *inputs)`` with
``backward(ctx, *grads)``. Calling ``MyFn.apply(*inputs)`` runs the forward
and, when grad mode is on and an input requires grad, records a node on the
tape: the ``ctx`` object itself, which keeps what backward needs
(``ctx.save_for_backward``) and the edges to the nodes of its inputs
(``ctx.next_functions``). The output's ``grad_fn`` is that node.

Built-in ops (``nanotorch.ops``) are Functions whose forward reads the raw
backend arrays of its inputs and returns a raw array, which skips wrapping
and unwrapping on the hot path; their backward, like every backward, is
written with differentiable Tensor ops, so ``create_graph=True`` gives
higher derivatives for free.
"""
from __future__ import annotations

import traceback
import weakref

from . import anomaly
from .grad_mode import no_grad, state as _grad_state

__all__ = ["Function", "FunctionCtx", "Node", "AccumulateGrad"]

_Tensor = None  # nanotorch.tensor.Tensor, bound when the tensor module loads


def _bind_tensor(cls):
    global _Tensor
    _Tensor = cls


class Node:
    """One recorded operation: edges to its inputs' nodes and what its backward needs.

    ``next_functions`` holds one entry per forward input: ``None`` where no
    gradient flows, else ``(node, output_nr, shape, numpy dtype)`` so the
    engine can sum a broadcast gradient back to the input's shape.
    """

    next_functions = ()
    _saved = ()
    _saved_versions = ()
    _released = False
    _pre_hooks = None  # {output_nr: [hook, ...]}
    _trace = None  # forward stack, recorded in anomaly mode
    _num_outputs = 1
    _output_meta = None  # [(shape, backend, dtype)] of every output, for zero-filling

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_hook(self, hook):
        raise RuntimeError(f"{self.name()} does not support hooks on the node; use Tensor.register_hook")

    def _add_pre_hook(self, output_nr, hook):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._pre_hooks.setdefault(output_nr, []).append(hook)


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``leaf.grad``."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"


class _SavedOutput:
    """An output saved for backward, held without its grad_fn to avoid a reference cycle."""

    __slots__ = ("data", "backend", "version_cell", "output_nr")

    def __init__(self, tensor):
        self.data = tensor._data
        self.backend = tensor._backend
        self.version_cell = tensor._version
        self.output_nr = tensor._output_nr

    def unpack(self, node):
        out = _Tensor._wrap(self.data, self.backend)
        out._version = self.version_cell
        if _grad_state.enabled:  # create_graph: the output is part of the graph again
            out._requires_grad = True
            out.grad_fn = node
            out._output_nr = self.output_nr
        return out


class FunctionCtx(Node):
    """What ``forward`` and ``backward`` share: saved tensors and flags."""

    needs_input_grad = ()
    _non_differentiable = ()
    materialize_grads = True

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; modifying them in place later makes backward raise."""
        self._saved = tensors
        self._saved_versions = tuple(
            t._version[0] if isinstance(t, _Tensor) else None for t in tensors)

    def save_for_backwards(self, tensors):
        """The lecture's spelling: ``ctx.save_for_backwards((t1, t2))``."""
        self.save_for_backward(*tensors)

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        out = []
        for t, version in zip(self._saved, self._saved_versions):
            if type(t) is _SavedOutput:
                current = t.version_cell[0]
                t = t.unpack(self)
            elif version is not None:
                current = t._version[0]
            else:
                out.append(t)
                continue
            if current != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{t.dtype} {list(t.shape)}], which is saved by "
                    f"{self.name()}, is at version {current}; expected version {version} instead. "
                    "Hint: the operation that failed was the one that saved it; clone the tensor "
                    "before modifying it in place.")
            out.append(t)
        return tuple(out)

    # The lecture reads saved tensors as ``ctx.saved_values``.
    saved_values = saved_tensors

    def mark_non_differentiable(self, *tensors):
        """Outputs that will never get a gradient (indices, masks)."""
        self._non_differentiable = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        """Whether backward receives zeros (True) or None for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        """Accepted for torch compatibility: in-place outputs are tracked by version counters."""


class Function(FunctionCtx):
    """Base class of differentiable operations, as ``torch.autograd.Function``.

    Subclass it with two static methods and call ``apply``::

        >>> import nanotorch
        >>> class Inv(nanotorch.Function):
        ...     @staticmethod
        ...     def forward(ctx, t1):
        ...         ctx.save_for_backward(t1)
        ...         return t1.f.inv_map(t1)
        ...     @staticmethod
        ...     def backward(ctx, d):
        ...         (t1,) = ctx.saved_values
        ...         return d.f.inv_back_zip(t1, d)
        >>> x = nanotorch.tensor([2.0, 4.0], requires_grad=True)
        >>> Inv.apply(x).sum().backward()
        >>> x.grad
        tensor([-0.2500, -0.0625])

    ``forward`` gets the tensors as given (it runs without recording) and
    returns a tensor or a tuple of tensors; ``backward`` gets one gradient per
    output and returns one per input (``None`` for inputs without one).
    """

    # Built-in ops set this: their forward returns raw backend arrays.
    _raw_forward = False
    # Built-in ops whose backward uses their own output set this; it is then
    # the last entry of ``saved_tensors``.
    saves_output = False
    # Built-in view ops set this: an output sharing memory with the first
    # input shares its version counter too, so in-place edits of either are seen.
    is_view = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._node_name = cls.__name__ + ("Backward0" if cls._raw_forward or
                                         cls.__module__.startswith("nanotorch.ops") else "Backward")

    def name(self):
        return self._node_name

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a Function subclass must define backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args):
        ctx = cls.__new__(cls)
        record = False
        if _grad_state.enabled:
            for a in args:
                if isinstance(a, _Tensor) and a._requires_grad:
                    record = True
                    break
        if cls._raw_forward:
            result = cls.forward(ctx, *args)
            backend = ctx.backend if "backend" in ctx.__dict__ else _first_backend(args)
            if type(result) is tuple:
                outputs = tuple(_Tensor._wrap(r, backend) for r in result)
            else:
                outputs = _Tensor._wrap(result, backend)
                if cls.is_view and result.base is not None:
                    outputs._version = args[0]._version
        else:
            with no_grad():
                result = cls.forward(ctx, *args)
            outputs = _own_outputs(result, args)
        if record:
            _record(ctx, args, outputs)
        return outputs


def _first_backend(args):
    for a in args:
        if isinstance(a, _Tensor):
            return a._backend
    raise TypeError("a built-in op needs at least one tensor input")


def _own_outputs(result, args):
    """Outputs of a custom forward, as fresh tensors we may attach a grad_fn to."""
    single = not isinstance(result, tuple)
    items = (result,) if single else result
    owned = []
    for r in items:
        if isinstance(r, _Tensor) and (r.grad_fn is not None or r._requires_grad
                                       or any(r is a for a in args)):
            r = _Tensor._wrap(r._data, r._backend)  # a view, so the input keeps its own history
        owned.append(r)
    return owned[0] if single else tuple(owned)


def _record(ctx, args, outputs):
    """Attach ``ctx`` as the grad_fn of ``outputs`` and link it to the inputs' nodes."""
    edges = []
    needs = []
    for a in args:
        if isinstance(a, _Tensor) and a._requires_grad:
            edges.append((a._grad_edge(), a._output_nr, a._data.shape, a._data.dtype))
            needs.append(True)
        else:
            edges.append(None)
            needs.append(False)
    ctx.next_functions = tuple(edges)
    ctx.needs_input_grad = tuple(needs)
    if anomaly.state.enabled:
        ctx._trace = "".join(traceback.format_stack()[:-3])
    if type(outputs) is tuple:
        ctx._num_outputs = len(outputs)
        ctx._output_meta = []
        skip = ctx._non_differentiable
        for nr, out in enumerate(outputs):
            ctx._output_meta.append((out._data.shape, out._backend, out._data.dtype))
            if id(out) in skip or not out.is_floating_point() and not out.is_complex():
                continue
            out._requires_grad = True
            out.grad_fn = ctx
            out._output_nr = nr
        output_list = outputs
    else:
        if outputs._data.dtype.kind in "fc":
            outputs._requires_grad = True
            outputs.grad_fn = ctx
        output_list = (outputs,)
    if ctx.saves_output:
        ctx._saved = ctx._saved + (_SavedOutput(outputs),)
        ctx._saved_versions = ctx._saved_versions + (outputs._version[0],)
    elif not ctx._raw_forward and ctx._saved:
        # A saved output would point back at this node: keep it as data only.
        by_id = {id(o): o for o in output_list}
        ctx._saved = tuple(_SavedOutput(by_id[id(t)]) if id(t) in by_id else t for t in ctx._saved)


def leaf_accumulator(tensor):
    """The AccumulateGrad node of a leaf, shared by every use and held weakly by the leaf."""
    ref = tensor._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node
