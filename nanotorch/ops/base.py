"""``Op``: the base of every built-in op, and how one derivative serves both backward modes."""
from __future__ import annotations

from ..autograd.function import BuiltinFunction, _clock


class Op(BuiltinFunction):
    """A built-in op: forward on raw backend arrays, backward in tensor ops.

    The engine runs backward in two modes (see ``autograd/engine.py``): on
    tensors when ``create_graph=True`` (``backward``, so the derivative can be
    differentiated again) and on raw arrays otherwise (``raw_backward``).
    When the derivative is arithmetic on the incoming gradient and the saved
    values, an op writes it once, as ``derivative(ctx, g, *saved)``:
    operators run on tensors and raw arrays alike, so that one function is
    both. Other ops write ``backward`` in tensor ops, and those on the hot
    path add a ``raw_backward`` that calls the backend's kernels.

    >>> import nanotorch
    >>> from nanotorch.ops.base import Op
    >>> class Cube(Op):
    ...     @staticmethod
    ...     def forward(ctx, a):
    ...         ctx.save_for_backward(a)
    ...         return a._data ** 3
    ...     @staticmethod
    ...     def derivative(ctx, g, a):
    ...         return 3 * a * a * g
    >>> x = nanotorch.tensor([2.0], requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor([12.])
    """

    derivative = None

    @classmethod
    def backward(cls, ctx, g):
        return cls.derivative(ctx, g, *ctx.saved_tensors)

    @classmethod
    def raw_backward(cls, ctx, g):
        if cls.derivative is None:  # backward is written in tensor ops: run it on tensors
            return BuiltinFunction.raw_backward(ctx, g)
        arrays = ctx._arrays  # ``saved_arrays``' fast case, inlined: this runs for every node
        if arrays is None or ctx._epoch != _clock[0]:
            arrays = ctx.saved_arrays
        return cls.derivative(ctx, g, *arrays)
