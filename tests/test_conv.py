"""Conv1d / Conv2d: values against a direct numpy loop, gradcheck in float64, torch's errors."""
import math

import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch import nn
from nanotorch.autograd import gradcheck, gradgradcheck

from helpers import assert_close, leaf, uniform


def loop_conv(x, w, b, stride, padding, dilation, groups):
    """Cross-correlation written out window by window (the definition, not im2col)."""
    n = w.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    batch, channels = x.shape[:2]
    out_ch, kernel = w.shape[0], w.shape[2:]
    outs = [(x.shape[2 + d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1 for d in range(n)]
    y = np.zeros((batch, out_ch, *outs))
    c_group, o_group = channels // groups, out_ch // groups
    for o in range(out_ch):
        g = o // o_group
        for pos in np.ndindex(*outs):
            window = tuple(slice(pos[d] * stride[d],
                                 pos[d] * stride[d] + dilation[d] * (kernel[d] - 1) + 1, dilation[d])
                           for d in range(n))
            patch = x[(slice(None), slice(g * c_group, (g + 1) * c_group)) + window]
            y[(slice(None), o) + pos] = (patch * w[o]).reshape(batch, -1).sum(1)
            if b is not None:
                y[(slice(None), o) + pos] += b[o]
    return y


CASES_1D = [
    # x shape, weight shape, stride, padding, dilation, groups, bias
    ((2, 3, 9), (4, 3, 3), 1, 0, 1, 1, True),
    ((2, 3, 9), (4, 3, 2), 2, 1, 1, 1, False),
    ((1, 2, 10), (3, 2, 3), 3, 2, 2, 1, True),
    ((2, 4, 7), (6, 2, 3), 1, 1, 1, 2, True),
    ((1, 4, 6), (4, 1, 2), 2, 0, 1, 4, False),
]
CASES_2D = [
    ((2, 2, 5, 6), (3, 2, 3, 3), 1, 0, 1, 1, True),
    ((1, 2, 6, 5), (2, 2, 3, 2), (2, 1), (1, 0), (1, 2), 1, True),
    ((1, 4, 5, 5), (4, 2, 2, 2), 2, 1, 1, 2, False),
]


def _tuple(v, n):
    return tuple(v) if isinstance(v, tuple) else (v,) * n


@pytest.mark.parametrize("case", CASES_1D + CASES_2D)
def test_conv_matches_loop_and_gradcheck(case):
    xs, ws, stride, padding, dilation, groups, has_bias = case
    n = len(xs) - 2
    x, w, b = leaf(uniform(xs, seed=1)), leaf(uniform(ws, seed=2)), leaf(uniform(ws[0], seed=3))
    conv = F.conv1d if n == 1 else F.conv2d
    bias = b if has_bias else None
    y = conv(x, w, bias, stride, padding, dilation, groups)
    expected = loop_conv(x.detach().numpy(), w.detach().numpy(),
                         b.detach().numpy() if has_bias else None, _tuple(stride, n),
                         _tuple(padding, n), _tuple(dilation, n), groups)
    assert_close(y, expected)
    inputs = (x, w, b) if has_bias else (x, w)
    assert gradcheck(lambda *t: conv(t[0], t[1], t[2] if has_bias else None, stride, padding,
                                     dilation, groups), inputs)


def test_conv_double_backward():
    x, w = leaf(uniform((1, 2, 6), seed=4)), leaf(uniform((3, 2, 2), seed=5))
    assert gradgradcheck(lambda a, c: F.conv1d(a, c, None, 2, 1), (x, w))
    x2, w2 = leaf(uniform((1, 2, 4, 4), seed=6)), leaf(uniform((2, 1, 2, 2), seed=7))
    assert gradgradcheck(lambda a, c: F.conv2d(a, c, groups=2, padding=1), (x2, w2))


@pytest.mark.parametrize("case", [c for c in CASES_1D + CASES_2D if c[5] == 1])
def test_channels_last_input_takes_the_row_path(case):
    """A (N, *spatial, C) tensor moved to (N, C, *spatial) is unfolded into rows: same values, same gradients."""
    xs, ws, stride, padding, dilation, _, has_bias = case
    n = len(xs) - 2
    stored = leaf(uniform((xs[0], *xs[2:], xs[1]), seed=1))
    w, b = leaf(uniform(ws, seed=2)), leaf(uniform(ws[0], seed=3)) if has_bias else None
    conv = F.conv1d if n == 1 else F.conv2d

    def run(t, weight, *bias):
        return conv(t.permute(0, n + 1, *range(1, n + 1)), weight, *bias, stride, padding, dilation)

    x = stored.permute(0, n + 1, *range(1, n + 1))
    expected = loop_conv(x.detach().numpy(), w.detach().numpy(),
                         b.detach().numpy() if has_bias else None, _tuple(stride, n),
                         _tuple(padding, n), _tuple(dilation, n), 1)
    y = run(stored, w, *([b] if has_bias else [None]))
    assert y.is_contiguous()
    assert_close(y, expected)
    inputs = (stored, w, b) if has_bias else (stored, w)
    assert gradcheck(lambda t, c, *bias: run(t, c, *(bias or (None,))), inputs)
    assert gradgradcheck(lambda t, c, *bias: run(t, c, *(bias or (None,))), inputs)


@pytest.mark.parametrize("kernel,dilation", [(3, 1), (4, 1), (2, 3), (4, 2)])
def test_same_padding_keeps_length_and_pads_odd_total_after(kernel, dilation):
    x = leaf(uniform((1, 2, 9), seed=8))
    w = leaf(uniform((2, 2, kernel), seed=9))
    y = F.conv1d(x, w, padding="same", dilation=dilation)
    total = dilation * (kernel - 1)
    before = total // 2
    padded = np.pad(x.detach().numpy(), [(0, 0), (0, 0), (before, total - before)])
    assert_close(y, loop_conv(padded, w.detach().numpy(), None, (1,), (0,), (dilation,), 1))
    assert gradcheck(lambda a, c: F.conv1d(a, c, padding="same", dilation=dilation), (x, w))
    assert F.conv1d(x, w, padding="valid").shape == (1, 2, 9 - kernel + 1)


def test_unbatched_input_and_empty_batch():
    w = leaf(uniform((4, 3, 2), seed=10))
    x = leaf(uniform((3, 7), seed=11))
    assert_close(F.conv1d(x, w), F.conv1d(x.unsqueeze(0), w).squeeze(0).detach().numpy())
    assert F.conv2d(nanotorch.zeros(0, 3, 4, 4), nanotorch.zeros(2, 3, 2, 2)).shape == (0, 2, 3, 3)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes(mode):
    conv = nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode).double()
    x = leaf(uniform((1, 2, 5), seed=12))
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    padded = np.pad(x.detach().numpy(), [(0, 0), (0, 0), (2, 2)], mode=np_mode)
    expected = loop_conv(padded, conv.weight.detach().numpy(), conv.bias.detach().numpy(), (1,),
                         (0,), (1,), 1)
    assert_close(conv(x), expected)
    assert gradcheck(lambda t: conv(t), (x,))
    assert "padding_mode=" + mode in repr(conv)


def test_modules_init_shapes_and_repr():
    conv = nn.Conv1d(50, 100, 3)
    assert conv.weight.shape == (100, 50, 3) and conv.bias.shape == (100,)
    bound = 1 / math.sqrt(50 * 3)
    assert float(conv.weight.abs().max()) <= bound and float(conv.bias.abs().max()) <= bound
    assert repr(conv) == "Conv1d(50, 100, kernel_size=(3,), stride=(1,))"
    conv2 = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, dilation=2, groups=2, bias=False)
    assert conv2.weight.shape == (6, 2, 3, 2) and conv2.bias is None
    assert repr(conv2) == ("Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), "
                           "dilation=(2, 2), groups=2, bias=False)")
    assert repr(nn.Conv1d(2, 2, 3, padding="same")) == \
        "Conv1d(2, 2, kernel_size=(3,), stride=(1,), padding=same)"
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]


def test_conv_module_trains():
    nanotorch.manual_seed(0)
    conv = nn.Conv1d(2, 1, 3, padding=1)
    x = nanotorch.randn(4, 2, 8)
    target = F.conv1d(x, nanotorch.ones(1, 2, 3), padding=1)
    opt = nanotorch.optim.Adam(conv.parameters(), lr=0.05)
    first = None
    for _ in range(60):
        opt.zero_grad()
        loss = ((conv(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.05 * first


@pytest.mark.parametrize("call,error,message", [
    (lambda: F.conv1d(nanotorch.zeros(2, 5, 10), nanotorch.zeros(6, 4, 3)), RuntimeError,
     "Given groups=1, weight of size [6, 4, 3], expected input[2, 5, 10] to have 4 channels, "
     "but got 5 channels instead"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 2), nanotorch.zeros(6, 4, 3)), RuntimeError,
     "Kernel size can't be greater than actual input size"),
    (lambda: F.conv1d(nanotorch.zeros(1, 2, 4, 10), nanotorch.zeros(6, 2, 3)), RuntimeError,
     "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
     "[1, 2, 4, 10]"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10), nanotorch.zeros(6, 4, 3), nanotorch.zeros(5)),
     RuntimeError, "expected bias to be 1-dimensional with 6 elements"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10), nanotorch.zeros(6, 4)), RuntimeError,
     "weight should have at least three dimensions"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10), nanotorch.zeros(6, 4, 3), stride=0),
     RuntimeError, "non-positive stride is not supported"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10), nanotorch.zeros(6, 4, 3), padding=-1),
     RuntimeError, "negative padding is not supported"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10), nanotorch.zeros(6, 4, 3), dilation=0),
     RuntimeError, "non-positive dilation is not supported"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10), nanotorch.zeros(6, 4, 3), padding="same",
                      stride=2), RuntimeError, "padding='same' is not supported for strided"),
    (lambda: F.conv1d(nanotorch.zeros(2, 4, 10, dtype=nanotorch.float64),
                      nanotorch.zeros(6, 4, 3)), RuntimeError, "should be the same"),
    (lambda: nn.Conv1d(4, 6, 3, padding="same", stride=2), ValueError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv1d(4, 6, 3, padding="foo"), ValueError, "Invalid padding string 'foo'"),
    (lambda: nn.Conv1d(4, 6, 3, groups=3), ValueError, "in_channels must be divisible by groups"),
    (lambda: nn.Conv1d(4, 6, 3, groups=4), ValueError, "out_channels must be divisible by groups"),
    (lambda: nn.Conv1d(4, 6, 3, padding_mode="mirror"), ValueError, "padding_mode must be one of"),
])
def test_errors_like_torch(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
