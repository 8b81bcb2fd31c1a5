"""The tape and the engine: backward/grad options, graph freeing, higher derivatives, hooks,
grad modes, custom Functions, gradcheck itself and a very long chain."""
import numpy as np
import pytest

import nanotorch
from nanotorch.autograd import Function, gradcheck, gradgradcheck
from helpers import assert_close, leaf, uniform


def test_backward_accumulates_into_leaves():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_backward_without_a_gradient_seeds_any_one_element_output_with_one(shape):
    x = nanotorch.tensor([1.0, 2.0], dtype=nanotorch.float64, requires_grad=True)
    (x * x).sum().reshape(shape).backward()
    assert x.grad.tolist() == [2.0, 4.0] and x.grad.dtype == nanotorch.float64
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * x).backward()


class _DoubleRecordingItsGradient(Function):
    """y = 2x, whose backward notes the id of the gradient array it returns."""

    made = []

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        out = g * 2
        _DoubleRecordingItsGradient.made.append(id(out._data))
        return out


def test_a_leafs_first_gradient_is_adopted_without_a_copy_when_nothing_else_holds_it():
    x = nanotorch.ones(3, requires_grad=True)
    _DoubleRecordingItsGradient.made.clear()
    _DoubleRecordingItsGradient.apply(x).sum().backward()
    assert id(x.grad._data) == _DoubleRecordingItsGradient.made[0]  # torch's AccumulateGrad steals too
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_leafs_gradient_is_copied_when_anything_else_holds_it():
    # one array sent to two leaves (add's backward), a broadcast view, a user's tensor
    a, b = nanotorch.ones(3, requires_grad=True), nanotorch.ones(3, requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad._data, b.grad._data)
    c = nanotorch.ones(1, requires_grad=True)
    (c * nanotorch.ones(4)).sum().backward()
    assert c.grad.tolist() == [4.0] and c.grad._data.flags.owndata
    seed = nanotorch.ones(3)
    d = nanotorch.ones(3, requires_grad=True)
    d.backward(seed)
    d.grad.add_(1)
    assert seed.tolist() == [1.0, 1.0, 1.0]

    class ReturnsWhatItSaved(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x * 5)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return ctx.saved_tensors[0]

    e = nanotorch.ones(2, requires_grad=True)
    out = ReturnsWhatItSaved.apply(e)
    out.sum().backward(retain_graph=True)
    e.grad.zero_()
    assert out.grad_fn.saved_tensors[0].tolist() == [5.0, 5.0]
    kept = []
    f = nanotorch.ones(2, requires_grad=True)
    f.register_hook(lambda g: kept.append(g * 3) or kept[-1])
    (f * 1).sum().backward()
    f.grad.zero_()
    assert kept[0].tolist() == [3.0, 3.0]


def test_backward_with_gradient_argument_and_non_scalar_error():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    y.backward(nanotorch.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of \[3\]"):
        (x * 2).backward(nanotorch.ones(3))


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        nanotorch.ones(2).sum().backward()


def test_second_backward_raises_unless_retain_graph():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_close(x.grad, 2 * (np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0]))).astype(np.float32),
                 rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_autograd_grad_returns_without_touching_grad():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    z = nanotorch.tensor(3.0, requires_grad=True)
    y = (x * z).sum()
    gx, gz = nanotorch.autograd.grad(y, (x, z))
    assert gx.tolist() == [3.0, 3.0] and gz.item() == 3.0
    assert x.grad is None and z.grad is None
    unused = nanotorch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        nanotorch.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = nanotorch.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None
    (g,) = nanotorch.autograd.grad(x * 2, x, grad_outputs=nanotorch.tensor([1.0, 10.0]))
    assert g.tolist() == [2.0, 20.0]


def test_create_graph_gives_second_and_third_derivatives():
    x = nanotorch.tensor(1.5, dtype=nanotorch.float64, requires_grad=True)
    y = x ** 3 + x.sin()
    (d1,) = nanotorch.autograd.grad(y, x, create_graph=True)
    (d2,) = nanotorch.autograd.grad(d1, x, create_graph=True)
    (d3,) = nanotorch.autograd.grad(d2, x)
    assert np.isclose(d1.item(), 3 * 1.5 ** 2 + np.cos(1.5))
    assert np.isclose(d2.item(), 6 * 1.5 - np.sin(1.5))
    assert np.isclose(d3.item(), 6 - np.cos(1.5))


def test_backward_with_create_graph_makes_a_differentiable_grad():
    x = nanotorch.tensor([1.0, 2.0], dtype=nanotorch.float64, requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_shared_subexpression_and_diamond_graph():
    x = nanotorch.tensor(2.0, dtype=nanotorch.float64, requires_grad=True)
    a = x * 3
    b = a * a + a.exp() + a  # a is used three times
    b.backward()
    assert np.isclose(x.grad.item(), 3 * (2 * 6 + np.exp(6) + 1))


def test_nodes_used_once_run_at_once_and_nodes_used_more_wait_for_every_live_consumer():
    # The engine runs a node used by one op as soon as its gradient arrives and counts
    # consumers only for the others; each case below trips one way of getting that wrong.
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.tolist()))
    old = (x * 3).sum()
    old.backward()
    (x * x + x).sum().backward()  # x's sink is used again while old's graph is alive
    assert x.grad.tolist() == [6.0, 8.0] and calls == [[3.0, 3.0], [3.0, 5.0]]  # one hook call each

    x.grad = None
    y = x * 2
    dead = y.exp()  # a consumer of y that the loss below never reaches
    (y * 3).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    del dead

    x.grad = None
    y = x * 2
    first = y.sum()
    first.backward(retain_graph=True)
    (y * 3).sum().backward()  # y's node gained a second consumer after the first backward
    assert x.grad.tolist() == [8.0, 8.0]

    x.grad = None
    y = x * 2
    z = y * 5
    nanotorch.autograd.backward([y, z], [nanotorch.ones(2), nanotorch.ones(2)])  # y is a root and z's input
    assert x.grad.tolist() == [12.0, 12.0]

    x.grad = None
    y = x * 2
    z = y * 5  # another consumer of y, outside the graph of y's own backward
    y.backward(nanotorch.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]


def test_broadcast_gradient_is_summed_back_to_the_input_shape():
    w = nanotorch.ones(3, requires_grad=True)
    b = nanotorch.ones(1, 1, requires_grad=True)
    x = nanotorch.ones(4, 3)
    (x * w + b).sum().backward()
    assert w.grad.shape == nanotorch.Size([3]) and w.grad.tolist() == [4.0] * 3
    assert b.grad.shape == nanotorch.Size([1, 1]) and b.grad.item() == 12.0


def test_int_outputs_and_requires_grad_rules():
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can "
                                           "require gradients"):
        nanotorch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nanotorch.tensor([1, 2]).requires_grad_()
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    assert not x.argmax().requires_grad
    assert not (x > 1).requires_grad
    assert x.long().grad_fn is None and not x.long().requires_grad


def test_requires_grad_flag_is_honoured():
    x = nanotorch.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    y = nanotorch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)


def test_leaf_and_grad_fn_attributes():
    x = nanotorch.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    assert nanotorch.ones(2).is_leaf
    edges = [e for e in y.grad_fn.next_functions if e is not None]
    assert edges[0][0].name() == "AccumulateGrad"


def test_detach_and_detach_():
    x = nanotorch.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d[0] = 5.0  # shares memory
    assert y[0].item() == 5.0
    y.detach_()
    assert not y.requires_grad and y.is_leaf
    assert not x.data.requires_grad


def test_retain_grad_keeps_non_leaf_grads():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = y * y
    z.retain_grad()
    z.sum().backward()
    assert y.retains_grad and y.grad.tolist() == [6.0, 12.0]
    assert z.grad.tolist() == [1.0, 1.0]
    w = x * 2
    (w * w).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert w.grad is None  # non-leaf without retain_grad: torch warns on the read


def test_hooks_see_and_replace_gradients():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    y = x * 2
    handle = y.register_hook(lambda g: seen.append(g.tolist()))
    x.register_hook(lambda g: g * 10)  # a hook on a leaf may replace the gradient
    (y * y).sum().backward()
    assert seen == [[4.0, 8.0]]
    assert x.grad.tolist() == [80.0, 160.0]
    handle.remove()
    y2 = x * 2
    y2.register_hook(lambda g: g * 0)
    x.grad = None
    y2.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        nanotorch.ones(2).register_hook(lambda g: g)


def test_a_leaf_used_several_times_sums_its_parts_and_its_hook_sees_the_sum_once():
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2 + x * x + x.exp()).sum().backward()
    assert_close(x.grad, 2 + 2 * x.detach() + x.detach().exp())
    seen = []
    x.grad = None
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 2 + x * 3).sum().backward()
    assert seen == [[5.0, 5.0]] and x.grad.tolist() == [5.0, 5.0]
    # a leaf that is itself one of the roots gets its own gradient plus what flows into it
    w = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    nanotorch.autograd.backward([(w * 3).sum(), w], [None, nanotorch.ones(2)])
    assert w.grad.tolist() == [4.0, 4.0]


# --- grad modes -----------------------------------------------------------------------------
def test_no_grad_enable_grad_set_grad_enabled_as_contexts():
    x = nanotorch.ones(2, requires_grad=True)
    with nanotorch.no_grad():
        assert not (x * 2).requires_grad
        assert not nanotorch.is_grad_enabled()
        with nanotorch.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with nanotorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert nanotorch.is_grad_enabled()
    nanotorch.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    nanotorch.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_grad_modes_as_decorators():
    x = nanotorch.ones(2, requires_grad=True)

    @nanotorch.no_grad()
    def off():
        return x * 2

    @nanotorch.enable_grad()
    def on():
        return x * 2

    @nanotorch.set_grad_enabled(False)
    def off2():
        return x * 2

    @nanotorch.inference_mode()
    def infer():
        return x * 2, nanotorch.is_inference_mode_enabled()

    assert not off().requires_grad and not off2().requires_grad
    assert nanotorch.is_grad_enabled()  # decorating did not switch the mode
    with nanotorch.no_grad():
        assert on().requires_grad
    out, inside = infer()
    assert not out.requires_grad and inside
    assert not nanotorch.is_inference_mode_enabled()


def test_inference_mode_as_context_and_disabled():
    x = nanotorch.ones(2, requires_grad=True)
    with nanotorch.inference_mode():
        assert not (x * 2).requires_grad
    with nanotorch.inference_mode(False):
        assert (x * 2).requires_grad
    assert nanotorch.is_grad_enabled()


def test_modes_are_restored_after_an_exception():
    with pytest.raises(ValueError):
        with nanotorch.no_grad():
            raise ValueError
    assert nanotorch.is_grad_enabled()


# --- custom Functions -------------------------------------------------------------------------
class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class ScaleBy(Function):
    """y = x * k for a tensor x and a number k; records which inputs need grads."""

    seen = None

    @staticmethod
    def forward(ctx, x, w, k):
        ScaleBy.seen = ctx.needs_input_grad
        ctx.save_for_backward(x, w)
        ctx.k = k
        return x * w * k

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return (g * w * ctx.k if ctx.needs_input_grad[0] else None,
                g * x * ctx.k if ctx.needs_input_grad[1] else None, None)


class SortWithIndex(Function):
    """Two outputs: sorted values (differentiable) and the permutation (not)."""

    @staticmethod
    def forward(ctx, x):
        order = nanotorch.tensor(np.argsort(x.detach().numpy(), kind="stable"))
        ctx.save_for_backward(order)
        ctx.mark_non_differentiable(order)
        return x[order], order

    @staticmethod
    def backward(ctx, g_values, g_order):
        (order,) = ctx.saved_tensors
        out = nanotorch.zeros_like(g_values)
        out[order] = g_values
        return out


def test_custom_function_forward_backward_and_gradcheck():
    x = leaf(uniform((3,), seed=1))
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward" and not y.is_leaf
    y.sum().backward()
    assert_close(x.grad, 3 * x.detach().numpy() ** 2)
    assert gradcheck(Cube.apply, (leaf(uniform((2, 2), seed=2)),))
    assert gradgradcheck(Cube.apply, (leaf(uniform((2, 2), seed=3)),))


def test_custom_function_needs_input_grad_and_non_tensor_args():
    x = leaf(uniform((3,), seed=4))
    w = leaf(uniform((3,), seed=5), requires_grad=False)
    out = ScaleBy.apply(x, w, 2.5)
    assert ScaleBy.seen == (True, False, False)
    out.sum().backward()
    assert_close(x.grad, w.numpy() * 2.5)
    assert gradcheck(lambda a, b: ScaleBy.apply(a, b, 2.5), (leaf(uniform((3,), seed=6)),
                                                             leaf(uniform((3,), seed=7))))


def test_custom_function_with_multiple_outputs_and_mark_non_differentiable():
    x = nanotorch.tensor([3.0, 1.0, 2.0], dtype=nanotorch.float64, requires_grad=True)
    values, order = SortWithIndex.apply(x)
    assert values.tolist() == [1.0, 2.0, 3.0] and order.tolist() == [1, 2, 0]
    assert values.requires_grad and not order.requires_grad
    (values * nanotorch.tensor([1.0, 10.0, 100.0], dtype=nanotorch.float64)).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]
    assert gradcheck(lambda t: SortWithIndex.apply(t)[0], (leaf(uniform((4,), seed=8)),))


def test_custom_function_without_grad_inputs_records_nothing():
    out = Cube.apply(nanotorch.ones(2))
    assert out.grad_fn is None and not out.requires_grad
    with nanotorch.no_grad():
        assert Cube.apply(nanotorch.ones(2, requires_grad=True)).grad_fn is None


def test_custom_function_wrong_number_of_grads_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    x = nanotorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients \\(expected 2, got 1\\)"):
        Bad.apply(x, x).sum().backward()


class Blocked(Function):
    """Passes its input through in forward and no gradient at all in backward."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return None


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_branch_that_returns_no_gradient_does_not_hold_back_the_others(create_graph):
    # torch counts a None gradient as an arrival: the other branch's gradient still lands
    x = nanotorch.tensor([1.0, 2.0], requires_grad=True)
    graphs = [
        lambda h: Blocked.apply(h) + h * 2,
        lambda h: Blocked.apply(x) + h * 2,  # the leaf itself behind the blocked branch
        lambda h: Blocked.apply(h.exp()) + h * 2,  # exp's node gets nothing, yet lets h go on
        lambda h: SortWithIndex.apply(Blocked.apply(h))[0] + h * 2,  # two outputs, no gradient
    ]
    for graph in graphs:
        x.grad = None
        graph(x * 1).sum().backward(create_graph=create_graph)
        assert x.grad.tolist() == [2.0, 2.0]


# --- gradcheck and gradgradcheck themselves -----------------------------------------------------
class WrongGrad(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # should be 2 * x


class WrongSecondGrad(Function):
    """Right first derivative, but its backward is recorded as if 2x were a constant."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (2 * x).detach()


def test_gradcheck_catches_a_wrong_gradient():
    x = leaf(uniform((3,), seed=9))
    assert gradcheck(lambda t: t * t, (x,))
    with pytest.raises(nanotorch.autograd.GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongGrad.apply, (x,))
    assert gradcheck(WrongGrad.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = leaf(uniform((3,), seed=10))
    assert gradcheck(WrongSecondGrad.apply, (x,))
    assert gradgradcheck(lambda t: t * t, (x,))
    assert gradgradcheck(WrongSecondGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_on_several_inputs_and_outputs():
    a, b = leaf(uniform((2, 3), seed=11)), leaf(uniform((3,), seed=12))
    assert gradcheck(lambda x, y: (x * y, (x + y).sum(0)), (a, b))
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda x: x * 2, (leaf(uniform((2,), seed=13), requires_grad=False),))


# --- a very long chain: the backward walk is iterative ---------------------------------------------
def test_a_100000_op_chain_backpropagates_without_recursion():
    x = nanotorch.tensor([1.0], dtype=nanotorch.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0
