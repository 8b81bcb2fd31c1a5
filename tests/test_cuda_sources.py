"""Every CUDA source of the cupy backend compiles to PTX with nvcc, so kernel typos fail without a GPU.

Raw kernels are compiled as they are, once per dtype. ElementwiseKernel
bodies are wrapped the way CuPy wraps them (inputs by value, the output by
reference, ``T`` a template parameter) and instantiated for float and double.
The compile runs once, when the module's first test needs it.
"""
import shutil
import subprocess

import pytest

from nanotorch.backends.cupy_backend import ELEMENTWISE_SOURCES, RAW_SOURCES, raw_source

NVCC = shutil.which("nvcc")
pytestmark = [
    pytest.mark.skipif(NVCC is None,
                       reason="nvcc is not on the PATH (install the CUDA toolkit to compile the kernels)"),
    pytest.mark.slow,  # one nvcc run over 17 sources: 3 to 7 s on two cores
]
REALS = ("float", "double")


def elementwise_probe(name):
    """A translation unit holding one ElementwiseKernel body as a templated device function."""
    in_params, out_params, operation = ELEMENTWISE_SOURCES[name]
    params = [f"const {p.strip()}" for p in in_params.split(",")]
    params += [p.strip().replace(" ", " &", 1) for p in out_params.split(",")]
    signature = ", ".join(params)
    lines = [f"template <typename T> __device__ void nt_{name}({signature}) {{ {operation}; }}"]
    for real in REALS:
        concrete = signature.replace("T ", f"{real} ")
        lines.append(f"template __device__ void nt_{name}<{real}>({concrete});")
    return "\n".join(lines) + "\n"


def _units():
    units = {f"raw-{name}-{real}": raw_source(name, real) for name in RAW_SOURCES for real in REALS}
    units.update({f"elementwise-{name}": elementwise_probe(name) for name in ELEMENTWISE_SOURCES})
    return units


UNITS = _units()


def _nvcc(folder, paths):
    return subprocess.run([NVCC, "-ptx", "-arch=sm_90", *[p.name for p in paths]], cwd=folder,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """label -> (returncode, nvcc's messages). One nvcc call compiles every unit (one process
    start instead of seventeen); only when it fails is each unit compiled alone, to name it."""
    folder = tmp_path_factory.mktemp("cuda")
    paths = {}
    for label, source in UNITS.items():
        paths[label] = folder / f"{label}.cu"
        paths[label].write_text(source)
    together = _nvcc(folder, list(paths.values()))
    if together.returncode == 0:
        messages = together.stdout + together.stderr
        return {label: (0 if path.with_suffix(".ptx").exists() else 1, messages)
                for label, path in paths.items()}
    alone = {label: _nvcc(folder, [path]) for label, path in paths.items()}
    return {label: (proc.returncode, proc.stdout + proc.stderr) for label, proc in alone.items()}


@pytest.mark.parametrize("label", sorted(UNITS))
def test_cuda_source_compiles_to_ptx(compiled, label):
    returncode, messages = compiled[label]
    assert returncode == 0, f"nvcc rejected {label}:\n{messages}\n--- source ---\n{UNITS[label]}"
    assert "warning" not in messages.lower(), messages


def test_probe_wraps_params_like_cupy():
    assert "const T a, const T d, T &out" in elementwise_probe("relu_back")
