"""
3. Training a network
=====================

Tensors give us batches and broadcasting, autodiff gives us gradients of
whole tensors. That is everything needed to train the lecture's small
network. We write it first from bare tensors, so that every piece (model,
batch, loss, backward, update) is in plain sight, then again with
:mod:`nanotorch.nn` and :mod:`nanotorch.optim`, which package those same
pieces. The last section counts what one training step costs.
"""

import matplotlib.pyplot as plt
import numpy as np

import nanotorch as torch
from nanotorch import datasets

torch.manual_seed(0)

# %%
# The data
# --------
# The lecture's *split* set: points in the unit square whose class depends on
# how far left or right they are, so no single straight line separates them.
# :func:`nanotorch.datasets.split` returns the points ``X`` of shape
# ``(N, 2)`` and their labels ``y`` of shape ``(N,)``, 0. or 1.

N = 100
X, y = datasets.split(N=N, seed=1)
print(X.shape, y.shape)

fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=y.numpy(), cmap="coolwarm", edgecolor="k")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("The split data set")
fig.tight_layout()

# %%
# The model, as math
# ------------------
# A linear unit scores a point :math:`x = (x_1, x_2)` as
# :math:`\text{lin}(x; w, b) = x_1 w_1 + x_2 w_2 + b`. The network stacks
# three layers of them with a ReLU in between:
#
# .. math::
#
#    h^{(1)} = \text{ReLU}(\text{lin}(x; W^{(1)}, b^{(1)})), \quad
#    h^{(2)} = \text{ReLU}(\text{lin}(h^{(1)}; W^{(2)}, b^{(2)})), \quad
#    m(x) = \text{lin}(h^{(2)}; W^{(3)}, b^{(3)})
#
# Each layer holds many units at once: its weight is a matrix with one column
# per unit, its bias a vector with one entry per unit.
#
# Batching
# --------
# Instead of scoring one point at a time, put the whole batch in one tensor
# and let broadcasting do the bookkeeping (tutorial 1):
#
# ===============  ========================  ==========================
# tensor           shape                     meaning
# ===============  ========================  ==========================
# ``X``            ``(BATCH, FEATURES)``     one point per row
# ``W``            ``(FEATURES, HIDDEN)``    one unit per column
# ``b``            ``(HIDDEN,)``             broadcast over rows
# ``X @ W + b``    ``(BATCH, HIDDEN)``       every unit on every point
# ===============  ========================  ==========================

FEATURES, HIDDEN = 2, 10


def parameter(*shape):
    """A leaf tensor of small random numbers that autograd tracks."""
    return (torch.randn(*shape) * 0.5).requires_grad_()


params = {
    "W1": parameter(FEATURES, HIDDEN), "b1": parameter(HIDDEN),
    "W2": parameter(HIDDEN, HIDDEN), "b2": parameter(HIDDEN),
    "W3": parameter(HIDDEN, 1), "b3": parameter(1),
}


def model(X, p):
    h1 = (X @ p["W1"] + p["b1"]).relu()    # (BATCH, HIDDEN)
    h2 = (h1 @ p["W2"] + p["b2"]).relu()   # (BATCH, HIDDEN)
    return (h2 @ p["W3"] + p["b3"])[:, 0]  # (BATCH,): one score per point


print(model(X, params).shape)

# %%
# The loss
# --------
# A score :math:`z` becomes a probability of class 1 with the sigmoid,
# :math:`p = 1 / (1 + e^{-z})`. A good model gives the *correct* class a
# probability near 1, so the loss of a point is :math:`-\log p` if its label
# is 1 and :math:`-\log(1 - p)` if it is 0 (binary cross-entropy). Written
# from the score directly, the same quantity is
# :math:`\max(z, 0) - z y + \log(1 + e^{-|z|})`, which never takes the log
# of a number that rounded to 0. The loss of the batch is the mean over its
# points: one number, shape ``()``, which is what ``backward`` starts from.


def loss_fn(z, y):
    return (z.clamp(min=0) - z * y + (1 + (-z.abs()).exp()).log()).mean()


def accuracy(z, y):
    return ((z > 0).float() == y).float().mean().item()


# %%
# One training step
# -----------------
# The lecture's three steps:
#
# 1. compute the loss :math:`\mathcal{L}(\theta)` of the current parameters;
# 2. find how small changes of each parameter change it: ``loss.backward()``
#    fills every parameter's ``.grad``, a tensor of its shape;
# 3. move each parameter a small step against its gradient, then reset the
#    gradients (``backward`` *adds* into ``.grad``).
#
# The update must not itself be recorded for autodiff, hence
# :class:`nanotorch.no_grad`.

RATE = 0.5


def train_step(p):
    loss = loss_fn(model(X, p), y)          # 1. forward and loss
    loss.backward()                          # 2. gradients
    with torch.no_grad():                    # 3. update
        for t in p.values():
            t -= RATE * t.grad
            t.grad = None
    return loss.item()


# %%
# Watching the decision boundary move
# -----------------------------------
# We train for 1,000 steps and take snapshots of the model's
# probability over a grid of the unit square: the black line is where the
# model is undecided (probability 0.5), the colours its confidence.

grid = np.linspace(0, 1, 60, dtype=np.float32)
gx, gy = np.meshgrid(grid, grid)
grid_points = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))


def probability_map(p):
    with torch.no_grad():
        return torch.sigmoid(model(grid_points, p)).numpy().reshape(gx.shape)


snapshots = {0: probability_map(params)}
losses = []
STEPS = 1000
for step in range(1, STEPS + 1):
    losses.append(train_step(params))
    if step in (50, 200, STEPS):
        snapshots[step] = probability_map(params)

with torch.no_grad():
    print(f"final loss {losses[-1]:.3f}, accuracy {accuracy(model(X, params), y):.2f}")

fig, axes = plt.subplots(1, len(snapshots), figsize=(12, 3.2), sharey=True)
for ax, (step, prob) in zip(axes, snapshots.items()):
    ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.7)
    ax.contour(gx, gy, prob, levels=[0.5], colors="k")
    ax.scatter(X[:, 0].numpy(), X[:, 1].numpy(), c=y.numpy(), cmap="coolwarm",
               edgecolor="k", s=15)
    ax.set_title(f"after {step} steps")
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
fig.tight_layout()

# %%
# The loss over the whole run, on a log scale:

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(losses)
ax.set_xlabel("step")
ax.set_ylabel("loss")
ax.set_yscale("log")
fig.tight_layout()

# %%
# Where broadcasting did the work
# -------------------------------
# Not one loop in the code above runs over points or units; broadcasting
# handled
#
# * **batches**: all ``N`` points go through each layer in one matrix product;
# * **the loss**: elementwise over the batch, then one mean;
# * **the linear layers**: the bias ``(HIDDEN,)`` is added to every row of
#   ``(BATCH, HIDDEN)``;
# * **autodifferentiation**: the bias was broadcast over the batch in the
#   forward pass, so its gradient is summed over the batch in the backward
#   pass (tutorial 2's reduce gradient):

loss = loss_fn(model(X, params), y)
loss.backward()
print("b1.grad:", params["b1"].grad.shape, "W1.grad:", params["W1"].grad.shape)
for t in params.values():
    t.grad = None

# %%
# * **the update**: ``t -= RATE * t.grad`` scales and subtracts whole tensors.
#
# It is the same function as a scalar implementation, only with no loops
# within tensors.
#
# The same network with ``nn`` and ``optim``
# ------------------------------------------
# :mod:`nanotorch.nn` packages the pieces above. A :class:`~nanotorch.nn.Linear`
# layer owns its weight and bias as :class:`~nanotorch.nn.Parameter`\ s and
# computes ``x @ W.T + b``; a :class:`~nanotorch.nn.Module` finds every
# parameter of its layers for the optimizer; :class:`~nanotorch.optim.SGD`
# performs step 3; :class:`~nanotorch.nn.BCEWithLogitsLoss` is the loss we
# wrote by hand. The model is the lecture's ``Network``:

from nanotorch import nn, optim  # noqa: E402


class Network(nn.Module):
    def __init__(self, features=FEATURES, hidden=HIDDEN):
        super().__init__()
        self.layer1 = nn.Linear(features, hidden)
        self.layer2 = nn.Linear(hidden, hidden)
        self.layer3 = nn.Linear(hidden, 1)

    def forward(self, x):                  # (BATCH, FEATURES)
        h = self.layer1(x).relu()          # (BATCH, HIDDEN)
        h = self.layer2(h).relu()          # (BATCH, HIDDEN)
        return self.layer3(h).view(-1)     # (BATCH,)


torch.manual_seed(0)
model = Network()
optimizer = optim.SGD(model.parameters(), lr=RATE)
criterion = nn.BCEWithLogitsLoss()
print(model)

for step in range(STEPS):
    loss = criterion(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    print(f"final loss {loss.item():.3f}, accuracy {accuracy(model(X), y):.2f}")

# %%
# The numbers differ a little from the hand-written run because
# :class:`~nanotorch.nn.Linear` starts from its own initial weights (uniform,
# scaled by the number of inputs, as in torch).
#
# How much does it cost?
# ----------------------
# Counting the operations: a linear layer from ``IN`` to ``OUT`` units on a
# batch of ``B`` points does one multiply and one add per weight per point,
# ``2 * B * IN * OUT`` floating-point operations (FLOPs). Its backward needs
# two such products, one for the gradient of the input and one for the
# gradient of the weight, so roughly twice as many. Counting the memory: every
# intermediate tensor that backward needs (the activations) stays alive until
# backward has used it, ``B * HIDDEN`` numbers per layer.
#
# :func:`nanotorch.profiler.profile` counts both for real. It records every
# op and every module call inside the ``with`` block: calls, FLOPs, bytes
# allocated, the peak of memory held at once, and time, with forward and
# backward in separate columns. One step runs first so that one-time costs
# (loading compiled kernels) are not counted.

from nanotorch.profiler import profile  # noqa: E402


def sgd_step():
    loss = criterion(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


sgd_step()
with profile() as prof:
    sgd_step()
print(prof.table(by="op", sort_by="flops"))

# %%
# By module, the same step: ``layer2`` (10 x 10 weights) does the most work,
# ``2 * 100 * 10 * 10 = 20,000`` FLOPs for the product and 1,000 for the bias
# in the forward pass, about twice that in the backward pass.

print(prof.table(by="module", sort_by="flops"))

# %%
# The parameters themselves are small: ``(2*10 + 10) + (10*10 + 10) + (10*1 + 1)``
# numbers of 4 bytes each.

n_params = sum(p.numel() for p in model.parameters())
print(n_params, "parameters,", 4 * n_params, "bytes")

# %%
# A step of this network is tiny, under a hundred thousand FLOPs, which a CPU does
# in well under a millisecond; the time goes into the Python work around each
# of the few dozen ops. :doc:`t6_performance` measures that overhead against
# a hand-written numpy step and against PyTorch.
