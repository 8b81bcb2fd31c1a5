#!/usr/bin/env bash
# The GPU check of the cupy backend, in one self-contained run of at most 5 minutes
# (the steps' time limits add up to 300 s):
#
#   1. the machine: GPU, driver, and the versions of python, numpy, cupy, numba, torch;
#   2. the backend conformance suite (tests/test_backends.py, every kernel and
#      tensor program on cupy against numpy) and the nvcc compile of every CUDA source;
#   3. examples/cost.py on the GPU (the profiler end to end: factories, .to, backward);
#   4. benchmarks/run.py: the cupy backend against PyTorch on the same GPU (when torch
#      imports) on the large MLP (512x784-1024-1024-10) and the Conv1d sentiment model.
#
#     bash benchmarks/gpu.sh                 # output on stdout
#     OUT=/some/dir bash benchmarks/gpu.sh   # also gpu.log, junit.xml, gpu_bench.json there
#
# It installs nothing and needs no network: the interpreter ($PYTHON, default
# python3) must already have numpy, cupy, pytest and hypothesis (numba and
# torch are optional). nanotorch is used from this checkout through PYTHONPATH.
# Every step runs under its own time limit and the script goes on after a
# failed step; its exit status is the number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
PY=${PYTHON:-python3}
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
unset NANOTORCH_BACKEND

if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    exec > >(tee "$OUT/gpu.log") 2>&1
fi

FAILED=0
SUMMARY=()
step() {  # step NAME SECONDS COMMAND...: run with a time limit, remember how it ended
    local name=$1 limit=$2 start rc
    shift 2
    echo
    echo "=== $name (limit ${limit}s) ==="
    start=$(date +%s)
    timeout --kill-after=10 "$limit" "$@"
    rc=$?
    local took=$(( $(date +%s) - start ))
    if [ "$rc" -eq 0 ]; then
        SUMMARY+=("ok      $name (${took}s)")
    else
        [ "$rc" -eq 124 ] && SUMMARY+=("TIMEOUT $name (${took}s)") || SUMMARY+=("FAILED  $name (exit $rc, ${took}s)")
        FAILED=$((FAILED + 1))
    fi
}

step "machine" 30 bash -c "
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo 'nvidia-smi: not available'
which nvcc && nvcc --version | tail -1
$PY - <<'EOF'
import platform
print('python', platform.python_version(), platform.machine())
for name in ('numpy', 'cupy', 'numba', 'torch', 'pytest', 'hypothesis'):
    try:
        mod = __import__(name)
        print(f'{name:11}', mod.__version__)
    except Exception as err:
        print(f'{name:11}', 'unavailable:', err)
import cupy
props = cupy.cuda.runtime.getDeviceProperties(0)
print('cupy sees', cupy.cuda.runtime.getDeviceCount(), 'GPU(s); cuda:0 is', props['name'].decode(),
      'compute capability', str(props['major']) + '.' + str(props['minor']))
from nanotorch.backends import get_backend
print('nanotorch cupy backend:', get_backend('cupy'))
EOF"

JUNIT=()
[ -n "${OUT:-}" ] && JUNIT=(--junitxml="$OUT/junit.xml")
step "conformance suite: every backend, cupy included; nvcc compile of the CUDA sources" 150 \
    "$PY" -m pytest tests/test_backends.py tests/test_cuda_sources.py -q -rs -o addopts="" \
    -p no:cacheprovider --durations=5 "${JUNIT[@]}"

step "examples/cost.py on the GPU (NANOTORCH_BACKEND=cupy)" 30 \
    env NANOTORCH_BACKEND=cupy "$PY" examples/cost.py --batch 64

BENCH=(--backends cupy --workloads mlp,sentiment_conv --quick --torch-device cuda --torch-python "$PY")
[ -n "${OUT:-}" ] && BENCH+=(--json "$OUT/gpu_bench.json")
step "benchmark: nanotorch cupy vs torch CUDA, large MLP and Conv1d sentiment" 90 \
    "$PY" benchmarks/run.py "${BENCH[@]}"

echo
echo "=== summary ==="
printf '%s\n' "${SUMMARY[@]}"
exit "$FAILED"
