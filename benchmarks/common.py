"""Shared machinery of the benchmark suite: one thread, timing, framework loading.

Import this module *before* numpy (the worker and the scripts do): the BLAS
libraries read their thread counts once, when they are loaded, so the
environment variables below only work if they are set first. Every number the
suite prints is measured on one thread, so that a ratio between two
implementations compares their work, not how well each one spreads over cores.
"""
from __future__ import annotations

import os

# Must precede the first `import numpy` anywhere in the process (see module docstring).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import gc  # noqa: E402
import importlib  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent

#: Letters of the brief that named the workloads, accepted by ``--workloads``.
WORKLOAD_LETTERS = {
    "a": ["op_chain"],
    "b": ["lecture_net"],
    "c": ["mlp"],
    "d": ["sentiment_mean", "sentiment_max"],
    "e": ["sentiment_conv"],
}


# --------------------------------------------------------------------------- frameworks

def load_framework(name):
    """Import and return the framework module ``name`` (``"torch"`` or ``"nanotorch"``).

    nanotorch is imported from this working tree (not from whatever version is
    installed elsewhere), so a benchmark always measures the code next to it.
    torch is pinned to one thread, like everything else here. Raises whatever
    the import raises; callers turn that into a "skipped because" line.
    """
    if name == "nanotorch":
        if str(REPO_ROOT) not in sys.path:
            sys.path.insert(0, str(REPO_ROOT))
        fw = importlib.import_module("nanotorch")
        if not hasattr(fw, "tensor"):
            # an empty source folder still imports (as a namespace package)
            raise ImportError(f"nanotorch at {list(fw.__path__)} has no `tensor` yet")
        # nn/optim are subpackages in torch too; import them explicitly so that
        # `fw.nn` / `fw.optim` exist even if __init__ does not pull them in. A
        # missing one is not fatal here: the op chain needs neither, and the
        # workloads that do report the missing name as their failing call.
        for sub in ("nanotorch.nn", "nanotorch.nn.functional", "nanotorch.optim"):
            try:
                importlib.import_module(sub)
            except ImportError:
                pass
        return fw
    if name == "torch":
        fw = importlib.import_module("torch")
        importlib.import_module("torch.nn.functional")
        fw.set_num_threads(1)
        return fw
    raise ValueError(f"unknown framework {name!r}")


def default_device(framework_name):
    """The device a framework's tensors go to: ``cuda`` for nanotorch's cupy backend, else ``cpu``.

    torch runs on the CPU (the suite compares against PyTorch CPU) unless
    ``NANOTORCH_BENCH_TORCH_DEVICE`` says otherwise (``run.py --torch-device
    cuda``, to set the cupy backend against PyTorch on the same GPU).
    """
    if framework_name == "nanotorch" and os.environ.get("NANOTORCH_BACKEND") == "cupy":
        return "cuda"
    if framework_name == "torch":
        return os.environ.get("NANOTORCH_BENCH_TORCH_DEVICE", "cpu")
    return "cpu"


def framework_version(fw):
    """A short version string for the report (backend included for nanotorch)."""
    version = getattr(fw, "__version__", "?")
    if fw.__name__ == "nanotorch":
        version += f" ({os.environ.get('NANOTORCH_BACKEND', 'default')} backend)"
    return version


# --------------------------------------------------------------------------- implementations

class Impl:
    """One implementation of a workload's training step.

    Subclasses set up their arrays or tensors in ``__init__`` from the
    workload's numpy setup (copying it: the setup is shared) and implement:

    * ``step()``: one full step (forward, backward, update); returns whatever
      ``finish`` needs, without forcing a device sync, so that a GPU backend
      can queue several steps.
    * ``finish(out)``: turns the last step's output into a Python float; this
      synchronizes a GPU, so it is part of every timed block.
    * ``state()``: dict name -> numpy array of what the step changed
      (updated parameters, or an input's gradient), used by correctness checks.
    """

    def step(self):
        raise NotImplementedError

    def finish(self, out):
        return float(out)

    def state(self):
        raise NotImplementedError


def to_numpy(t):
    """A framework tensor (any device) as a numpy array."""
    return t.detach().cpu().numpy()


def module_state(module):
    """Parameters of a framework Module as a dict name -> numpy array."""
    return {name: to_numpy(p) for name, p in module.named_parameters()}


def load_module(fw, module, params, device):
    """Copy numpy ``params`` (named like ``module.state_dict()``) into ``module``.

    Goes through ``load_state_dict``, the public API every torch user knows,
    so that both frameworks start from bit-identical weights.
    """
    wanted = {name: fw.tensor(params[name], device=device) for name, _ in module.named_parameters()}
    module.load_state_dict(wanted)
    return module


# --------------------------------------------------------------------------- timing

def _time_block(impl, n):
    """Seconds per step over ``n`` consecutive steps, including one final sync."""
    gc.collect()  # start every block from the same garbage state
    t0 = time.perf_counter()
    out = None
    for _ in range(n):
        out = impl.step()
    impl.finish(out)
    return (time.perf_counter() - t0) / n


def measure(impls, repeat=5, block_s=0.25, warmup_s=0.1, min_warmup_steps=3):
    """Time several implementations of one step, interleaved.

    Each implementation is warmed up (JIT, caches, allocator), then its block
    length ``n`` is chosen so that one block lasts about ``block_s`` seconds.
    Then ``repeat`` rounds run, each timing one block of every implementation
    in turn (the order rotates per round), so that a slow patch of the machine
    hurts all of them alike. Returns name -> dict(median, min, n, samples) in
    seconds per step.
    """
    names = list(impls)
    per_step = {}
    for name in names:
        impl = impls[name]
        # The first call may import and compile (numba loads its kernels here): it
        # must not count towards the step time that sizes the blocks.
        impl.finish(impl.step())
        t0 = time.perf_counter()
        steps = 0
        while steps < min_warmup_steps or time.perf_counter() - t0 < warmup_s:
            impl.finish(impl.step())
            steps += 1
        per_step[name] = (time.perf_counter() - t0) / steps
    block_n = {name: max(1, math.ceil(block_s / max(per_step[name], 1e-9))) for name in names}

    samples = {name: [] for name in names}
    for r in range(repeat):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            samples[name].append(_time_block(impls[name], block_n[name]))
    return {
        name: {
            "median": statistics.median(samples[name]),
            "min": min(samples[name]),
            "n": block_n[name],
            "samples": samples[name],
        }
        for name in names
    }


# --------------------------------------------------------------------------- checking

def compare_states(ref, got, rtol=1e-4, atol=1e-5):
    """Largest scaled error between two state dicts, and the key where it is.

    The error of one array is ``max|got - ref| / (atol + rtol * max|ref|)``, so
    a value <= 1 means "agrees within tolerance". Missing keys count as inf.
    """
    worst, worst_key = 0.0, None
    for key, r in ref.items():
        if key not in got:
            return math.inf, f"{key} (missing)"
        g = np.asarray(got[key], dtype=np.float64)
        r = np.asarray(r, dtype=np.float64)
        if g.shape != r.shape:
            return math.inf, f"{key} (shape {g.shape} != {r.shape})"
        err = float(np.max(np.abs(g - r))) / (atol + rtol * float(np.max(np.abs(r))))
        if not err <= worst:  # also catches nan
            worst, worst_key = err, key
            if math.isnan(err):
                return math.inf, f"{key} (nan)"
    return worst, worst_key


def versions():
    """Versions of the pieces that matter, for the report."""
    info = {"python": sys.version.split()[0], "numpy": np.__version__}
    for mod in ("torch", "numba", "cupy"):
        if mod in sys.modules:
            info[mod] = getattr(sys.modules[mod], "__version__", "?")
    if "cupy" in sys.modules:
        try:
            name = sys.modules["cupy"].cuda.runtime.getDeviceProperties(0)["name"]
            info["gpu"] = name.decode() if isinstance(name, bytes) else str(name)
        except Exception:  # no GPU visible: the version is still worth reporting
            pass
    return info
