"""F.normalize, F.cosine_similarity and nn.CosineSimilarity against torch's values and gradcheck."""
import numpy as np
import pytest

import nanotorch
import nanotorch.nn.functional as F
from nanotorch.autograd import gradcheck
from helpers import leaf, uniform


def test_normalize_makes_unit_vectors_and_keeps_zero_rows_zero():
    out = F.normalize(nanotorch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(F.normalize(nanotorch.tensor([[3.0, 4.0]]), p=1, dim=1).numpy(),
                               [[3 / 7, 4 / 7]], rtol=1e-6)


def test_cosine_similarity_matches_torch_values():
    # torch 2.13: x1 . x2 / (max(|x1|, eps) * max(|x2|, eps)), after broadcasting
    got = F.cosine_similarity(nanotorch.tensor([[1.0, 2.0, 3.0]]),
                              nanotorch.tensor([[4.0, 5.0, 6.0], [1.0, 0.0, 0.0]]))
    assert got.tolist() == pytest.approx([0.9746, 0.2673], abs=1e-4)
    tiny = nanotorch.tensor([[1e-5, 0.0]])
    assert F.cosine_similarity(tiny, tiny).item() == pytest.approx(1.0)
    assert F.cosine_similarity(nanotorch.tensor([[1e-9, 0.0]]),
                               nanotorch.tensor([[1.0, 0.0]])).item() == pytest.approx(0.1)
    cos = nanotorch.nn.CosineSimilarity(dim=0)
    assert cos(nanotorch.tensor([1.0, 2.0]), nanotorch.tensor([3.0, 4.0])).item() == \
        pytest.approx(11 / (5 ** 0.5 * 5))
    assert repr(cos) == "CosineSimilarity()"


def test_similarities_pass_gradcheck_on_broadcast_shapes():
    a, b = leaf(uniform((3, 1, 4), seed=1)), leaf(uniform((2, 4), seed=2))
    assert gradcheck(lambda x, y: F.cosine_similarity(x, y, dim=-1), (a, b))
    assert gradcheck(lambda x: F.normalize(x, dim=0), (leaf(uniform((3, 4), seed=3)),))
    x = nanotorch.tensor([[1.0, 2.0, 3.0]], dtype=nanotorch.float64, requires_grad=True)
    F.cosine_similarity(x, nanotorch.tensor([[4.0, 5.0, 7.0]], dtype=nanotorch.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0423, 0.0, -0.0141]], atol=1e-4)  # torch's


def test_a_norm_held_at_eps_still_passes_its_gradient_as_in_torch():
    """torch clamps the norms in place outside autograd: values from torch 2.13."""
    a = nanotorch.tensor([[0.3, 0.4]], dtype=nanotorch.float64, requires_grad=True)
    b = nanotorch.tensor([[1.0, 0.0]], dtype=nanotorch.float64)
    c = F.cosine_similarity(a, b, eps=1.0)
    c.sum().backward()
    assert c.item() == pytest.approx(0.3)
    assert a.grad[0].tolist() == pytest.approx([0.82, -0.24])
