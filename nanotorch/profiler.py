"""How much does it cost? Counting the operations and counting the memory.

``profile()`` is a context manager. Inside it, every differentiable op
(every ``Function.apply``) and every ``nn.Module`` call is counted:

* calls, and time (forward and backward separately; inclusive wall time,
  so a module's time includes its children's and an op's backward time
  includes the ops it runs);
* FLOPs, by formula: an elementwise op costs one per output element, a
  reduction (sum, max, softmax, ...) one per input element, a matmul
  ``2 * m * n * k`` per batch, a convolution the same through its im2col
  matmul (``2 * out.numel() * in_channels/groups * prod(kernel)``);
  views and copies cost none;
* bytes allocated: the memory behind every output that no input shares (a
  view of an input allocates nothing; a view of a fresh buffer counts it);
* peak memory: the most bytes held at once by arrays made inside the block
  (each allocation is released when its array is freed), which is the
  activations, gradients and temporaries of the step.

A backward's ops are charged to the op whose backward ran them (the
``bwd`` columns), and to the module that ran that op's forward; the ops
the engine runs itself (``SumToSize``, the lecture's reduce gradient, and
gradient accumulation) appear under their own names in the ``bwd`` columns.
To see those ops, a backward inside a profile runs in the engine's tensor
mode (as with ``create_graph``); outside a profile a first-order backward
passes raw arrays between the same kernels, so its FLOPs and bytes are the
same but its time is shorter than the ``bwd`` times show.
Ops outside a backward (an optimizer's update, say) count as forward.
A custom ``Function`` counts as one op, its FLOPs by the elementwise rule
(ops inside its forward are not counted again). Nothing is hooked while no
profile is active: entering sets the hook that ``Function.apply`` checks
(``autograd.function._profiler``) and swaps a counting ``__call__`` onto
``nn.Module``; leaving puts the originals back.

>>> import nanotorch
>>> from nanotorch.profiler import profile
>>> x = nanotorch.ones(4, 3, requires_grad=True)
>>> w = nanotorch.ones(3, 2, requires_grad=True)
>>> with profile() as prof:
...     (x @ w).relu().sum().backward()
>>> prof.total_flops()  # forward 2*4*3*2 + 8 + 8 = 64; backward two matmuls and relu's mask: 104
168
>>> sorted(row.key for row in prof.key_averages())
['Matmul', 'Relu', 'Sum']
"""
from __future__ import annotations

import sys
import time
import weakref

from .autograd import engine as _engine
from .autograd import function as _function

__all__ = ["profile", "Stats"]

# Ops that move or reinterpret data without arithmetic.
_NO_FLOPS = frozenset({
    "Reshape", "Permute", "Expand", "Spread", "Flip", "Repeat", "Cat", "Contiguous", "Clone", "ToDtype",
    "ToDevice", "Real", "Imag", "GetItem", "IndexPut", "Gather", "Scatter", "PutAlongDim",
    "Embedding", "Im2Col", "Where", "MaskedFill",
})
# Ops that cost one FLOP per element of their (first) input.
_PER_INPUT = frozenset({
    "Sum", "SumToSize", "Mean", "Prod", "Amax", "Amin", "MaxDim", "LogSumExp", "Softmax",
    "LogSoftmax", "SoftmaxBack", "LogSoftmaxBack", "Cumsum", "Norm", "MaxPool", "AvgPool",
    "AdaptiveMaxPool1d", "Col2Im", "IndexAdd", "ScatterAdd", "EmbeddingBackward",
    "MaxPoolBackward", "AvgPoolBackward", "BinaryCrossEntropy",
})


def _arrays(value):
    if isinstance(value, tuple):
        return [v._data for v in value if hasattr(v, "_data")]
    return [value._data] if hasattr(value, "_data") else []


def _flops(name, args, outs):
    """FLOPs of one op call from its name, its arguments and its output arrays."""
    if not outs:
        return 0
    out = outs[0]
    if name in ("Matmul", "Linear"):
        k = args[0]._data.shape[-1] if args[0]._data.ndim else 1
        bias = out.size if name == "Linear" and len(args) > 2 and args[2] is not None else 0
        return 2 * out.size * k + bias
    if name == "LinearWeightGrad":  # g^T @ x: contracts over every batch row
        g = args[0]._data
        return 2 * out.size * (g.size // max(g.shape[-1], 1))
    if name == "Conv":
        weight = args[1]._data
        bias = out.size if len(args) > 2 and args[2] is not None else 0
        return 2 * out.size * (weight.size // max(weight.shape[0], 1)) + bias
    if name in _NO_FLOPS:
        return 0
    if name in _PER_INPUT:
        return next((a._data.size for a in args if hasattr(a, "_data")), 0)
    return sum(o.size for o in outs)


def _root(array):
    """The array that owns ``array``'s memory (itself unless it is a view)."""
    base = getattr(array, "base", None)
    while base is not None and hasattr(base, "nbytes"):
        array, base = base, getattr(base, "base", None)
    return array


def _new_memory(outs, args):
    """The arrays whose memory the op allocated: owners of its outputs that no input shares.

    An output that is a view of a fresh buffer (a reshaped matmul result) counts
    that whole buffer; a view of an input counts nothing.
    """
    taken = {id(_root(a._data)) for a in args if hasattr(a, "_data")}
    owners = {}
    for out in outs:
        root = _root(out)
        if id(root) not in taken:
            owners[id(root)] = root
    return list(owners.values())


class Stats:
    """Totals for one op type or one module.

    ``key`` names it; ``count`` (calls), ``flops``, ``bytes`` (allocated) and
    ``time`` (seconds, inclusive) are the forward's; the ``backward_*``
    fields are the same for its backward.

    >>> Stats("Add").count
    0
    """

    __slots__ = ("key", "count", "time", "flops", "bytes", "backward_count", "backward_time",
                 "backward_flops", "backward_bytes")

    def __init__(self, key):
        self.key = key
        self.count = self.backward_count = 0
        self.time = self.backward_time = 0.0
        self.flops = self.bytes = self.backward_flops = self.backward_bytes = 0

    # torch.profiler's FunctionEventAvg spellings, for scripts written against it
    @property
    def cpu_time_total(self):
        """Forward plus backward time in microseconds."""
        return (self.time + self.backward_time) * 1e6

    @property
    def cpu_memory_usage(self):
        """Bytes allocated, forward plus backward."""
        return self.bytes + self.backward_bytes

    @property
    def total_flops(self):
        return self.flops + self.backward_flops

    def __repr__(self):
        return (f"<Stats {self.key}: {self.count} calls, {self.flops} flops, {self.bytes} bytes, "
                f"{self.time * 1e3:.3f} ms; backward {self.backward_count} calls, "
                f"{self.backward_flops} flops, {self.backward_time * 1e3:.3f} ms>")


class profile:
    """Count calls, FLOPs, bytes, peak memory and time of everything run inside the block.

    ``with profile() as prof: ...`` then ``print(prof.table())`` (per op
    type), ``print(prof.table(by="module"))`` (per ``nn.Module``), or read
    ``prof.key_averages()``, ``prof.module_averages()``, ``prof.total_flops()``,
    ``prof.peak_bytes``.

    >>> import nanotorch
    >>> from nanotorch.profiler import profile
    >>> with profile() as prof:
    ...     y = nanotorch.ones(10) * 2
    >>> row = prof.key_averages()[0]
    >>> row.key, row.count, row.flops, row.bytes
    ('Mul', 1, 10, 40)
    """

    _active = None

    def __init__(self):
        self.ops = {}
        self.modules = {}
        self.live_bytes = 0
        self.peak_bytes = 0
        self.backward_time = 0.0
        self.wall_time = 0.0
        self._in_engine = 0  # > 0 while a backward pass runs
        self._charge = []  # stack of Stats that ops run inside a backward are charged to
        self._module_path = []  # (path, Stats, module) of every module being called, outermost first
        self._saved = []

    # --- hooking in and out ---------------------------------------------------
    def __enter__(self):
        if profile._active is not None:
            raise RuntimeError("profile() is already active; profiles do not nest")
        profile._active = self
        self._saved.append((_function, "_profiler", None))
        _function._profiler = _counting_apply(self)
        original_run = _engine.run_backward
        self._saved.append((_engine, "run_backward", original_run))
        _engine.run_backward = _counting_backward(self, original_run)
        module_cls = _module_class()
        if module_cls is not None:
            original_call = module_cls.__dict__["__call__"]
            self._saved.append((module_cls, "__call__", original_call))
            module_cls.__call__ = _counting_call(self, original_call)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall_time += time.perf_counter() - self._start
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
        profile._active = None
        return False

    # --- bookkeeping ------------------------------------------------------------
    def _allocated(self, arrays, args):
        owners = _new_memory(arrays, args)
        nbytes = sum(a.nbytes for a in owners)
        for a in owners:
            try:
                weakref.finalize(a, self._release, a.nbytes)
            except TypeError:  # an array type without weak references: count it as never freed
                pass
        self.live_bytes += nbytes
        if self.live_bytes > self.peak_bytes:
            self.peak_bytes = self.live_bytes
        return nbytes

    def _release(self, nbytes):
        self.live_bytes -= nbytes

    def _stats(self, table, key):
        stats = table.get(key)
        if stats is None:
            stats = table[key] = Stats(key)
        return stats

    # --- results --------------------------------------------------------------------
    def key_averages(self):
        """One :class:`Stats` per op type, most expensive (forward + backward time) first."""
        return sorted(self.ops.values(), key=lambda s: -(s.time + s.backward_time))

    def module_averages(self):
        """One :class:`Stats` per module path (``Net.fc1``), in the order they were first called."""
        return list(self.modules.values())

    def total_flops(self):
        """FLOPs of every op run inside the block, forward and backward."""
        return sum(s.flops + s.backward_flops for s in self.ops.values())

    def table(self, by="op", sort_by="time", row_limit=None):
        """The counts as a text table, one row per op type (``by="op"``) or module (``by="module"``).

        ``sort_by`` is ``"time"``, ``"flops"``, ``"bytes"`` or ``"calls"`` (for
        modules, the default keeps call order).
        """
        if by == "module":
            rows = self.module_averages()
            title = "module"
            if sort_by == "time" and rows:
                sort_by = None
        elif by == "op":
            rows, title = list(self.ops.values()), "op"
        else:
            raise ValueError(f"by must be 'op' or 'module', got {by!r}")
        keys = {"time": lambda s: -(s.time + s.backward_time),
                "flops": lambda s: -(s.flops + s.backward_flops),
                "bytes": lambda s: -(s.bytes + s.backward_bytes),
                "calls": lambda s: -s.count, None: None}
        if sort_by not in keys:
            raise ValueError(f"sort_by must be one of time, flops, bytes, calls; got {sort_by!r}")
        if keys[sort_by] is not None:
            rows = sorted(rows, key=keys[sort_by])
        if row_limit is not None:
            rows = rows[:row_limit]
        width = max([len(title)] + [len(r.key) for r in rows]) + 2
        head = (f"{title:<{width}}{'calls':>7}{'FLOPs':>11}{'alloc':>11}{'fwd ms':>9}"
                f"{'bwd calls':>10}{'bwd FLOPs':>11}{'bwd alloc':>11}{'bwd ms':>9}")
        lines = [head, "-" * len(head)]
        for r in rows:
            lines.append(
                f"{r.key:<{width}}{r.count:>7}{_count(r.flops):>11}{_nbytes(r.bytes):>11}"
                f"{r.time * 1e3:>9.3f}{r.backward_count:>10}{_count(r.backward_flops):>11}"
                f"{_nbytes(r.backward_bytes):>11}{r.backward_time * 1e3:>9.3f}")
        ops = list(self.ops.values())
        lines.append("-" * len(head))
        lines.append(
            f"total: {_count(sum(s.flops for s in ops))} FLOPs forward, "
            f"{_count(sum(s.backward_flops for s in ops))} backward; "
            f"{_nbytes(sum(s.bytes + s.backward_bytes for s in ops))} allocated, "
            f"peak {_nbytes(self.peak_bytes)} live; {self.wall_time * 1e3:.3f} ms in the block "
            f"({self.backward_time * 1e3:.3f} ms in backward)")
        return "\n".join(lines)


def _count(n):
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def _nbytes(n):
    for unit, size in (("GB", 2 ** 30), ("MB", 2 ** 20), ("KB", 2 ** 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _module_class():
    """nn.Module when nanotorch.nn has been imported (modules cannot run before it is)."""
    nn_module = sys.modules.get("nanotorch.nn.modules.module")
    return getattr(nn_module, "Module", None)


def _sync(outs):
    for o in outs:
        if not isinstance(o, _function._Tensor):
            continue
        if o._backend.device_type != "cpu":
            o._backend.synchronize()  # GPU work is queued: time it, not its launch
        return


def _counting_apply(prof):
    """The hook ``Function.apply`` calls while ``prof`` is active: run the op once, count it."""
    def apply(cls, args):
        _function._profiler = None  # the op itself, and any op inside a custom forward, run plain
        start = time.perf_counter()
        try:
            out = cls.apply(*args)
            outs = out if isinstance(out, tuple) else (out,)
            _sync(outs)
        finally:
            _function._profiler = apply
        elapsed = time.perf_counter() - start
        arrays = _arrays(out)
        flops, nbytes = _flops(cls.__name__, args, arrays), prof._allocated(arrays, args)
        if prof._charge:  # inside some op's backward: charge that op (and its module)
            for stats in prof._charge[-1]:
                stats.backward_flops += flops
                stats.backward_bytes += nbytes
            return out
        row = prof._stats(prof.ops, cls.__name__)
        if prof._in_engine:  # the engine's own work: summing broadcast gradients, accumulating
            row.backward_count += 1
            row.backward_time += elapsed
            row.backward_flops += flops
            row.backward_bytes += nbytes
            return out
        row.count += 1
        row.time += elapsed
        row.flops += flops
        row.bytes += nbytes
        owners = [row]
        for _, stats, _ in prof._module_path:
            stats.flops += flops
            stats.bytes += nbytes
        if prof._module_path:
            owners.append(prof._module_path[-1][1])
        node = next((o.grad_fn for o in outs if isinstance(o, _function._Tensor)
                     and o.grad_fn is not None), None)
        if node is not None and "backward" not in node.__dict__:
            # an instance attribute shadows the class's backward for this node only
            node.backward = _counting_node_backward(prof, type(node).backward, owners)
        return out
    return apply


def _counting_node_backward(prof, backward, owners):
    def timed(ctx, *grads):
        prof._charge.append(owners)
        start = time.perf_counter()
        try:
            result = backward(ctx, *grads)
            _sync(result if isinstance(result, tuple) else (result,))
        finally:
            prof._charge.pop()
        elapsed = time.perf_counter() - start
        for stats in owners:
            stats.backward_count += 1
            stats.backward_time += elapsed
        return result
    return timed


def _counting_backward(prof, run_backward):
    def run(*args, **kwargs):
        start = time.perf_counter()
        prof._in_engine += 1
        try:
            return run_backward(*args, **kwargs)
        finally:
            prof._in_engine -= 1
            prof.backward_time += time.perf_counter() - start
    return run


def _child_name(parent, child):
    for name, module in parent._modules.items():
        if module is child:
            return name
    return type(child).__name__


def _counting_call(prof, call):
    def __call__(self, *args, **kwargs):
        path = prof._module_path
        if path:
            parent_key, _, parent = path[-1]
            key = f"{parent_key}.{_child_name(parent, self)}"
        else:
            key = type(self).__name__
        stats = prof._stats(prof.modules, key)
        path.append((key, stats, self))
        start = time.perf_counter()
        try:
            return call(self, *args, **kwargs)
        finally:
            path.pop()
            stats.count += 1
            stats.time += time.perf_counter() - start
    return __call__
