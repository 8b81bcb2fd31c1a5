"""The backward engine: walks the tape from the outputs back to the leaves.

A node may run once its gradient is whole: every consumer that can still
send it one has done so. For a node that only one op ever used (the tape
counts the edges into each node, ``Node._uses``) that is the moment its
gradient arrives, so chains and trees of ops run without any bookkeeping.
Nodes used several times wait; when nothing else can run, one pass counts,
for each waiting node, the consumers still to come, and the rest of the
graph runs as those counts reach zero. A leaf without hooks never waits:
its ``.grad`` is a sum, so each part is added in as it arrives (this also
spares the count when a previous step's graph, still alive, has used the
same parameters). No recursion: a 100,000-op chain needs no deeper Python
stack than a 3-op one. Gradients flowing into a broadcast input are summed
back to that input's shape here, in one place.

Two modes share the loop. With ``create_graph=True`` the gradients are
tensors and every backward is recorded, so it can be differentiated again.
Otherwise (the common case) they are raw backend arrays and each node runs
its ``raw_backward``: no tensor is built for an intermediate gradient, which
halves the cost of a small op's backward. Tensors appear only where a user
can see them: hooks, ``autograd.grad``'s results and the leaves' ``.grad``.
While a profile is active the tensor mode runs, so the profiler sees each op.
"""
from __future__ import annotations

from sys import getrefcount

from . import anomaly
from . import function as _function
from .function import AccumulateGrad, _fresh_tensor, check_count
from .grad_mode import state as _grad_state

__all__ = ["run_backward"]


def _count_dependencies(roots):
    """For every node reachable from ``roots``, the number of edges into it from that part of the graph."""
    deps = {}
    stack = list(roots)
    for node in roots:
        deps.setdefault(node, 0)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            nxt = edge[0]
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def _zeros_for(node, nr):
    shape, backend, dtype = node._output_meta[nr]
    return _function._Tensor._wrap(backend.zeros(shape, dtype=dtype), backend)


def _call_backward(node, grads, raw):
    """Backward of a node with several outputs (missing gradients become zeros), always on tensors."""
    if raw:
        grads = [None if g is None else _function._Tensor._wrap_raw(g, node.backend) for g in grads]
    if node.materialize_grads:
        grads = [g if g is not None else _zeros_for(node, i) for i, g in enumerate(grads)]
    out = check_count(node, node.backward(node, *grads))
    return tuple(None if g is None else g._data for g in out) if raw else out


def _run_hooks(hooks, grad):
    for hook in hooks:
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def run_backward(roots, grads, retain_graph=False, create_graph=False, capture=None):
    """Propagate ``grads`` from the ``roots`` edges back through the graph.

    ``roots`` are ``(node, output_nr)`` pairs. With ``capture`` (a dict
    mapping ``(node, output_nr)`` to ``None``), the gradients arriving at those
    edges are stored in it instead of accumulating into leaves' ``.grad``:
    that is ``autograd.grad``.
    """
    check = anomaly.state.enabled and anomaly.state.check_nan
    raw = not (create_graph or check or _function._profiler is not None)
    direct = raw and capture is None
    # Two ways to know that a node has its whole gradient. A node only one op
    # ever used (``_uses == 1``) has it when that gradient arrives, and runs at
    # once; so does a single root. Other nodes wait in ``buffers`` until
    # nothing else can run; then ``deps`` counts, for each, the consumers that
    # can still send it something, and the rest of the graph runs as those
    # counts reach zero. A chain or a tree of ops never needs the count.
    buffers = {}
    deps = None
    # A node that can run next is handed over directly: in a chain of ops, no
    # buffer and no ready stack are touched.
    handed = None
    if len(roots) == 1 and roots[0][0]._num_outputs == 1:  # loss.backward()
        ready = []
        handed = roots[0][0], grads[0]._data if raw else grads[0]
    else:
        for (node, nr), g in zip(roots, grads):
            _accumulate(buffers, node, nr, g._data if raw else g)
        if len(buffers) > 1:
            deps = _count_dependencies(list(buffers))
        ready = [n for n in buffers if deps is None or deps[n] == 0]
    previous_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    try:
        while True:
            if handed is not None:
                node, grad = handed
                handed = None
            elif ready:
                node = ready.pop()
                grad = buffers.pop(node, None)
            elif buffers and deps is None:  # only nodes used several times are left: count
                deps = _count_dependencies(list(buffers))
                ready = [n for n in buffers if deps[n] == 0]
                continue
            else:
                break
            if node._plain and capture is None and grad is not None:
                out = node.raw_backward(node, grad) if raw else check_count(node, node.backward(node, grad))
                if type(out) is not tuple:
                    out = (out,)
            else:
                out = _backward_off_the_fast_path(node, grad, capture, raw, create_graph)
                if out is None:
                    continue
            if check:
                anomaly.check_gradients(node, out)
            if not retain_graph:
                node._saved = ()
                node._arrays = None
                node._epoch = -1
            for i, edge in enumerate(node.next_functions):
                if edge is None:
                    continue
                nxt, nr, shape, dtype = edge
                if deps is None:
                    whole = nxt._uses == 1
                else:
                    left = deps[nxt] - 1
                    deps[nxt] = left
                    whole = not left
                g = out[i]
                if g is None:  # no gradient along this edge, but one consumer fewer to wait for
                    if whole and deps is not None:
                        ready.append(nxt)
                    continue
                data = g if raw else g._data
                if data.shape != shape:
                    g = node.backend.sum_to_shape(g, shape) if raw else g.sum_to_size(shape)
                if data.dtype is not dtype and data.dtype != dtype:
                    g = g.astype(dtype) if raw else g.to(_dtype_of(dtype))
                data = None
                if direct and type(nxt) is AccumulateGrad and not nxt.variable._hooks:
                    # A leaf's sum needs no waiting: each part goes into .grad as it comes,
                    # the first one as it is when nothing else holds it (see _ADOPTABLE).
                    leaf = nxt.variable
                    if (leaf._grad is None
                            and getrefcount(g) <= (_ADOPTABLE if g is out[i] else _ADOPTABLE_AS_MADE)
                            and leaf._backend.owns_dense(g)):
                        leaf._grad = _fresh_tensor(g, leaf._backend)
                    else:
                        _accumulate_leaf_array(leaf, g)
                    if whole and deps is not None:  # a root's own gradient may wait in buffers
                        ready.append(nxt)
                    continue
                if nxt._num_outputs == 1:
                    old = buffers.pop(nxt, None) if buffers else None
                    if old is not None:
                        g = old + g
                    if whole and handed is None:
                        handed = nxt, g
                        continue
                    buffers[nxt] = g
                else:
                    _accumulate(buffers, nxt, nr, g)
                if whole:
                    ready.append(nxt)
            out = g = None  # a gradient handed to a leaf is then held only where _ADOPTABLE counts
    finally:
        _grad_state.enabled = previous_mode


def _backward_off_the_fast_path(node, grad, capture, raw, create_graph):
    """Run a node the main loop does not: hooks or captured edges, a leaf, several outputs, or no
    gradient at all. Returns one gradient (or None) per edge, or None for a leaf, which has no edges.

    A node that no gradient reached still passes None along its edges, so the
    nodes after it stop waiting for it.
    """
    hooked = node._pre_hooks is not None or capture is not None or node._num_outputs != 1
    if hooked:
        grad = _hooks_and_capture(node, grad, capture, raw)
    if type(node) is AccumulateGrad:
        if capture is None and grad is not None:
            if raw:
                unshared = not hooked and getrefcount(grad) <= _ADOPTABLE
                _accumulate_leaf_array(node.variable, grad, unshared)
            else:
                _accumulate_leaf(node.variable, grad, create_graph)
        return None
    if node._num_outputs != 1:
        if all(g is None for g in grad):
            return (None,) * len(node.next_functions)
        return _call_backward(node, grad, raw)
    if grad is None:
        return (None,) * len(node.next_functions)
    out = node.raw_backward(node, grad) if raw else check_count(node, node.backward(node, grad))
    return out if type(out) is tuple else (out,)


def _hooks_and_capture(node, grad, capture, raw):
    """Run tensor hooks registered on ``node``'s outputs and record captured gradients.

    Hooks and ``autograd.grad`` see tensors, so raw gradients are wrapped here
    (and unwrapped again for the rest of the pass).
    """
    hooks = node._pre_hooks or {}
    grads = [grad] if node._num_outputs == 1 else grad or [None] * node._num_outputs
    for nr, g in enumerate(grads):
        key = (node, nr)
        if g is None or (nr not in hooks and (capture is None or key not in capture)):
            continue
        if raw:
            g = _function._Tensor._wrap_raw(g, node.backend)
        g = _run_hooks(hooks.get(nr, ()), g)
        if capture is not None and key in capture:
            capture[key] = g
        grads[nr] = g._data if raw else g
    return grads[0] if node._num_outputs == 1 else grads


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _accumulate(buffers, node, nr, g):
    if node._num_outputs == 1:
        old = buffers.get(node)
        buffers[node] = g if old is None else old + g
    else:
        slot = buffers.get(node)
        if slot is None:
            slot = buffers[node] = [None] * node._num_outputs
        slot[nr] = g if slot[nr] is None else slot[nr] + g


# The references to a gradient array that the engine is handing to a leaf, when
# nothing else holds it (no hook ran: a hook's result is another array, which
# the hook may have kept). In run_backward's edge loop: ``out``, ``g`` and
# getrefcount's own argument, or only the last two for a gradient the loop
# itself summed to shape or cast. Elsewhere: run_backward's ``grad``, the
# parameter of _backward_off_the_fast_path and getrefcount's argument.
_ADOPTABLE = 3
_ADOPTABLE_AS_MADE = 2


def _accumulate_leaf_array(leaf, grad, unshared=False):
    """Add a raw gradient into ``leaf.grad`` (first-order backward).

    The first gradient becomes ``.grad`` as it is when it is ``unshared`` (no
    other reference to it) and owns dense, writable memory, as torch's
    AccumulateGrad steals it; otherwise ``.grad`` is a copy, since the
    gradient may be a broadcast view or shared with another leaf, and
    optimizers update ``.grad`` in place.
    """
    backend = leaf._backend
    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, _function._Tensor._wrap_raw(grad, backend))._data
        unshared = False
    old = leaf._grad
    if old is None:
        if not (unshared and backend.owns_dense(grad)):
            grad = backend.xp.array(grad, copy=True)
        leaf._grad = _function._Tensor._wrap(grad, backend)
    elif old._requires_grad:
        leaf._grad = old + _function._Tensor._wrap_raw(grad, backend)
    else:
        backend.add(old._data, grad, out=old._data)


def _accumulate_leaf(leaf, grad, create_graph):
    """Add a gradient tensor into ``leaf.grad``; under ``create_graph`` it stays in the graph."""
    if not create_graph:
        _accumulate_leaf_array(leaf, grad._data)
        return
    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, grad)
    leaf._grad = grad if leaf._grad is None else leaf._grad + grad
