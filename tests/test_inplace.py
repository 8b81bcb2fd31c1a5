"""In-place ops with torch's rules: results, version counters, gradients through in-place
writes, the leaf-requires-grad error and the modified-saved-tensor error."""
import numpy as np
import pytest

import nanotorch
from helpers import assert_close, check_grads, leaf, uniform

X = uniform((2, 3), seed=1)
Y = uniform((3,), 0.5, 2.0, seed=2)

INPLACE = {
    "add_": (lambda t, o: t.add_(o), lambda x, y: x + y),
    "add_alpha": (lambda t, o: t.add_(o, alpha=2), lambda x, y: x + 2 * y),
    "sub_": (lambda t, o: t.sub_(o), lambda x, y: x - y),
    "mul_": (lambda t, o: t.mul_(o), lambda x, y: x * y),
    "div_": (lambda t, o: t.div_(o), lambda x, y: x / y),
    "iadd": (lambda t, o: t.__iadd__(o), lambda x, y: x + y),
    "imul": (lambda t, o: t.__imul__(o), lambda x, y: x * y),
    "copy_": (lambda t, o: t.copy_(o), lambda x, y: np.broadcast_to(y, x.shape)),
    "clamp_": (lambda t, o: t.clamp_(-0.5, 0.5), lambda x, y: np.clip(x, -0.5, 0.5)),
    "clamp_tensor": (lambda t, o: t.clamp_(max=o), lambda x, y: np.minimum(x, y)),
    "masked_fill_": (lambda t, o: t.masked_fill_(nanotorch.tensor([True, False, True]), 0.25),
                     lambda x, y: np.where([True, False, True], 0.25, x)),
    "zero_": (lambda t, o: t.zero_(), lambda x, y: np.zeros_like(x)),
    "fill_": (lambda t, o: t.fill_(1.5), lambda x, y: np.full_like(x, 1.5)),
    "fill_tensor": (lambda t, o: t.fill_(o[0]), lambda x, y: np.full_like(x, y[0])),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_result_identity_and_version(name):
    call, ref = INPLACE[name]
    t = leaf(X, requires_grad=False)
    before = t._version
    out = call(t, leaf(Y, requires_grad=False))
    assert out is t
    assert t._version > before
    assert_close(t, ref(X, Y))


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_on_a_non_leaf_records_the_gradient(name):
    call, _ = INPLACE[name]
    w = nanotorch.tensor(uniform((2, 3), seed=3))

    def fn(x, y):
        h = x * 1.0  # a non-leaf copy we may modify
        call(h, y)
        return h * w
    check_grads(fn, leaf(X), leaf(Y))


def test_inplace_gradgrad():
    def fn(x, y):
        h = x * x
        h.mul_(y).add_(y)
        return h
    check_grads(fn, leaf(X), leaf(Y), second=True)


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = nanotorch.ones(3, requires_grad=True)
    msg = "a leaf Variable that requires grad is being used in an in-place operation."
    for op in (lambda: x.add_(1), lambda: x.mul_(2), lambda: x.zero_(), lambda: x.fill_(1.0),
               lambda: x.clamp_(0, 1), lambda: x.copy_(nanotorch.zeros(3)),
               lambda: x.masked_fill_(nanotorch.tensor([True, False, True]), 0.0),
               lambda: x.__setitem__(0, 5.0)):
        with pytest.raises(RuntimeError, match=msg):
            op()
    # allowed under no_grad (how optimizers update parameters)
    with nanotorch.no_grad():
        x.add_(1).mul_(2)
    assert x.tolist() == [4.0, 4.0, 4.0] and x.is_leaf and x.requires_grad


def test_modifying_a_saved_tensor_makes_backward_raise():
    x = nanotorch.ones(3, requires_grad=True)
    y = x * 2
    z = y.exp()  # exp saves its output z
    z.add_(1)
    with pytest.raises(RuntimeError, match="one of the variables needed for gradient computation "
                                           "has been modified by an inplace operation"):
        z.sum().backward()
    a = x * 1
    b = a * a  # mul saves its input a
    a.mul_(3)
    with pytest.raises(RuntimeError, match=r"\[nanotorch.float32 \[3\]\].*MulBackward0, is at "
                                           r"version 1"):
        b.sum().backward()


def test_modifying_a_view_of_a_saved_tensor_also_raises():
    x = nanotorch.ones(2, 2, requires_grad=True)
    a = x * 1
    b = (a * a).sum()
    with nanotorch.no_grad():
        a[0].mul_(5)  # through a view: same memory, same version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.backward()


def test_modifying_an_unsaved_input_is_fine():
    x = nanotorch.ones(3, requires_grad=True)
    a = x * 1
    b = a + 1  # add saves nothing it needs
    a.add_(5)
    b.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_inplace_dtype_rules():
    i = nanotorch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.div_(2)
    f = nanotorch.tensor([1.0, 2.0])
    f.add_(nanotorch.tensor([1, 1]))
    assert f.dtype == nanotorch.float32 and f.tolist() == [2.0, 3.0]
    f.copy_(nanotorch.tensor([5, 6]))
    assert f.dtype == nanotorch.float32 and f.tolist() == [5.0, 6.0]


def test_inplace_broadcast_rules():
    t = nanotorch.zeros(2, 3)
    t.add_(nanotorch.ones(3))
    assert t.tolist() == [[1.0] * 3] * 2
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast "
                                           r"shape \[2, 3\]"):
        nanotorch.zeros(3).add_(nanotorch.ones(2, 3))


def test_inplace_relu_sigmoid_and_friends_on_non_leaves():
    for name, ref in (("relu_", lambda v: np.maximum(v, 0)), ("sigmoid_", lambda v: 1 / (1 + np.exp(-v))),
                      ("tanh_", np.tanh), ("exp_", np.exp), ("neg_", np.negative)):
        t = leaf(X, requires_grad=False)
        getattr(t, name)()
        assert_close(t, ref(X))


def test_an_in_place_op_on_an_indexed_view_writes_through_to_its_base():
    """torch's CopySlices: y[:, 0] *= 2 changes y, and y's gradient sees the write."""
    x = leaf(np.arange(6.0).reshape(2, 3))
    y = x * 1
    y[:, 0] *= 2
    (y * y).sum().backward()
    assert y.tolist() == [[0.0, 1.0, 2.0], [6.0, 4.0, 5.0]]
    assert x.grad.tolist() == [[0.0, 2.0, 4.0], [24.0, 8.0, 10.0]]  # d(2x)^2 = 8x at column 0
    x = leaf(np.arange(6.0).reshape(2, 3))
    y = x * 1
    y[0][1:].add_(10)  # a view of a view
    (y * y).sum().backward()
    assert x.grad.tolist() == [[0.0, 22.0, 24.0], [6.0, 8.0, 10.0]]


def test_an_in_place_op_on_a_view_gives_its_base_a_history_when_the_other_operand_has_one():
    w = nanotorch.tensor(2.0, requires_grad=True)
    z = nanotorch.zeros(3)
    z[1:].add_(w)
    z.sum().backward()
    assert z.tolist() == [0.0, 2.0, 2.0] and w.grad.item() == 2.0


def test_a_single_element_view_is_a_view():
    """numpy gives x[1] as a scalar copy; in torch it is a view, and writes go through."""
    z = nanotorch.arange(3.0)
    z[1].mul_(3)
    assert z.tolist() == [0.0, 3.0, 2.0]
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        nanotorch.ones(3, requires_grad=True)[0].mul_(2)
