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
higher derivatives for free. A first-order backward (the common case) needs
no graph of its own, so the engine then calls ``raw_backward``, which works
on raw arrays too: built-in ops on the hot path give it a body of its own
(``ctx.saved_arrays`` are their saved values, unwrapped), and every other
node inherits the default, which wraps the gradient and calls ``backward``.
"""
from __future__ import annotations

import os
import traceback
import weakref

from . import anomaly
from .grad_mode import no_grad, state as _grad_state

__all__ = ["Function", "BuiltinFunction", "FunctionCtx", "Node", "AccumulateGrad"]

_Tensor = None  # nanotorch.tensor.Tensor, bound when the tensor module loads


def _bind_tensor(cls):
    global _Tensor
    _Tensor = cls


# In-place edits are tracked with one global clock: every in-place write ticks
# it and stamps the tensor's version cell ``[count, stamp]`` (shared by views).
# A node remembers the clock when it saved its tensors, so backward only has to
# look at the tensors when the clock has moved since: saving costs O(1).
_clock = [0]

# nanotorch.profiler puts a callable here while a profile is active; every
# apply checks it first, so counting costs one global read when it is off.
_profiler = None


def bump_version(tensor):
    """Record an in-place write to ``tensor`` (and every view sharing its memory)."""
    _clock[0] += 1
    cell = tensor._vcell
    if cell is None:
        cell = tensor._vcell = [0, 0]
    cell[0] += 1
    cell[1] = _clock[0]


def share_version(view, base):
    """Make ``view`` share ``base``'s version cell, so in-place edits of either are seen."""
    cell = base._vcell
    if cell is None:
        cell = base._vcell = [0, 0]
    view._vcell = cell


class Node:
    """One recorded operation: edges to its inputs' nodes and what its backward needs.

    ``next_functions`` holds one entry per forward input: ``None`` where no
    gradient flows, else ``(node, output_nr, shape, numpy dtype)`` so the
    engine can sum a broadcast gradient back to the input's shape.
    """

    next_functions = ()
    _saved = ()
    _epoch = 0  # the clock when tensors were saved; -1 once backward freed them
    _pre_hooks = None  # {output_nr: [hook, ...]}
    _trace = None  # forward stack, recorded in anomaly mode
    _num_outputs = 1
    # Edges ever made to this node; with one, its gradient is whole when it arrives (see engine).
    _uses = 0
    # One output and no hooks: the engine runs such a node on its fast path.
    # A hook, a second output or being a leaf's sink turns it off.
    _plain = True
    _output_meta = None  # [(shape, backend, dtype)] of every output, for zero-filling
    backend = None  # the backend of the outputs, and so of the gradients arriving here

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_hook(self, hook):
        raise RuntimeError(f"{self.name()} does not support hooks on the node; use Tensor.register_hook")

    @staticmethod
    def raw_backward(ctx, grad):
        """``backward`` on a raw backend array, for the first-order engine: by default through tensors.

        Returns one raw gradient (or None) per edge; a ``backward`` that
        returns the wrong number raises here, where it is not trusted.
        """
        out = check_count(ctx, ctx.backward(ctx, _Tensor._wrap_raw(grad, ctx.backend)))
        return tuple(None if g is None else g._data for g in out)

    def _add_pre_hook(self, output_nr, hook):
        if self._pre_hooks is None:
            self._pre_hooks = {}
            self._plain = False
        self._pre_hooks.setdefault(output_nr, []).append(hook)


def check_count(node, out):
    """``out``, what ``node``'s backward returned, as a tuple of one gradient per edge.

    torch accepts extra trailing Nones (for defaulted arguments); any other
    count is an error in that backward.
    """
    if type(out) is not tuple:
        out = (out,)
    n = len(node.next_functions)
    if len(out) == n:
        return out
    if len(out) > n and all(g is None for g in out[n:]):
        return out[:n]
    raise RuntimeError(
        f"function {node.name()} returned an incorrect number of gradients "
        f"(expected {n}, got {len(out)})")


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``leaf.grad``."""

    _plain = False

    def __init__(self, variable):
        self.variable = variable
        self.backend = variable._backend

    def name(self):
        return "AccumulateGrad"


class _SavedOutput:
    """An output saved for backward, held without its grad_fn to avoid a reference cycle."""

    __slots__ = ("data", "backend", "tensor_ref", "output_nr")

    def __init__(self, tensor):
        self.data = tensor._data
        self.backend = tensor._backend
        cell = tensor._vcell
        if cell is None:  # the output's own version cell, made now so later in-place edits tick it
            cell = tensor._vcell = [0, 0]
        self.tensor_ref = cell
        self.output_nr = tensor._output_nr

    def unpack(self, node):
        out = _Tensor._wrap(self.data, self.backend)
        out._vcell = self.tensor_ref
        if _grad_state.enabled:  # create_graph: the output is part of the graph again
            out._requires_grad = True
            out.grad_fn = node
            out._output_nr = self.output_nr
        return out


class FunctionCtx(Node):
    """What ``forward`` and ``backward`` share: saved tensors and flags (the ``ctx`` argument).

    Custom :class:`Function` subclasses receive it first in both static methods;
    attributes set on it in ``forward`` are there in ``backward``.

    >>> import nanotorch
    >>> class Scale(nanotorch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x, k):
    ...         ctx.k = k
    ...         return x * k
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g * ctx.k, None
    >>> x = nanotorch.ones(2, requires_grad=True)
    >>> Scale.apply(x, 3.0).sum().backward()
    >>> x.grad
    tensor([3., 3.])
    """

    needs_input_grad = ()
    _non_differentiable = ()
    materialize_grads = True
    _arrays = None  # the raw values of ``_saved``, when the op's hot path had them at hand

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; modifying them in place later makes backward raise.

        >>> import nanotorch
        >>> class Square(nanotorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * g
        >>> x = nanotorch.tensor([3.0], requires_grad=True)
        >>> Square.apply(x).backward()
        >>> x.grad
        tensor([6.])
        """
        self._saved = tensors
        self._epoch = _clock[0]

    def save_for_backwards(self, tensors):
        """The lecture's spelling: ``save_for_backwards((t1, t2))`` is ``save_for_backward(t1, t2)``.

        >>> import nanotorch
        >>> class Mul(nanotorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, a, b):
        ...         ctx.save_for_backwards((a, b))
        ...         return a * b
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         a, b = ctx.saved_values
        ...         return g * b, g * a
        >>> a, b = nanotorch.tensor([2.0], requires_grad=True), nanotorch.tensor([5.0])
        >>> Mul.apply(a, b).backward()
        >>> a.grad
        tensor([5.])
        """
        self.save_for_backward(*tensors)

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, checked against in-place changes.

        ``saved_values`` is the lecture's name for the same tuple.

        >>> import nanotorch
        >>> class Cube(nanotorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return 3 * x ** 2 * g
        >>> x = nanotorch.tensor([2.0], requires_grad=True)
        >>> y = Cube.apply(x)
        >>> with nanotorch.no_grad():
        ...     _ = x.mul_(2)  # changes what backward would read
        >>> try:
        ...     y.backward()
        ... except RuntimeError as err:
        ...     print(str(err).split(":")[0])
        one of the variables needed for gradient computation has been modified by an ...
        """
        if self._epoch == _clock[0]:  # nothing was modified in place since they were saved
            saved = self._saved
            if self.saves_output:
                return saved[:-1] + (saved[-1].unpack(self),)
            if self._raw_forward:  # a custom Function may have saved one of its outputs
                return saved
        return self._unpack_saved()

    def _unpack_saved(self):
        if self._epoch < 0:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        items = self._saved
        out = []
        for t in items:
            if type(t) is _SavedOutput:
                cell = t.tensor_ref
                t = t.unpack(self)
            elif isinstance(t, _Tensor):
                cell = t._vcell
            else:
                out.append(t)
                continue
            if cell is not None and cell[1] > self._epoch:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{t.dtype} {list(t.shape)}], which is saved by "
                    f"{self.name()}, is at version {cell[0]}; it was modified after it was saved. "
                    "Hint: clone the tensor before modifying it in place, or do the in-place "
                    "operation after backward.")
            out.append(t)
        return tuple(out)

    # The lecture reads saved tensors as ``ctx.saved_values``.
    saved_values = saved_tensors

    @property
    def saved_arrays(self):
        """``saved_tensors`` as raw backend arrays (numbers and None as they are), for ``raw_backward``.

        The same checks apply: a saved tensor modified in place, or a graph
        already freed by backward, raises RuntimeError.

        >>> import nanotorch
        >>> x = nanotorch.tensor([2.0], requires_grad=True)
        >>> (x * nanotorch.tensor([3.0])).grad_fn.saved_arrays
        (array([2.], dtype=float32), array([3.], dtype=float32))
        """
        if self._epoch == _clock[0]:
            if self._arrays is not None:
                return self._arrays
            saved = self._saved
        else:
            saved = self._unpack_saved()
        arrays = []  # a loop, not a generator: half the time on the two or three values ops save
        for t in saved:
            arrays.append(t._data if isinstance(t, _Tensor) else t.data if type(t) is _SavedOutput else t)
        return tuple(arrays)

    def mark_non_differentiable(self, *tensors):
        """Outputs that never get a gradient (indices, masks): they have ``requires_grad=False``.

        >>> import nanotorch
        >>> class SortValues(nanotorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         idx = x.argmax(0, keepdim=True)
        ...         ctx.mark_non_differentiable(idx)
        ...         return x.max(0, keepdim=True).values, idx
        ...     @staticmethod
        ...     def backward(ctx, g, g_idx):
        ...         return g
        >>> values, idx = SortValues.apply(nanotorch.tensor([1.0, 3.0], requires_grad=True))
        >>> values.requires_grad, idx.requires_grad
        (True, False)
        """
        self._non_differentiable = tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        """Whether backward receives zeros (True, the default) or None for outputs that got no gradient.

        >>> import nanotorch
        >>> class Two(nanotorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.set_materialize_grads(False)
        ...         return x * 1, x * 2
        ...     @staticmethod
        ...     def backward(ctx, g1, g2):
        ...         print(g2)
        ...         return g1
        >>> x = nanotorch.ones(2, requires_grad=True)
        >>> a, b = Two.apply(x)
        >>> a.sum().backward()
        None
        """
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        """Accepted for torch compatibility: in-place outputs are tracked by version counters.

        >>> import nanotorch
        >>> class AddOne(nanotorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.mark_dirty(x)
        ...         return x.add_(1)
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         return g
        >>> AddOne.apply(nanotorch.zeros(2))
        tensor([1., 1.])
        """


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

    # BuiltinFunction sets this: its forward returns raw backend arrays.
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
        if _profiler is not None:
            return _profiler(cls, args)
        ctx = _new(cls)
        # as in torch, forward may already read which inputs will need a gradient
        enabled = _grad_state.enabled
        ctx.needs_input_grad = tuple(enabled and isinstance(a, _Tensor) and a._requires_grad
                                     for a in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        outputs = _own_outputs(result, args)
        if _grad_state.enabled and _any_requires_grad(args):
            _record(ctx, args, outputs)
            if ctx._saved:
                # A saved output would point back at this node: keep it as data only.
                by_id = {id(o): o for o in (outputs if type(outputs) is tuple else (outputs,))}
                ctx._saved = tuple(_SavedOutput(by_id[id(t)]) if id(t) in by_id else t
                                   for t in ctx._saved)
        return outputs


class BuiltinFunction(Function):
    """A built-in op: ``forward`` reads raw backend arrays and returns one raw array.

    The hot path of the whole library: ``apply`` wraps the array in a tensor
    and, when grad mode is on and an input requires grad, records the node.
    The output lives on the backend of the first tensor argument, unless the
    op sets ``ctx.backend`` and declares ``sets_backend``.
    """

    _raw_forward = True
    sets_backend = False

    @classmethod
    def apply(cls, *args):
        if _profiler is not None:
            return _profiler(cls, args)
        ctx = _new(cls)
        try:
            data = cls.forward(ctx, *args)
        except AttributeError:
            _first_backend(args, cls)  # raises TypeError when no argument is a tensor
            raise
        if cls.sets_backend:
            backend = ctx.backend
        else:
            first = args[0]
            backend = first._backend if type(first) is _Tensor else _first_backend(args)
        out = _fresh_tensor(data, backend)
        if cls.is_view and data.base is not None:
            share_version(out, args[0])
        if _grad_state.enabled:
            for a in args:
                if isinstance(a, _Tensor) and a._requires_grad:
                    _record(ctx, args, out)
                    if cls.saves_output:
                        ctx._saved = ctx._saved + (_SavedOutput(out),)
                        ctx._epoch = _clock[0]
                    break
        return out

    @classmethod
    def apply_saving_inputs(cls, data, backend, arrays, a, b=None):
        """The tail of an elementwise op's inlined hot path, once it has computed ``data``.

        ``a`` is a float tensor and ``b`` (for a two-input op) a tensor of the
        same dtype or a Python float; ``arrays`` are their raw values. The
        result is what ``apply`` would return for an op whose forward saved
        its inputs (or, for an op that ``saves_output``, only its output): a
        fresh tensor, recorded on the tape when grad mode is on and an input
        requires grad.
        """
        out = _fresh_tensor(data, backend)
        if not _grad_state.enabled:
            return out
        if b is None or type(b) is not _Tensor or not b._requires_grad:  # only ``a`` may need one
            if not a._requires_grad:
                return out
            # _edge(a), inlined: one call less on almost every op (2.5% of the op chain)
            fn = a.grad_fn
            if fn is None:
                fn = leaf_accumulator(a)
            fn._uses += 1
            x = arrays[0]
            edge = (fn, a._output_nr, x.shape, x.dtype)
            if b is None:
                edges, needs, args = (edge,), (True,), (a,)
            else:
                edges, needs, args = (edge, None), (True, False), (a, b)
        else:
            edges = (_edge(a) if a._requires_grad else None, _edge(b))
            needs, args = (a._requires_grad, True), (a, b)
        if cls.saves_output:
            attach_node(cls, out, edges, needs, (_SavedOutput(out),), (data,))
        else:
            attach_node(cls, out, edges, needs, args, arrays)
        return out


def attach_node(cls, out, edges, needs, saved, arrays):
    """Record ``out`` as made by op ``cls``, the tail of an op's inlined hot path: a node with the
    ``edges`` to its inputs' nodes and ``needs`` (which inputs require grad) that keeps ``saved``
    for backward, with their raw values ``arrays``."""
    ctx = _new(cls)
    ctx._saved, ctx._arrays, ctx._epoch = saved, arrays, _clock[0]
    ctx.next_functions = edges
    ctx.needs_input_grad = needs
    ctx.backend = out._backend
    if anomaly.state.enabled:
        ctx._trace = _user_stack()
    out._requires_grad = True
    out.grad_fn = ctx


def _fresh_tensor(data, backend):
    """Tensor._wrap, inlined: this runs for every op."""
    if not data.ndim and not backend.is_array(data):
        data = backend.xp.asarray(data)  # numpy reduces 0-d results to scalars
    out = _new(_Tensor)
    out._data = data
    out._backend = backend
    out._requires_grad = False
    out._grad = None
    out.grad_fn = None
    out._output_nr = 0
    out._vcell = None
    out._accumulator = None
    out._hooks = None
    out._retains_grad = False
    return out


_new = object.__new__


def _any_requires_grad(args):
    for a in args:
        if isinstance(a, _Tensor) and a._requires_grad:
            return True
    return False


def _first_backend(args, op=None):
    for a in args:
        if isinstance(a, _Tensor):
            return a._backend
    name = (op or BuiltinFunction).__name__.lower()
    raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                    f"{type(args[0]).__name__ if args else 'nothing'}")


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


def _edge(a):
    fn = a.grad_fn
    if fn is None:
        fn = leaf_accumulator(a)
    fn._uses += 1
    data = a._data
    return (fn, a._output_nr, data.shape, data.dtype)


def _record(ctx, args, outputs):
    """Attach ``ctx`` as the grad_fn of ``outputs`` and link it to the inputs' nodes."""
    if len(args) == 1:  # the common case, unrolled: the caller knows it requires grad
        ctx.next_functions = (_edge(args[0]),)
        ctx.needs_input_grad = (True,)
    else:
        edges = []
        needs = []
        for a in args:
            if isinstance(a, _Tensor) and a._requires_grad:
                edges.append(_edge(a))
                needs.append(True)
            else:
                edges.append(None)
                needs.append(False)
        ctx.next_functions = tuple(edges)
        ctx.needs_input_grad = tuple(needs)
    if anomaly.state.enabled:
        ctx._trace = _user_stack()
    if type(outputs) is tuple:
        ctx.backend = outputs[0]._backend if outputs else None
        ctx._num_outputs = len(outputs)
        ctx._plain = ctx._num_outputs == 1
        ctx._output_meta = []
        skip = ctx._non_differentiable
        for nr, out in enumerate(outputs):
            ctx._output_meta.append((out._data.shape, out._backend, out._data.dtype))
            if id(out) in skip or out._data.dtype.kind not in "fc":
                continue
            out._requires_grad = True
            out.grad_fn = ctx
            out._output_nr = nr
    else:
        ctx.backend = outputs._backend
        if outputs._data.dtype.kind in "fc":
            outputs._requires_grad = True
            outputs.grad_fn = ctx


def _user_stack():
    """The current stack as text, without nanotorch's own frames on top (anomaly mode).

    Ops are reached through different depths of wrappers (``x.sqrt()``,
    ``nanotorch.sqrt(x)``, a custom ``Function.apply``), so the frames are cut
    by where they live, not by counting.
    """
    frames = traceback.extract_stack()
    while len(frames) > 1 and frames[-1].filename.startswith(_PACKAGE_DIR):
        frames.pop()
    return "".join(traceback.format_list(frames))


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def leaf_accumulator(tensor):
    """The AccumulateGrad node of a leaf, shared by every use and held weakly by the leaf."""
    ref = tensor._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node
