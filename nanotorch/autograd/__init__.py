"""Reverse-mode automatic differentiation on a tape.

* ``Function``: define an op with ``forward``/``backward`` (see ``function.py``).
* ``backward(tensors)`` / ``grad(outputs, inputs)``: run the engine (``engine.py``).
* ``no_grad`` and friends: grad modes (``grad_mode.py``).
* ``gradcheck`` / ``gradgradcheck``: compare with finite differences (``gradcheck.py``).
* ``detect_anomaly``: find the op that produced NaN (``anomaly.py``).
"""
from __future__ import annotations

from . import engine
from . import function as _function
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .gradcheck import gradcheck, gradgradcheck, GradcheckError

__all__ = ["Function", "FunctionCtx", "backward", "grad", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
           "gradcheck", "gradgradcheck", "GradcheckError", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled"]


def _as_tuple(x):
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _root_grads(outputs, grad_outputs):
    Tensor = _function._Tensor  # bound by nanotorch.tensor; an import here would cost 0.5 us a call
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be tensors, got {type(out).__name__} at index {i}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"(got an output of shape {list(out.shape)}); pass `gradient=`")
            data = out._data
            g = Tensor._wrap(out._backend.xp.ones(data.shape, data.dtype), out._backend)
        elif not isinstance(g, Tensor):
            from .._creation import tensor
            g = tensor(g, dtype=out.dtype, device=out.device)
        elif tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{list(g.shape)} and output[{i}] has a shape of {list(out.shape)}.")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad``.

    >>> import nanotorch
    >>> x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    >>> nanotorch.autograd.backward((x * x).sum())
    >>> x.grad
    tensor([2., 4.])
    """
    if retain_graph is None:
        retain_graph = create_graph
    if grad_tensors is None and inputs is None and type(tensors) is _function._Tensor:
        node = tensors.grad_fn
        data = tensors._data
        if node is not None and data.size == 1:  # loss.backward(), the common call, in short
            seed = tensors._backend.xp.array(1, dtype=data.dtype)  # 0.1 us; xp.ones takes 0.6
            if data.ndim:
                seed = seed.reshape(data.shape)
            engine.run_backward([(node, tensors._output_nr)],
                                [_function._Tensor._wrap(seed, tensors._backend)],
                                retain_graph, create_graph)
            return
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    grads = _root_grads(tensors, grad_tensors)
    roots = [(t._grad_edge(), t._output_nr) for t in tensors]
    if inputs is not None:
        inputs = _as_tuple(inputs)
        results = grad(tensors, inputs, grads, retain_graph=retain_graph,
                       create_graph=create_graph, allow_unused=True)
        for t, g in zip(inputs, results):
            if g is not None:
                engine._accumulate_leaf(t, g, create_graph)
        return
    engine.run_backward(roots, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned instead of stored in ``.grad``.

    >>> import nanotorch
    >>> x = nanotorch.tensor(3.0, requires_grad=True)
    >>> (g,) = nanotorch.autograd.grad(x ** 3, x, create_graph=True)
    >>> g, nanotorch.autograd.grad(g, x)[0]
    (tensor(27., grad_fn=<MulBackward0>), tensor(18.))
    """
    outputs = _as_tuple(outputs)
    single_input = not isinstance(inputs, (tuple, list))
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    grads = _root_grads(outputs, grad_outputs)
    capture = {(t._grad_edge(), t._output_nr): None for t in inputs}
    roots = [(t._grad_edge(), t._output_nr) for t in outputs]
    engine.run_backward(roots, grads, retain_graph, create_graph, capture=capture)
    results = []
    for i, t in enumerate(inputs):
        g = capture[(t._grad_edge(), t._output_nr)]
        if g is None:
            if materialize_grads:
                from .._creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        results.append(g)
    return tuple(results)
