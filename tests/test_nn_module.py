"""nn.Module and nn.Parameter: registration, traversal order, modes, conversion, state dicts."""
import copy

import numpy as np
import pytest

import nanotorch
from nanotorch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 3)
        self.act = nn.ReLU()
        self.block = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
        self.scale = nn.Parameter(nanotorch.ones(1))
        self.register_buffer("count", nanotorch.zeros(1))
        self.register_buffer("scratch", nanotorch.zeros(2), persistent=False)

    def forward(self, x):
        return self.block(self.act(self.layer1(x))) * self.scale


def test_parameter_defaults_and_repr():
    p = nn.Parameter(nanotorch.tensor([1.0, 2.0]))
    assert isinstance(p, nanotorch.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not nn.Parameter(nanotorch.ones(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_shares_memory_and_lecture_aliases():
    data = nanotorch.zeros(2)
    p = nn.Parameter(data)
    assert p.value is p
    p.update(nanotorch.tensor([3.0, 4.0]))
    assert data.tolist() == [3.0, 4.0]  # same memory
    assert p.requires_grad and p.grad_fn is None
    (p * p).sum().backward()
    p.update(p.value - 0.5 * p.value.grad)
    assert p.tolist() == [0.0, 0.0]


def test_parameter_deepcopy_keeps_type():
    p = nn.Parameter(nanotorch.ones(2))
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q is not p
    q.update(nanotorch.zeros(2))
    assert p.tolist() == [1.0, 1.0]


def test_registration_and_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "layer1.weight", "layer1.bias", "block.0.weight", "block.0.bias"]
    assert [n for n, _ in net.named_buffers()] == ["count", "scratch"]
    assert [n for n, _ in net.named_children()] == ["layer1", "act", "block"]
    assert [n for n, _ in net.named_modules()] == [
        "", "layer1", "act", "block", "block.0", "block.1"]
    assert len(list(net.modules())) == 6
    assert list(net.children())[0] is net.layer1
    assert list(net.state_dict()) == [
        "scale", "count", "layer1.weight", "layer1.bias", "block.0.weight", "block.0.bias"]


def test_shared_modules_and_parameters_counted_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 2
    assert len(list(seq.named_modules(remove_duplicate=False))) == 3


def test_unknown_attribute_raises():
    net = Net()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        net.nothing
    assert not hasattr(net, "nothing")


def test_setattr_rules():
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = nanotorch.ones(1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'act'"):
        net.act = 3
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'count'"):
        net.count = 3
    net.count = nanotorch.ones(1)  # a tensor replaces a buffer
    assert net.state_dict()["count"].tolist() == [1.0]
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    net.act = nn.Tanh()
    assert isinstance(net.act, nn.Tanh)
    del net.act
    assert "act" not in dict(net.named_children())
    with pytest.raises(AttributeError):
        nn.Linear.__new__(nn.Linear).weight = nn.Parameter(nanotorch.ones(1))


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", nanotorch.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        m.register_buffer("b", 3)
    with pytest.raises(TypeError, match="to parameter 'p'"):
        m.register_parameter("p", nanotorch.ones(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    m.plain = 1
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", nanotorch.ones(1))
    x = nanotorch.ones(1, requires_grad=True) * 2
    with pytest.raises(ValueError, match="non-leaf"):
        m.register_parameter("q", _nonleaf_parameter(x))


def _nonleaf_parameter(x):
    p = nn.Parameter(nanotorch.ones(1))
    p.grad_fn = x.grad_fn
    return p


def test_train_eval_propagate():
    net = Net()
    assert net.training and net.block[1].training
    assert net.eval() is net
    assert not net.training and not net.block[1].training
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train(1)


def test_zero_grad_and_requires_grad_():
    net = Net()
    net(nanotorch.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_dtype_keeps_parameter_objects_for_the_optimizer():
    nanotorch.manual_seed(0)  # a fixed init; eval() turns dropout off, so layer1 gets a gradient
    net = Net().eval()
    params = list(net.parameters())
    opt = nanotorch.optim.SGD(net.parameters(), lr=0.1)
    assert net.double() is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == nanotorch.float64 for p in params)
    assert net.count.dtype == nanotorch.float64
    before = net.layer1.weight.detach().clone()
    net(nanotorch.ones(3, 2, dtype=nanotorch.float64)).sum().backward()
    opt.step()
    assert not net.layer1.weight.equal(before)
    with pytest.raises(TypeError, match="floating point"):
        net.to(nanotorch.int64)
    assert net.to("cpu") is net and net.float().scale.dtype == nanotorch.float32


def test_apply_visits_children_first():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Dropout", "Sequential", "Net"]


def test_state_dict_round_trip_is_bit_exact_and_detached():
    a, b = Net(), Net()
    state = a.state_dict()
    assert all(not t.requires_grad for t in state.values())
    assert "scratch" not in state
    assert b.load_state_dict(state).missing_keys == []
    for (na, ta), (nb, tb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert na == nb
        assert np.array_equal(ta.numpy(), tb.numpy()) and ta.dtype == tb.dtype
    # state_dict shares memory with the module
    state["scale"].fill_(5.0)
    assert a.scale.item() == 5.0
    assert len(a.state_dict(keep_vars=True)["scale"].shape) == 1
    assert a.state_dict(keep_vars=True)["scale"] is a.scale


def test_load_state_dict_errors_like_torch():
    lin = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as err:
        lin.load_state_dict({"weight": nanotorch.zeros(2, 3), "extra": nanotorch.zeros(1)})
    assert str(err.value) == (
        'Error(s) in loading state_dict for Linear:\n'
        '\tMissing key(s) in state_dict: "bias". \n'
        '\tUnexpected key(s) in state_dict: "extra". \n'
        '\tsize mismatch for weight: copying a param with shape nanotorch.Size([2, 3]) from '
        'checkpoint, the shape in current model is nanotorch.Size([3, 2]).')
    result = lin.load_state_dict({"weight": nanotorch.zeros(3, 2), "extra": nanotorch.ones(1)},
                                 strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert not lin.weight.any()
    with pytest.raises(RuntimeError, match="size mismatch"):
        lin.load_state_dict({"weight": nanotorch.zeros(1, 2)}, strict=False)
    assert repr(lin.load_state_dict(nn.Linear(2, 3).state_dict())) == \
        "<All keys matched successfully>"


def test_load_state_dict_assign_keeps_given_tensors():
    lin = nn.Linear(2, 1)
    w = nanotorch.ones(1, 2)
    lin.load_state_dict({"weight": w, "bias": nanotorch.zeros(1)}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    w.fill_(2.0)
    assert lin.weight.tolist() == [[2.0, 2.0]]


def test_repr_like_torch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.1)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1, inplace=False)\n"
        "  )\n"
        ")")
    assert repr(nn.Module()) == "Module()"


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(nanotorch.ones(1, 2))
    assert calls == [(1, 2)]
    assert np.allclose(out.detach().numpy(), lin.bias.detach().numpy() + 1)
    pre.remove()
    post.remove()
    assert np.allclose(lin(nanotorch.zeros(1, 2)).detach().numpy(), lin.bias.detach().numpy())


def test_missing_forward_and_submodule_lookup():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)
    net = Net()
    assert net.get_submodule("block.0") is net.block[0]
    assert net.get_parameter("block.0.bias") is net.block[0].bias
    with pytest.raises(AttributeError):
        net.get_submodule("block.7")


def test_deepcopy_module():
    net = Net()
    clone = copy.deepcopy(net)
    assert clone.layer1.weight is not net.layer1.weight
    assert clone.layer1.weight.equal(net.layer1.weight)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in net.named_parameters()]
    clone.layer1.weight = nn.Parameter(nanotorch.zeros(3, 2))
    assert clone.layer1.weight.sum().item() == 0 and net.layer1.weight.sum().item() != 0


def test_shallow_copy_shares_the_tables_like_torch():
    net = Net()
    alias = copy.copy(net)
    alias.layer1 = nn.Linear(2, 3)  # one shared table: both modules see the new child
    assert net.layer1 is alias.layer1
    del net.layer1
    assert not hasattr(alias, "layer1")
    del net  # the copy outlives the module it was made from, and can itself be copied
    clone = copy.deepcopy(alias)
    clone.act = nn.Tanh()
    assert isinstance(clone.act, nn.Tanh) and isinstance(alias.act, nn.ReLU)


def test_attribute_reads_follow_torchs_lookup_order_through_every_table_edit():
    net = Net()
    assert net.layer1 is net._modules["layer1"] and net.scale is net._parameters["scale"]
    # direct edits of the tables, as torch code sometimes makes them
    table = net._parameters
    table["extra"] = nn.Parameter(nanotorch.ones(2))
    assert net.extra is table["extra"]
    assert table.pop("extra") is not None and not hasattr(net, "extra")
    table.update(extra=nn.Parameter(nanotorch.zeros(1)))
    assert net.extra.tolist() == [0.0]
    table.setdefault("other", None)
    assert net.other is None
    assert table.popitem() == ("other", None) and not hasattr(net, "other")
    # parameters before buffers before modules, a plain attribute before all, the class first
    net._buffers["extra"] = nanotorch.full((1,), 7.0)
    assert net.extra.tolist() == [0.0]
    del table["extra"]
    assert net.extra.tolist() == [7.0]
    net.__dict__["plain"] = 3
    net._modules["plain"] = nn.ReLU()
    assert net.plain == 3
    net._modules["train"] = nn.ReLU()
    assert callable(net.train) and not isinstance(net.train, nn.Module)
    net._modules.clear()
    assert not hasattr(net, "layer1") and list(net.children()) == []


def test_a_module_used_twice_reloads_its_own_state_dict():
    """state_dict() writes a shared layer under every path to it; loading reads them all."""
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert set(model.state_dict()) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert str(model.load_state_dict(model.state_dict())) == "<All keys matched successfully>"
    state = model.state_dict()
    state["2.weight"] = nanotorch.full((2, 2), 2.0)
    model.load_state_dict(state)
    assert shared.weight.tolist() == [[2.0, 2.0], [2.0, 2.0]]  # the last path read wins, as torch
