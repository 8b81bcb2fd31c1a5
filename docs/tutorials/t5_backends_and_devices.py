"""
5. Backends and devices
=======================

A tensor holds one array and the *backend* that made it. The backend owns an
array namespace (numpy, or CuPy on a GPU) and a table of named *kernels*:
the plain functions on raw arrays that every differentiable op calls. This
tutorial picks backends, moves tensors between devices, and writes a kernel
of its own. The full backend contract is on the :doc:`../backends` page.
"""

import os
import subprocess
import sys
import time

import numpy as np

import nanotorch as torch
from nanotorch.backends import NumpyBackend, available_backends, get_backend, register_backend

# %%
# Which backend am I on?
# ----------------------
# At import, nanotorch reads ``NANOTORCH_BACKEND`` (``numpy``, ``numba`` or
# ``cupy``). Without it, new CPU tensors use the fastest backend that is
# installed: numba's compiled kernels when numba is importable, else numpy.

original = torch.get_default_backend()
print("backends that run here:", available_backends())
print("default backend:", original)

# %%
# The variable is read once, when nanotorch is imported, so set it before
# the program starts. Here, a child Python process for each choice:

for name in ["numpy", "numba"]:
    child = subprocess.run(
        [sys.executable, "-c", "import nanotorch; print(nanotorch.get_default_backend())"],
        env=dict(os.environ, NANOTORCH_BACKEND=name), capture_output=True, text=True)
    print(f"NANOTORCH_BACKEND={name}:", child.stdout.strip())

child = subprocess.run([sys.executable, "-c", "import nanotorch; nanotorch.zeros(1)"],
                       env=dict(os.environ, NANOTORCH_BACKEND="tpu"),
                       capture_output=True, text=True)
print(child.stderr.strip().splitlines()[-1])

# %%
# Inside a program, :func:`nanotorch.set_default_backend` switches the backend
# of tensors made from then on. Both CPU backends hold numpy arrays on the
# ``cpu`` device, so their tensors mix freely and give the same numbers.

results = {}
for name in ["numpy", "numba"]:
    if name not in available_backends():
        continue
    torch.set_default_backend(name)
    torch.manual_seed(0)
    x = torch.randn(1000, 100, requires_grad=True)
    x.sigmoid().sum().backward()
    results[name] = x.grad
    print(name, x.device, x._backend)
torch.set_default_backend(original.name)
if len(results) == 2:
    print("same gradients:", torch.allclose(results["numpy"], results["numba"]))

# %%
# Devices
# -------
# Devices work as in torch: ``device=`` on the factories, ``.to(device)``,
# ``.cuda()`` and ``.cpu()``. A ``cuda`` tensor lives on the CuPy backend, on
# the GPU. Moving is a differentiable copy: the gradient is copied back.
# On a machine without a GPU the move fails with one sentence that says what
# is missing:

x = torch.arange(4.0, requires_grad=True)
print(x.device, x.to("cpu") is x)  # nothing to do: the same tensor
try:
    on_gpu = x.to("cuda")
    (on_gpu * 2).sum().backward()
    print(on_gpu.device, "grad back on", x.grad.device, x.grad)
except Exception as err:  # no GPU or no CuPy here
    print(type(err).__name__ + ":", err)

# %%
# Tensors on two different devices cannot meet in one op; torch's error says
# so. Move one of them first.
#
# Writing a kernel
# ----------------
# The lecture's ``Inv`` (tutorial 2) calls two kernels: ``inv_map`` for the
# forward, ``inv_back_zip`` for the backward. The numpy backend computes
# ``-d / (a * a)`` for the latter in three passes over memory, with two
# temporary arrays. A compiled loop does it in one pass. A backend is a
# subclass of :class:`~nanotorch.backends.NumpyBackend` that overrides the
# kernels it makes faster and inherits every other one:

from numba import njit  # noqa: E402


# error_model="numpy": division follows IEEE rules (no zero check), so the loop vectorises
@njit(error_model="numpy")
def _inv_back(a, d, out):
    for i in range(a.size):
        out[i] = -d[i] / (a[i] * a[i])


class FusedInv(NumpyBackend):
    """numpy, with the lecture's Inv backward fused into one compiled loop."""

    name = "fused-inv"

    def inv_back_zip(self, a, d):
        if a.shape != d.shape or a.dtype != d.dtype or not (
                a.flags.c_contiguous and d.flags.c_contiguous):
            return super().inv_back_zip(a, d)  # broadcasting etc.: the reference handles it
        out = np.empty_like(d)
        _inv_back(a.reshape(-1), d.reshape(-1), out.reshape(-1))
        return out


register_backend("fused-inv", FusedInv)

# %%
# The kernel must agree with the reference, so check it on the same inputs
# before trusting it, then time the two:

ref, fused = get_backend("numpy"), get_backend("fused-inv")
a = np.random.default_rng(0).uniform(0.5, 2.0, (512, 1024)).astype(np.float32)
d = np.ones_like(a)
print("same values:", np.allclose(ref.inv_back_zip(a, d), fused.inv_back_zip(a, d)))


def best_of(fn, repeat=20):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(a, d)
        times.append(time.perf_counter() - start)
    return min(times) * 1e6


print(f"numpy:     {best_of(ref.inv_back_zip):8.0f} us")
print(f"one loop:  {best_of(fused.inv_back_zip):8.0f} us")

# %%
# Nothing else changes. Tutorial 2's ``Inv`` reaches kernels through ``t.f``,
# which belongs to the tensor's backend, so on the new backend it runs the
# new kernel, and ``gradcheck`` still passes:


class Inv(torch.Function):
    @staticmethod
    def forward(ctx, t1):
        ctx.save_for_backward(t1)
        return t1.f.inv_map(t1)

    @staticmethod
    def backward(ctx, d):
        (t1,) = ctx.saved_values
        return d.f.inv_back_zip(t1, d)


torch.set_default_backend("fused-inv")
x = torch.rand(3, 4, dtype=torch.float64) + 0.5
x.requires_grad_()
print(x._backend, torch.autograd.gradcheck(Inv.apply, (x,)))
torch.set_default_backend(original.name)

# %%
# This is how the numba and CuPy backends are built: the numba one overrides
# the kernels where one compiled loop beats several numpy passes, the CuPy
# one supplies CUDA source for the fused kernels and takes the rest from
# CuPy's numpy-compatible namespace. Each is checked kernel by kernel against
# the numpy reference by one shared test suite.
