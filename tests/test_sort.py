"""sort, argsort and topk: torch's order (stable, NaN largest), values against numpy, gradients."""
import numpy as np
import pytest

import nanotorch
from nanotorch.autograd import gradcheck
from helpers import leaf, uniform


def test_sort_matches_a_stable_numpy_sort_in_both_directions():
    x = np.array([[3.0, 1.0, 3.0, 2.0], [0.0, 5.0, 5.0, -1.0]], dtype=np.float32)
    values, indices = nanotorch.tensor(x).sort(dim=1)
    assert indices.tolist() == np.argsort(x, axis=1, kind="stable").tolist()
    assert values.tolist() == np.sort(x, axis=1).tolist()
    values, indices = nanotorch.sort(nanotorch.tensor(x), 1, descending=True)
    assert indices.tolist() == [[0, 2, 3, 1], [1, 2, 0, 3]]  # ties keep their order, as torch
    assert values.tolist() == [[3.0, 3.0, 2.0, 1.0], [5.0, 5.0, 0.0, -1.0]]
    assert nanotorch.tensor(x).argsort(0).tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]


def test_nan_sorts_as_the_largest_value_like_torch():
    x = nanotorch.tensor([2.0, float("nan"), 1.0, float("nan")])
    assert x.argsort().tolist() == [2, 0, 1, 3]
    assert x.argsort(descending=True).tolist() == [1, 3, 0, 2]


@pytest.mark.parametrize("dtype", [nanotorch.int64, nanotorch.uint8, nanotorch.bool])
def test_descending_sort_of_integers_and_bools_needs_no_negation(dtype):
    x = nanotorch.tensor([0, 1, 1, 0], dtype=dtype)
    assert x.argsort(descending=True).tolist() == [1, 2, 0, 3]
    low = nanotorch.tensor([-2 ** 63, 0, 5])
    assert low.argsort(descending=True).tolist() == [2, 1, 0]


def test_topk_picks_the_largest_or_smallest_in_order():
    x = nanotorch.tensor([[1.0, 4.0, 2.0, 4.0], [0.0, -1.0, 3.0, 2.0]])
    values, indices = x.topk(2)
    assert values.tolist() == [[4.0, 4.0], [3.0, 2.0]] and indices.tolist() == [[1, 3], [2, 3]]
    values, indices = nanotorch.topk(x, 3, dim=1, largest=False)
    assert values.tolist() == [[1.0, 2.0, 4.0], [-1.0, 0.0, 2.0]]
    assert indices.dtype == nanotorch.int64 and x.topk(1, dim=0).indices.tolist() == [[0, 0, 1, 0]]
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(5)


def test_zero_dim_tensors_sort_to_themselves():
    values, indices = nanotorch.tensor(5.0).sort()
    assert values.item() == 5.0 and indices.item() == 0 and indices.dim() == 0
    assert nanotorch.tensor(5.0).topk(1).values.item() == 5.0


def test_sorted_values_and_topk_pass_gradcheck():
    x = leaf(uniform((3, 5), seed=4))
    assert gradcheck(lambda t: t.sort(dim=1, descending=True).values, (x,))
    assert gradcheck(lambda t: t.topk(2, dim=0).values, (x,))
    y = nanotorch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (y.sort().values * nanotorch.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert y.grad.tolist() == [100.0, 1.0, 10.0]
