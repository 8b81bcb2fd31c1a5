"""
1. Tensors and broadcasting
===========================

A tensor is an n-dimensional grid of numbers of one type. This tutorial looks
at what a :class:`nanotorch.Tensor` is made of (a flat block of memory, a
shape and strides), why many operations return *views* that share that
memory, and how *broadcasting* lets one operation combine tensors of
different shapes. Together they let us write a whole batch computation
without a single Python loop over elements, which is what the lecture means
by "no loops within tensors".
"""

import nanotorch as torch

# %%
# Shapes
# ------
# Every tensor has a shape: the length of each of its dimensions. Factories
# like :func:`nanotorch.arange`, :func:`nanotorch.zeros` and
# :func:`nanotorch.randn` take the shape as arguments.

x = torch.arange(12.0).reshape(3, 4)
print(x)
print("shape:", x.shape, "dims:", x.dim(), "elements:", x.numel(), "dtype:", x.dtype)

# %%
# Storage and strides
# -------------------
# Underneath, the 12 numbers sit one after the other in memory. The *strides*
# say how many elements to skip to move one step along each dimension: to go
# down one row of ``x`` we skip 4 elements, to go right one column we skip 1.
# The element ``x[i, j]`` lives at position ``i * 4 + j * 1``.

print("strides:", x.stride())
i, j = 2, 1
print("x[2, 1] =", x[i, j].item(), "at flat position", i * x.stride(0) + j * x.stride(1))
print("flat storage:", x.reshape(-1))

# %%
# Views share memory
# ------------------
# Many operations only change the shape and strides and keep the memory:
# indexing a row, slicing, transposing, :meth:`~nanotorch.Tensor.view`. The
# result is a *view*. Writing through a view changes the original, because
# there is only one copy of the numbers.

row = x[1]            # the second row: shape (4,), stride (1,)
cols = x[:, ::2]      # every other column: strides (4, 2)
xt = x.t()            # the transpose: strides swapped to (1, 4)
print("row:", row.shape, row.stride())
print("every other column:", cols.shape, cols.stride())
print("transpose:", xt.shape, xt.stride(), "contiguous?", xt.is_contiguous())
print("same memory as x?", xt.data_ptr() == x.data_ptr())

row[0] = -1.0  # writes into x as well
print(x)

# %%
# A transpose is not contiguous: walking its elements in row order jumps around
# in memory. :meth:`~nanotorch.Tensor.contiguous` makes a compact copy when an
# operation needs one.

print(xt.contiguous().stride(), xt.contiguous().is_contiguous())

# %%
# Broadcasting: how shapes line up
# ---------------------------------
# An elementwise operation on two tensors of the *same* shape pairs the
# elements up one to one. Broadcasting extends this to different shapes with
# one rule, applied to the shapes written right-aligned:
#
# 1. compare the sizes dimension by dimension, starting from the last;
# 2. two sizes are compatible when they are equal or one of them is 1;
# 3. a missing dimension (the shorter shape runs out) counts as size 1.
#
# A size-1 dimension is then *stretched* to the other size without copying:
# its stride becomes 0, so every step along it reads the same numbers.
#
# .. code-block:: text
#
#    a:      (3, 1)        a:   (4, 3)        a:   (2, 3)
#    b:         (4,)       b:      (3,)       b:   (3, 2)
#    result: (3, 4)        result: (4, 3)     error: 3 vs 2 in the last dim

a = torch.tensor([[1.0], [2.0], [3.0]])    # (3, 1)
b = torch.tensor([10.0, 20.0, 30.0, 40.0])  # (4,)
print(a + b)
print(torch.broadcast_shapes((3, 1), (4,)), torch.broadcast_shapes((4, 3), (3,)))

# %%
# The stretched tensor really is a view with a zero stride:

stretched = b.expand(3, 4)
print(stretched.shape, stretched.stride())

# %%
# Shapes that do not line up raise an error that names the dimension:

try:
    torch.ones(2, 3) + torch.ones(3, 2)
except RuntimeError as err:
    print("RuntimeError:", err)

# %%
# Adding a dimension on purpose
# ------------------------------
# Broadcasting only ever adds dimensions on the left. To line up along
# another dimension, insert a size-1 dimension yourself with
# :meth:`~nanotorch.Tensor.unsqueeze` (or index with ``None``). A common
# example: all pairwise differences between two sets of numbers.

p = torch.tensor([0.0, 1.0, 2.0])        # (3,)
q = torch.tensor([0.5, 1.5])             # (2,)
diff = p.unsqueeze(1) - q.unsqueeze(0)   # (3, 1) - (1, 2) -> (3, 2)
print(diff)

# %%
# No loops within tensors
# -----------------------
# The lecture's linear layer computes, for a batch of points ``X`` of shape
# ``(BATCH, FEATURES)``, the outputs ``X @ W + b`` with ``W`` of shape
# ``(FEATURES, HIDDEN)`` and ``b`` of shape ``(HIDDEN,)``. Written with Python
# loops it is three nested loops; written with tensors it is one line, and the
# bias is added to every row by broadcasting ``(HIDDEN,)`` against
# ``(BATCH, HIDDEN)``.

torch.manual_seed(0)
BATCH, FEATURES, HIDDEN = 5, 2, 3
X = torch.randn(BATCH, FEATURES)
W = torch.randn(FEATURES, HIDDEN)
bias = torch.randn(HIDDEN)

# with loops: one scalar at a time
looped = torch.zeros(BATCH, HIDDEN)
for n in range(BATCH):
    for h in range(HIDDEN):
        total = bias[h].item()
        for f in range(FEATURES):
            total += X[n, f].item() * W[f, h].item()
        looped[n, h] = total

# with tensors: the same numbers, no loops
vectorised = X @ W + bias
print(torch.allclose(looped, vectorised, atol=1e-6))

# %%
# The matrix product is not even needed: broadcasting alone can do it, which is
# how the lecture first writes the layer. Line up ``X`` as
# ``(BATCH, FEATURES, 1)`` against ``W`` as ``(1, FEATURES, HIDDEN)``,
# multiply, and sum away the ``FEATURES`` dimension:

by_broadcast = (X.view(BATCH, FEATURES, 1) * W.view(1, FEATURES, HIDDEN)).sum(1) + bias
print(by_broadcast.shape, torch.allclose(by_broadcast, vectorised, atol=1e-6))

# %%
# The product ``X.view(BATCH, FEATURES, 1) * W.view(1, FEATURES, HIDDEN)``
# briefly holds ``BATCH * FEATURES * HIDDEN`` numbers, which is why real code
# calls :func:`nanotorch.matmul`: it computes the same sums without building
# that intermediate tensor. Either way, the loops now run inside the backend's
# compiled kernels instead of in Python, and that is the whole point.
#
# Next: :doc:`t2_autodiff_on_tensors` differentiates these operations.
