"""nanotorch.profiler: calls, FLOPs, bytes, peak memory and time per op type and per module."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nanotorch
from nanotorch import nn
from nanotorch.autograd import function as _function
from nanotorch.autograd import engine as _engine
from nanotorch.profiler import profile


def _ops(prof):
    return {s.key: s for s in prof.key_averages()}


def test_counts_calls_flops_and_bytes_per_op():
    a = nanotorch.ones(4, 3, dtype=nanotorch.float64)
    b = nanotorch.ones(3, 5, dtype=nanotorch.float64)
    with profile() as prof:
        y = (a @ b).exp()
        y = y + y
        s = y.sum()
        v = y.reshape(20)
    ops = _ops(prof)
    assert ops["Matmul"].count == 1 and ops["Matmul"].flops == 2 * 4 * 5 * 3
    assert ops["Exp"].flops == 20 and ops["Add"].flops == 20
    assert ops["Sum"].flops == 20  # one per input element
    assert ops["Reshape"].flops == 0 and ops["Reshape"].bytes == 0  # a view allocates nothing
    assert ops["Matmul"].bytes == 20 * 8 and ops["Add"].bytes == 20 * 8
    assert prof.total_flops() == 120 + 20 + 20 + 20
    assert float(s) > 0 and v.shape == (20,)


def test_backward_is_counted_apart_and_charged_to_the_op_it_belongs_to():
    x = nanotorch.ones(8, 3, requires_grad=True)
    w = nanotorch.ones(3, 2, requires_grad=True)
    with profile() as prof:
        (x @ w).relu().sum().backward()
    ops = _ops(prof)
    matmul = ops["Matmul"]
    assert (matmul.count, matmul.backward_count) == (1, 1)
    assert matmul.flops == 2 * 8 * 2 * 3
    assert matmul.backward_flops == 2 * matmul.flops  # grad of x and grad of w: two matmuls
    assert ops["Relu"].backward_flops == 16
    assert matmul.backward_time > 0 and prof.backward_time >= matmul.backward_time
    assert x.grad is not None


def test_engine_work_shows_in_backward_columns():
    x = nanotorch.ones(4, 3, requires_grad=True)
    b = nanotorch.ones(3, requires_grad=True)  # broadcast: the engine sums its gradient back
    with profile() as prof:
        (x + b).sum().backward()
    reduce_grad = _ops(prof)["SumToSize"]
    assert reduce_grad.count == 0 and reduce_grad.backward_count == 1
    assert reduce_grad.backward_flops == 12


def test_peak_memory_tracks_live_arrays():
    with profile() as prof:
        for _ in range(3):
            t = nanotorch.ones(1000, dtype=nanotorch.float64) * 2  # 8 KB, freed next iteration
            del t
    ops = _ops(prof)
    assert ops["Mul"].bytes == 3 * 8000
    assert 8000 <= prof.peak_bytes < 3 * 8000
    assert prof.live_bytes == 0


def test_per_module_rows_with_paths():
    model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1))
    x = nanotorch.ones(5, 2)
    with profile() as prof:
        model(x).sum().backward()
    modules = {s.key: s for s in prof.module_averages()}
    assert set(modules) == {"Sequential", "Sequential.0", "Sequential.1", "Sequential.2"}
    first = modules["Sequential.0"]
    assert first.count == 1 and first.flops == 2 * 5 * 10 * 2 + 5 * 10
    assert first.backward_count == 1 and first.backward_flops > 0
    outside = _ops(prof)["Sum"].flops  # the loss's sum runs outside the model
    assert modules["Sequential"].flops == prof.total_flops() - outside - sum(
        s.backward_flops for s in prof.key_averages())


def test_table_lists_every_op_and_module():
    model = nn.Linear(3, 2)
    with profile() as prof:
        model(nanotorch.ones(4, 3)).sigmoid().mean().backward()
    text = prof.table()
    for key in ("Linear", "Sigmoid", "Mean", "total:", "peak"):
        assert key in text
    assert "Linear" in prof.table(by="module")
    assert prof.table(sort_by="flops", row_limit=1).count("\n") == 4  # head, rule, 1 row, rule, total
    with pytest.raises(ValueError, match="by must be 'op' or 'module'"):
        prof.table(by="layer")
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.table(sort_by="speed")


def test_hooks_are_removed_on_exit_even_after_an_error():
    call = nn.Module.__dict__["__call__"]
    run_backward = _engine.run_backward
    with pytest.raises(ZeroDivisionError):
        with profile():
            1 / 0
    assert _function._profiler is None
    assert nn.Module.__dict__["__call__"] is call and _engine.run_backward is run_backward
    with profile() as prof:
        pass
    assert prof.key_averages() == []
    with pytest.raises(RuntimeError, match="profiles do not nest"):
        with profile():
            with profile():
                pass
    assert _function._profiler is None


def test_results_are_unchanged_by_profiling():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((6, 4))

    def run():
        x = nanotorch.tensor(data, requires_grad=True)
        out = nanotorch.log_softmax(x @ x.T, -1).sum()
        out.backward()
        return out.item(), x.grad.numpy()

    plain = run()
    with profile():
        counted = run()
    assert plain[0] == counted[0]
    np.testing.assert_array_equal(plain[1], counted[1])


def test_custom_function_counts_once():
    class Inv(nanotorch.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t.f.inv_map(t)

        @staticmethod
        def backward(ctx, d):
            (t,) = ctx.saved_values
            return d.f.inv_back_zip(t, d)

    x = nanotorch.full((3,), 2.0, requires_grad=True)
    with profile() as prof:
        Inv.apply(x).sum().backward()
    inv = _ops(prof)["Inv"]
    assert (inv.count, inv.flops, inv.backward_count) == (1, 3, 1)
    assert x.grad.tolist() == [-0.25] * 3


def test_cost_example_prints_both_tables():
    script = Path(__file__).resolve().parents[1] / "examples" / "cost.py"
    proc = subprocess.run([sys.executable, str(script), "--batch", "8"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "the lecture's network" in proc.stdout and "the sentiment model" in proc.stdout
    assert "Network.layer2" in proc.stdout and "Sentiment.embed" in proc.stdout


def test_a_view_of_a_fresh_buffer_counts_that_buffer():
    x = nanotorch.ones(2, 3, 10)
    conv = nn.Conv1d(3, 4, 3)
    with profile() as prof:
        y = conv(x)  # the output is a reshaped view of the matmul's new buffer
    assert _ops(prof)["Conv"].bytes == y.numel() * 4
    assert _ops(prof)["Conv"].flops == 2 * y.numel() * 3 * 3 + y.numel()
