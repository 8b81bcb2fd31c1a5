"""nn.utils.rnn.pad_sequence: layouts, padding side and value, gradients, errors."""
import numpy as np
import pytest

import nanotorch
from nanotorch.autograd import gradcheck
from nanotorch.nn.utils.rnn import pad_sequence

from helpers import leaf, uniform


def test_time_major_by_default_and_batch_first():
    a, b = nanotorch.tensor([1, 2, 3]), nanotorch.tensor([4])
    np.testing.assert_array_equal(pad_sequence([a, b]).numpy(), [[1, 4], [2, 0], [3, 0]])
    out = pad_sequence([a, b], batch_first=True, padding_value=-1)
    assert out.dtype == nanotorch.int64
    np.testing.assert_array_equal(out.numpy(), [[1, 2, 3], [4, -1, -1]])


def test_left_padding_and_trailing_dims():
    seqs = [nanotorch.ones(2, 3), nanotorch.full((4, 3), 2.0)]
    out = pad_sequence(seqs, batch_first=True, padding_side="left")
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(out.numpy()[0, :, 0], [0, 0, 1, 1])
    assert pad_sequence(iter(seqs)).shape == (4, 2, 3)
    assert nanotorch.nn.utils.rnn.pad_sequence is pad_sequence


def test_gradient_flows_to_every_sequence():
    a, b = leaf(uniform((3, 2), seed=1)), leaf(uniform((1, 2), seed=2))
    assert gradcheck(lambda x, y: pad_sequence([x, y], batch_first=True, padding_value=0.5),
                     (a, b))
    assert gradcheck(lambda x, y: pad_sequence([x, y], padding_side="left"), (a, b))


@pytest.mark.parametrize("call,message", [
    (lambda: pad_sequence([nanotorch.ones(2)], padding_side="middle"),
     "Expected padding_side to be one of left or right, but got middle."),
    (lambda: pad_sequence([]), "received an empty list of sequences"),
    (lambda: pad_sequence([nanotorch.ones(2, 3), nanotorch.ones(2, 4)]),
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
])
def test_errors_like_torch(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert message in str(info.value)
