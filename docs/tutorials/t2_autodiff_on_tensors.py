"""
2. Autodiff on tensors
======================

With scalars, backpropagation moves one number backward through each
operation. With tensors it moves a whole tensor of derivatives, one per
element, and every operation needs a rule that maps the gradient of its
output to the gradients of its inputs. Those rules come in the same three
shapes as the kernels: *map* (one input), *zip* (two inputs) and *reduce*
(collapse a dimension). This tutorial writes one of each as a custom
:class:`nanotorch.Function`, exactly as in the lecture, checks each against
finite differences with :func:`nanotorch.autograd.gradcheck`, and ends with
the rule that ties autodiff to broadcasting.
"""

import matplotlib.pyplot as plt

import nanotorch as torch
from nanotorch.autograd import gradcheck

# %%
# The shape of a backward rule
# ----------------------------
# Say a tensor function :math:`G` sits somewhere inside a bigger computation
# :math:`f`, and backpropagation has already computed
# :math:`d_i = \partial f / \partial G^i`, one number per element of
# :math:`G`'s output. The backward of :math:`G` has to return
# :math:`\partial f / \partial x_j` for every element of its input. By the
# chain rule that is :math:`\sum_i d_i \, \partial G^i / \partial x_j`; for
# elementwise functions only the :math:`i = j` term is non-zero, so the rule
# is one multiplication per element.
#
# A :class:`~nanotorch.Function` packages a forward and that backward.
# ``forward(ctx, ...)`` computes the output and stores on ``ctx`` whatever the
# backward will need; ``backward(ctx, d)`` receives the incoming gradient
# ``d`` (shaped like the output) and returns one gradient per input.
#
# Inside, we call the backend's raw kernels through ``t.f``: ``t.f.inv_map``
# is the map kernel :math:`1/x`, ``t.f.inv_back_zip`` the zip kernel
# :math:`-d / x^2`. Kernels do the arithmetic; the Function supplies the
# calculus.
#
# Map: Inv
# --------
# :math:`G^i(x) = 1 / x_i`, so :math:`\partial G^i / \partial x_i = -x_i^{-2}`
# and the gradient sent back is :math:`-x_i^{-2} \cdot d_i`.


class Inv(torch.Function):
    @staticmethod
    def forward(ctx, t1):
        ctx.save_for_backward(t1)
        return t1.f.inv_map(t1)

    @staticmethod
    def backward(ctx, d):
        (t1,) = ctx.saved_values
        return d.f.inv_back_zip(t1, d)


x = torch.tensor([0.5, 1.0, 2.0, 4.0], requires_grad=True)
y = Inv.apply(x)
print(y)
y.sum().backward()
print("d/dx sum(1/x):", x.grad)

# %%
# :func:`~nanotorch.autograd.gradcheck` nudges every input element by a tiny
# ``eps`` in both directions, measures how the output moves (central finite
# differences), and compares the result with what ``backward`` returns. Use
# float64 for it: in float32 the rounding error of the nudge swamps the
# comparison.

x64 = torch.tensor([0.5, 1.0, 2.0, 4.0], dtype=torch.float64, requires_grad=True)
print("Inv passes gradcheck:", gradcheck(Inv.apply, (x64,)))

# %%
# The same check, drawn: the derivative from ``backward`` lies on the slope of
# the curve at every point.

xs = torch.linspace(0.25, 3.0, 50, dtype=torch.float64, requires_grad=True)
Inv.apply(xs).sum().backward()
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(xs.detach().numpy(), (1 / xs).detach().numpy(), label="G(x) = 1/x")
ax.plot(xs.detach().numpy(), xs.grad.numpy(), label="backward: -1/x²")
ax.axhline(0, color="gray", lw=0.5)
ax.set_ylim(-6, 4)
ax.set_xlabel("x")
ax.legend()
ax.set_title("Map gradient of Inv")
fig.tight_layout()

# %%
# Zip: Mul
# --------
# :math:`G^i(x, y) = x_i \cdot y_i`. The derivative with respect to
# :math:`x_i` is :math:`y_i` and with respect to :math:`y_i` it is
# :math:`x_i`, so backward returns two tensors: :math:`y_i \cdot d_i` and
# :math:`x_i \cdot d_i`. The lecture saves both inputs with the plural
# spelling ``ctx.save_for_backwards((t1, t2))``; nanotorch accepts it next to
# torch's ``ctx.save_for_backward(t1, t2)``.


class Mul(torch.Function):
    @staticmethod
    def forward(ctx, t1, t2):
        ctx.save_for_backwards((t1, t2))
        return t1.f.mul_map(t1, t2)

    @staticmethod
    def backward(ctx, d):
        (t1, t2) = ctx.saved_values
        return d.f.mul_map(t2, d), d.f.mul_map(t1, d)


a = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
b = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
print("Mul passes gradcheck:", gradcheck(Mul.apply, (a, b)))

# %%
# Reduce: Sum
# -----------
# :math:`G(x) = \sum_i x_i` has one output, and
# :math:`\partial G / \partial x_i = 1` for every :math:`i`: each input
# element receives the incoming gradient :math:`d` unchanged. The backward
# therefore *spreads* ``d`` back over the summed dimension, which
# :meth:`~nanotorch.Tensor.expand` does without copying. The second input,
# the dimension, is an integer and gets no gradient: ``None``.


class Sum(torch.Function):
    @staticmethod
    def forward(ctx, t1, dim):
        ctx.input_shape = t1.shape
        return t1.f.sum_reduce(t1, dim)  # keeps ``dim`` with size 1

    @staticmethod
    def backward(ctx, d):
        return d.expand(ctx.input_shape), None


m = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
print(Sum.apply(m, 1).shape)
print("Sum passes gradcheck:", gradcheck(lambda t: Sum.apply(t, 1), (m,)))

# %%
# The three compose like any other operations; autograd chains their
# backward rules in reverse order:

print("composition passes gradcheck:",
      gradcheck(lambda p, q: Sum.apply(Mul.apply(Inv.apply(p), q), 0),
                (x64.detach().reshape(4, 1).requires_grad_(),
                 torch.randn(4, 3, dtype=torch.float64, requires_grad=True))))

# %%
# The built-in operations of nanotorch (``nanotorch/ops``) are written this
# way too, with one addition. Their ``backward`` uses differentiable tensor
# operations instead of raw kernels, so the backward itself can be recorded
# and differentiated again (``create_graph=True``, second derivatives). The
# ``t.f`` kernels above are plain arithmetic, so our ``Inv`` gives first
# derivatives only. But a first derivative is what training needs, and
# building a tensor (and a tape entry) for every intermediate gradient would
# double the cost of a small op. So the engine runs in two modes: with
# ``create_graph=True`` it calls ``backward`` on tensors; otherwise it passes
# raw arrays and calls ``raw_backward``, which for the hot ops is the
# lecture's style exactly, a kernel on raw arrays (``relu_back_zip``,
# ``tanh_back_zip``). Where a derivative is only arithmetic, as ``Mul``'s
# ``g * b``, it is written once (``derivative(ctx, g, a, b)``): operators
# work on tensors and raw arrays alike, so that one line serves both modes.
#
# Reduce gradient: the gradient of a broadcast is a sum
# -----------------------------------------------------
# What happens when ``Mul`` gets inputs of *different* shapes? Its forward
# broadcasts them: below, ``w`` of shape ``(4,)`` is reused by every one of
# the 3 rows of ``x``. Its backward returns ``t1 * d``, shaped like the
# *output*, ``(3, 4)``; but ``w.grad`` must have ``w``'s shape, ``(4,)``.
#
# The chain rule settles it. Broadcasting copies each ``w[j]`` into three
# places, and a value used in several places collects the gradient of every
# use: :math:`\partial f / \partial w_j = \sum_n d_{n j} \, x_{n j}`. So the
# gradient of a broadcast input is the output-shaped gradient **summed over
# the broadcast dimensions**. The lecture calls this the *reduce gradient*.
#
# nanotorch applies it in one place, the backward engine, for every operation
# (see ``nanotorch/autograd/engine.py``), so no backward rule has to think
# about broadcasting. Our ``Mul`` above did not, and still:

x = torch.randn(3, 4, dtype=torch.float64)
w = torch.randn(4, dtype=torch.float64, requires_grad=True)
Mul.apply(x, w).sum().backward()
print("w.grad:          ", w.grad)
print("x summed over rows:", x.sum(0))

# %%
# The equality holds because the incoming gradient of ``sum()`` is all ones,
# so ``w.grad[j]`` is ``x[:, j].sum()``. And ``gradcheck`` agrees on shapes
# that broadcast both ways, ``(3, 1)`` against ``(4,)``:

p = torch.randn(3, 1, dtype=torch.float64, requires_grad=True)
q = torch.randn(4, dtype=torch.float64, requires_grad=True)
print(Mul.apply(p, q).shape, "gradcheck:", gradcheck(Mul.apply, (p, q)))

# %%
# The two directions mirror each other: broadcasting in the forward pass
# (copy along a dimension) becomes a sum in the backward pass, and a sum in
# the forward pass (``Sum`` above) becomes a broadcast (``expand``) in the
# backward pass.
#
# Next: :doc:`t3_training_a_network` uses these gradients to fit a model.
