"""Check analytical gradients against central finite differences (float64).

``gradcheck(fn, inputs)`` perturbs every element of every input that
requires grad by ±eps, estimates the Jacobian numerically and compares it
with the one backward computes, column by column (one backward per output
element). ``gradgradcheck`` does the same for the gradient of the gradient.
"""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` (a ``RuntimeError``) when analytical and numerical Jacobians differ.

    >>> import nanotorch
    >>> class Twice(nanotorch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g * 3  # wrong on purpose
    >>> x = nanotorch.ones(2, dtype=nanotorch.float64, requires_grad=True)
    >>> try:
    ...     nanotorch.autograd.gradcheck(Twice.apply, (x,))
    ... except nanotorch.autograd.GradcheckError as err:
    ...     print(str(err).splitlines()[0])
    Jacobian mismatch for output 0 with respect to input 0,
    """


def _tensors(xs):
    from ..tensor import Tensor
    return [x for x in xs if isinstance(x, Tensor)]


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, (tuple, list)) else (out,)


def _flat_outputs(fn, inputs):
    result = []
    for o in _outputs(fn, inputs):
        array = o._backend.to_numpy(o._data)
        result.append(array.astype(np.complex128 if o.is_complex() else np.float64).ravel())
    return result


def _numerical_jacobian(fn, inputs, wrt, eps):
    """J[k][i, j] = d out_i / d wrt_k[j] by central differences."""
    jac = []
    for t in wrt:
        data = t._data
        columns = []
        # index element by element: reshape(-1) of a non-contiguous input would be a copy
        for j in range(data.size):
            at = np.unravel_index(j, data.shape)
            orig = data[at].item()
            # raw writes into the input's memory: no version bump, no graph
            data[at] = orig + eps
            plus = _flat_outputs(fn, inputs)
            data[at] = orig - eps
            minus = _flat_outputs(fn, inputs)
            data[at] = orig
            columns.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
        jac.append(np.stack(columns, axis=1) if columns else np.zeros((0, 0)))
    return jac


def _analytical_jacobian(fn, inputs, wrt):
    from . import grad as autograd_grad
    outputs = [o for o in _outputs(fn, inputs)]
    sizes = [o.numel() for o in outputs]
    total = sum(sizes)
    jac = [np.zeros((total, t.numel())) for t in wrt]
    row = 0
    for out in outputs:
        if not out.requires_grad:
            row += out.numel()
            continue
        for i in range(out.numel()):
            # C order, so reshape(-1) is a view even when the output is a broadcast view
            seed = out._backend.xp.zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[i] = 1
            from ..tensor import Tensor
            grads = autograd_grad(out, wrt, Tensor._wrap(seed, out._backend), retain_graph=True,
                                  allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    jac[k][row + i] = g._backend.to_numpy(g._data).reshape(-1).real
        row += out.numel()
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False):
    """True when ``func``'s backward matches finite differences for every input needing grad.

    Inputs should be float64 for a meaningful check (torch warns otherwise).

    >>> import nanotorch
    >>> x = nanotorch.randn(3, dtype=nanotorch.float64, requires_grad=True)
    >>> nanotorch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wrt = [t for t in _tensors(inputs) if t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    numerical = _numerical_jacobian(func, inputs, wrt, eps)
    analytical = _analytical_jacobian(func, inputs, wrt)
    for k, (n, a) in enumerate(zip(numerical, analytical)):
        n = n.real if np.iscomplexobj(n) else n
        if n.shape != a.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(
                f"Jacobian mismatch for output 0 with respect to input {k},\n"
                f"numerical:{n}\nanalytical:{a}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, fast_mode=False):
    """gradcheck applied to the gradient of ``func`` (second derivatives via ``create_graph``).

    >>> import nanotorch
    >>> x = nanotorch.randn(3, dtype=nanotorch.float64, requires_grad=True)
    >>> nanotorch.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    True
    """
    from . import grad as autograd_grad
    from .._creation import randn
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wrt_positions = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(randn(o.shape, dtype=o.dtype, device=o.device, requires_grad=True)
                             for o in outputs if o.requires_grad)
    grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)

    def first_derivative(*args):
        ins = args[:len(inputs)]
        gos = args[len(inputs):]
        outs = [o for o in _outputs(func, ins) if o.requires_grad]
        wrt = [ins[i] for i in wrt_positions]
        grads = autograd_grad(outs, wrt, gos, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else ins[i] * 0 for g, i in zip(grads, wrt_positions))

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
