"""nn.utils.clip_grad_norm_ and clip_grad_value_ against hand-computed values (torch's results)."""
import math

import pytest

import nanotorch
from nanotorch.nn.utils import clip_grad_norm_, clip_grad_value_


def _params(*grads):
    params = []
    for g in grads:
        p = nanotorch.nn.Parameter(nanotorch.zeros(len(g)))
        p.grad = nanotorch.tensor(g)
        params.append(p)
    return params


def test_clip_grad_norm_scales_every_gradient_by_the_total_norm():
    a, b = _params([1.0, -2.0], [2.0, 0.0, 4.0])  # total 2-norm 5
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0) and total.dim() == 0
    scale = 1.0 / (5.0 + 1e-6)
    assert a.grad.tolist() == pytest.approx([scale, -2 * scale])
    assert b.grad.tolist() == pytest.approx([2 * scale, 0.0, 4 * scale])


@pytest.mark.parametrize("norm_type,total", [(math.inf, 4.0), (1, 9.0), ("inf", 4.0)])
def test_clip_grad_norm_other_norms(norm_type, total):
    a, b = _params([1.0, -2.0], [2.0, 0.0, 4.0])
    assert clip_grad_norm_((a, b), 2.0, norm_type=norm_type).item() == pytest.approx(total)
    assert b.grad.tolist() == pytest.approx([g * 2.0 / (total + 1e-6) for g in (2.0, 0.0, 4.0)])


def test_clip_grad_norm_leaves_small_gradients_and_skips_missing_ones():
    (a,) = _params([0.3, 0.4])
    without = nanotorch.nn.Parameter(nanotorch.ones(2))
    assert clip_grad_norm_([a, without], 1.0).item() == pytest.approx(0.5)
    assert a.grad.tolist() == pytest.approx([0.3, 0.4]) and without.grad is None
    assert clip_grad_norm_(without, 1.0).item() == 0.0  # no gradient at all: a zero norm


def test_clip_grad_norm_raises_on_a_non_finite_norm_only_when_asked():
    (a,) = _params([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        clip_grad_norm_(a, 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_(a, 1.0).item())


def test_clip_grad_value_clamps_in_place():
    a, b = _params([-2.0, 0.5], [3.0])
    assert clip_grad_value_([a, b], clip_value=1) is None
    assert a.grad.tolist() == [-1.0, 0.5] and b.grad.tolist() == [1.0]
