"""Pooling: values and indices against numpy loops, gradcheck in float64, torch's sizes and errors."""
import math

import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch import nn
from nanotorch.autograd import gradcheck, gradgradcheck

from helpers import assert_close, distinct, leaf


def _out_size(size, k, s, p, d, ceil_mode):
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def loop_pool(x, kernel, stride, padding, dilation=None, ceil_mode=False, kind="max",
              count_include_pad=True, divisor_override=None):
    """Pooling by its definition: visit every window position by position."""
    n = len(kernel)
    dilation = dilation or (1,) * n
    size = x.shape[2:]
    outs = [_out_size(size[d], kernel[d], stride[d], padding[d], dilation[d], ceil_mode)
            for d in range(n)]
    values = np.zeros(x.shape[:2] + tuple(outs))
    index = np.zeros(values.shape, dtype=np.int64)
    for b, c in np.ndindex(*x.shape[:2]):
        for o in np.ndindex(*outs):
            starts = [o[d] * stride[d] - padding[d] for d in range(n)]
            best, where, total = -np.inf, -1, 0.0
            for k in np.ndindex(*kernel):
                pos = [starts[d] + k[d] * dilation[d] for d in range(n)]
                if all(0 <= pos[d] < size[d] for d in range(n)):
                    v = x[(b, c, *pos)]
                    total += v
                    if v > best:
                        best, where = v, int(np.ravel_multi_index(pos, size))
            if kind == "max":
                values[(b, c, *o)], index[(b, c, *o)] = best, where
            else:
                ends = [min(starts[d] + kernel[d], size[d] + padding[d]) for d in range(n)]
                if count_include_pad:
                    count = np.prod([ends[d] - starts[d] for d in range(n)])
                else:
                    count = np.prod([min(ends[d], size[d]) - max(starts[d], 0) for d in range(n)])
                values[(b, c, *o)] = total / (divisor_override or count)
    return values, index


MAX_CASES = [
    # input shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 9), 3, None, 0, 1, False),
    ((2, 3, 9), 3, 2, 1, 1, False),
    ((1, 2, 10), 2, 3, 1, 2, True),
    ((2, 2, 8), 3, 2, 1, 1, True),
    ((2, 2, 5, 6), 2, None, 0, 1, False),
    ((1, 2, 7, 6), (3, 2), (2, 1), (1, 1), (1, 2), True),
]


def _t(v, n):
    return tuple(v) if isinstance(v, tuple) else (v,) * n


@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool_matches_loop_and_gradcheck(case):
    shape, kernel, stride, padding, dilation, ceil_mode = case
    n = len(shape) - 2
    x = leaf(distinct(shape, seed=1))
    fn = F.max_pool1d if n == 1 else F.max_pool2d
    out, index = fn(x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    values, expected_index = loop_pool(
        x.detach().numpy(), _t(kernel, n), _t(stride if stride is not None else kernel, n),
        _t(padding, n), _t(dilation, n), ceil_mode)
    assert_close(out, values)
    assert index.dtype == nanotorch.int64
    np.testing.assert_array_equal(index.numpy(), expected_index)
    assert gradcheck(lambda t: fn(t, kernel, stride, padding, dilation, ceil_mode), (x,))


AVG_CASES = [
    # input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    ((2, 3, 9), 3, None, 0, False, True, None),
    ((2, 3, 9), 3, 2, 1, False, True, None),
    ((1, 2, 5), 3, 2, 1, True, True, None),
    ((1, 2, 5), 3, 2, 1, True, False, None),
    ((2, 2, 5, 6), 2, None, 0, False, True, None),
    ((1, 2, 7, 6), (3, 2), (2, 1), (1, 1), True, False, None),
    ((1, 2, 6, 6), 3, 2, 1, False, True, 4),
]


@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool_matches_loop_and_gradcheck(case):
    shape, kernel, stride, padding, ceil_mode, include, divisor = case
    n = len(shape) - 2
    x = leaf(distinct(shape, seed=2))
    if n == 1:
        def fn(t):
            return F.avg_pool1d(t, kernel, stride, padding, ceil_mode, include)
    else:
        def fn(t):
            return F.avg_pool2d(t, kernel, stride, padding, ceil_mode, include, divisor)
    values, _ = loop_pool(x.detach().numpy(), _t(kernel, n),
                          _t(stride if stride is not None else kernel, n), _t(padding, n),
                          ceil_mode=ceil_mode, kind="avg", count_include_pad=include,
                          divisor_override=divisor)
    assert_close(fn(x), values)
    assert gradcheck(fn, (x,))


def test_pooling_double_backward():
    x = leaf(distinct((1, 2, 6), seed=3))
    assert gradgradcheck(lambda t: F.max_pool1d(t, 2, 1) ** 2, (x,))
    assert gradgradcheck(lambda t: F.avg_pool1d(t, 3, 2, 1) ** 2, (x,))
    x2 = leaf(distinct((1, 1, 4, 4), seed=4))
    assert gradgradcheck(lambda t: F.max_pool2d(t, 2) ** 2, (x2,))


def _adaptive_windows(length, out):
    return [(i * length // out, -(-(i + 1) * length // out)) for i in range(out)]


@pytest.mark.parametrize("length,out", [(7, 3), (5, 5), (4, 6), (10, 1), (9, 4)])
def test_adaptive_pools_match_windows(length, out):
    x = leaf(distinct((2, 3, length), seed=5))
    data = x.detach().numpy()
    windows = _adaptive_windows(length, out)
    mean = np.stack([data[..., a:b].mean(-1) for a, b in windows], axis=-1)
    top = np.stack([data[..., a:b].max(-1) for a, b in windows], axis=-1)
    where = np.stack([data[..., a:b].argmax(-1) + a for a, b in windows], axis=-1)
    assert_close(F.adaptive_avg_pool1d(x, out), mean)
    values, index = F.adaptive_max_pool1d(x, out, return_indices=True)
    assert_close(values, top)
    np.testing.assert_array_equal(index.numpy(), where)
    assert gradcheck(lambda t: F.adaptive_avg_pool1d(t, out), (x,))
    assert gradcheck(lambda t: F.adaptive_max_pool1d(t, out), (x,))


def test_unbatched_inputs_and_modules():
    x = nanotorch.tensor(distinct((3, 8), seed=6))
    assert nn.MaxPool1d(2)(x).shape == (3, 4)
    assert nn.AvgPool1d(2)(x).shape == (3, 4)
    assert nn.AdaptiveMaxPool1d(1)(x).shape == (3, 1)
    assert nn.AdaptiveAvgPool1d((2,))(x).shape == (3, 2)
    image = nanotorch.tensor(distinct((3, 6, 6), seed=7))
    assert nn.MaxPool2d(2)(image).shape == (3, 3, 3)
    assert nn.AvgPool2d(3, 1, 1)(image).shape == (3, 6, 6)
    out, index = nn.MaxPool1d(2, return_indices=True)(x)
    assert out.shape == index.shape == (3, 4)


def test_module_reprs():
    assert repr(nn.MaxPool1d(3)) == \
        "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d((3, 2))) == \
        "MaxPool2d(kernel_size=(3, 2), stride=(3, 2), padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.AvgPool2d(3, padding=1)) == "AvgPool2d(kernel_size=3, stride=3, padding=1)"
    assert repr(nn.AdaptiveAvgPool1d(4)) == "AdaptiveAvgPool1d(output_size=4)"
    assert repr(nn.AdaptiveMaxPool1d(4)) == "AdaptiveMaxPool1d(output_size=4)"


def test_max_over_time_equals_max_dim():
    """The lecture's pooling over the sentence: MaxPool over the whole length is max(dim)."""
    x = leaf(distinct((4, 5, 7), seed=8))
    pooled = F.max_pool1d(x, x.shape[-1]).squeeze(-1)
    assert_close(pooled, x.detach().numpy().max(-1))
    assert_close(F.avg_pool1d(x, 7).squeeze(-1), x.detach().numpy().mean(-1))


@pytest.mark.parametrize("call,message", [
    (lambda: F.max_pool1d(nanotorch.zeros(2, 3, 10), 3, padding=2),
     "padding should be at most half of kernel size"),
    (lambda: F.avg_pool1d(nanotorch.zeros(2, 3, 10), 3, padding=2),
     "pad should be at most half of effective kernel size"),
    (lambda: F.avg_pool1d(nanotorch.zeros(2, 3, 2), 3), "Output size is too small"),
    (lambda: F.max_pool1d(nanotorch.zeros(10), 3),
     "max_pool1d: Expected 2D or 3D (batch mode) tensor"),
    (lambda: F.avg_pool1d(nanotorch.zeros(1, 2, 3, 10), 3),
     "Expected 2 to 3 dimensions, but got 4-dimensional tensor"),
    (lambda: F.max_pool1d(nanotorch.zeros(1, 2, 10), 3, stride=0),
     "max_pool1d() stride must be greater than zero, but got 0"),
    (lambda: F.max_pool1d(nanotorch.zeros(1, 2, 10), 0),
     "max_pool1d() kernel_size must be greater than zero, but got 0"),
    (lambda: F.avg_pool2d(nanotorch.zeros(1, 1, 5, 5), 3, divisor_override=0),
     "divisor must be not zero"),
    (lambda: F.adaptive_avg_pool1d(nanotorch.zeros(1, 2, 10), (3, 4)),
     "should contain one int (got 2)"),
    (lambda: F.max_pool1d(nanotorch.zeros(1, 1, 5, dtype=nanotorch.int64), 3),
     "not implemented for"),
])
def test_errors_like_torch(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert message in str(info.value)


def test_against_torch_when_installed():
    torch = pytest.importorskip("torch")
    data = distinct((2, 3, 6, 7), seed=9)
    for kwargs in (dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                   dict(kernel_size=(2, 3), stride=1, dilation=(2, 1))):
        ours, our_index = F.max_pool2d(nanotorch.tensor(data), return_indices=True, **kwargs)
        theirs, their_index = torch.nn.functional.max_pool2d(torch.tensor(data),
                                                             return_indices=True, **kwargs)
        assert_close(ours, theirs.numpy())
        np.testing.assert_array_equal(our_index.numpy(), their_index.numpy())
    kwargs = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    assert_close(F.avg_pool2d(nanotorch.tensor(data), **kwargs),
                 torch.nn.functional.avg_pool2d(torch.tensor(data), **kwargs).numpy())


def test_a_window_of_minus_inf_points_at_its_first_real_element(cpu_backend):
    """Padding never wins a window, as in torch: argmax over -inf padding picked the pad."""
    inf = float("inf")
    x = nanotorch.tensor([[1.0, 2.0, 3.0], [-inf] * 3, [-inf] * 3]).reshape(1, 1, 3, 3)
    _, index = F.max_pool2d(x, (1, 2), stride=1, padding=(0, 1), return_indices=True)
    assert index.reshape(-1).tolist() == [0, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 8]
    _, index = F.max_pool2d(x, (1, 2), stride=1, padding=(0, 1), dilation=(1, 2),
                            return_indices=True)
    assert index.reshape(-1).tolist() == [1, 2, 1, 4, 3, 4, 7, 6, 7]
    y = nanotorch.tensor([[[-inf, 1.0, 2.0]]], requires_grad=True)
    values, index = F.max_pool1d(y, 2, 2, padding=1, return_indices=True)
    assert index.tolist() == [[[0, 2]]]
    values.sum().backward()
    assert y.grad.tolist() == [[[1.0, 0.0, 1.0]]]
    empty = nanotorch.zeros(0, 2, 4, requires_grad=True)
    F.max_pool1d(empty, 2).sum().backward()
    assert empty.grad.shape == (0, 2, 4)


def test_adaptive_avg_pool_keeps_an_inf_or_nan_in_its_own_window():
    """Each window's mean alone (a product with 0/1 weights spread inf * 0 = nan everywhere)."""
    inf, nan = float("inf"), float("nan")
    out = F.adaptive_avg_pool1d(nanotorch.tensor([[[1.0, inf, 2.0, 3.0, 5.0, 4.0]]]), 3)
    assert out.tolist() == [[[inf, 2.5, 4.5]]]
    out = F.adaptive_avg_pool1d(nanotorch.tensor([[[1.0, nan, 2.0, 3.0, 5.0, 4.0]]]), 3)
    assert np.isnan(out[0, 0, 0].item()) and out[0, 0, 1:].tolist() == [2.5, 4.5]
    x = leaf([[[1.0, 3.0, 2.0, 6.0, 4.0]]])
    F.adaptive_avg_pool1d(x, 3).sum().backward()
    assert_close(x.grad, [[[0.5, 5 / 6, 1 / 3, 5 / 6, 0.5]]])
    with pytest.raises(RuntimeError, match="not implemented for"):
        F.adaptive_avg_pool1d(nanotorch.tensor([[1, 2]]), 1)
