"""Optimizers against hand-computed updates (float64), state dicts, param groups, schedulers."""
import copy
import math

import numpy as np
import pytest

import nanotorch
from nanotorch import nn, optim
from nanotorch.optim import lr_scheduler

P0 = np.array([[0.5, -1.0, 2.0], [0.1, 0.0, -0.3]])
GRADS = [np.array([[0.2, -0.4, 1.0], [0.0, 3.0, -0.5]]) * k for k in (1.0, -0.5, 2.0, 0.3)]


def run(make_opt):
    """Apply the fixed gradient sequence GRADS to a float64 parameter; returns its values per step."""
    p = nn.Parameter(nanotorch.tensor(P0.copy()))
    opt = make_opt([p])
    out = []
    for g in GRADS:
        p.grad = nanotorch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out, opt


def check(make_opt, reference):
    got, _ = run(make_opt)
    expected = reference(P0.copy(), GRADS)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def sgd_ref(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    def ref(p, grads):
        buf, out = None, []
        for g in grads:
            g = -g if maximize else g
            g = g + weight_decay * p
            if momentum:
                buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            p = p - lr * g
            out.append(p)
        return out
    return ref


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
    dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    dict(lr=0.1, momentum=0.5, maximize=True),
])
def test_sgd_matches_hand_computed_steps(kwargs):
    check(lambda ps: optim.SGD(ps, **kwargs), sgd_ref(**kwargs))


def adam_ref(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             decoupled=False, maximize=False):
    b1, b2 = betas

    def ref(p, grads):
        m = v = np.zeros_like(p)
        vmax = np.zeros_like(p)
        out = []
        for t, g in enumerate(grads, 1):
            g = -g if maximize else g
            if decoupled:
                p = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
            m = m + (1 - b1) * (g - m)
            v = b2 * v + (1 - b2) * g * g
            vmax = np.maximum(vmax, v)
            denom = np.sqrt(vmax if amsgrad else v) / math.sqrt(1 - b2 ** t) + eps
            p = p - lr / (1 - b1 ** t) * m / denom
            out.append(p)
        return out
    return ref


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    dict(lr=0.1, amsgrad=True),
    dict(lr=0.1, maximize=True),
    dict(lr=0.1, betas=(0.3, 0.9)),  # lerp weight above 0.5 takes torch's other formula
])
def test_adam_matches_hand_computed_steps(kwargs):
    check(lambda ps: optim.Adam(ps, **kwargs), adam_ref(**kwargs))


@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5, amsgrad=True)])
def test_adamw_matches_hand_computed_steps(kwargs):
    ref = adam_ref(decoupled=True, **{"weight_decay": 1e-2, **kwargs})
    check(lambda ps: optim.AdamW(ps, **kwargs), ref)


def rmsprop_ref(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    def ref(p, grads):
        sq = gavg = buf = np.zeros_like(p)
        out = []
        for g in grads:
            g = g + weight_decay * p
            sq = alpha * sq + (1 - alpha) * g * g
            if centered:
                gavg = gavg + (1 - alpha) * (g - gavg)
                avg = np.sqrt(sq - gavg * gavg) + eps
            else:
                avg = np.sqrt(sq) + eps
            if momentum > 0:
                buf = momentum * buf + g / avg
                p = p - lr * buf
            else:
                p = p - lr * g / avg
            out.append(p)
        return out
    return ref


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9, momentum=0.9, weight_decay=0.1),
    dict(lr=0.01, centered=True, momentum=0.5),
])
def test_rmsprop_matches_hand_computed_steps(kwargs):
    check(lambda ps: optim.RMSprop(ps, **kwargs), rmsprop_ref(**kwargs))


def test_argument_checks():
    p = [nn.Parameter(nanotorch.ones(1))]
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD(p, lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        optim.SGD(p, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam(p, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Invalid epsilon value: -1"):
        optim.RMSprop(p, eps=-1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p[0], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": p}, {"params": p}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p[0] * 2], lr=0.1)


def test_param_groups_and_zero_grad():
    a, b = nn.Parameter(nanotorch.ones(2)), nn.Parameter(nanotorch.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1, momentum=0.5)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    assert opt.param_groups[1]["momentum"] == 0.5
    (a.sum() + b.sum()).backward()
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9]) and b.tolist() == pytest.approx([0.0, 0.0])
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    c = nn.Parameter(nanotorch.ones(1))
    opt.add_param_group({"params": [c], "lr": 0.5})
    assert opt.param_groups[2]["momentum"] == 0.5
    assert "Parameter Group 2" in repr(opt) and "    lr: 0.5" in repr(opt)
    assert opt.step(lambda: 3.0) == 3.0  # a closure's loss is returned


def test_params_without_grad_are_skipped():
    a, b = nn.Parameter(nanotorch.ones(2)), nn.Parameter(nanotorch.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.sum().backward()
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.1),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
])
def test_state_dict_resumes_bit_exactly(make):
    nanotorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = nanotorch.randn(8, 3)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            model(x).pow(2).mean().backward()
            opt.step()

    opt = make(model.parameters())
    train(model, opt, 3)
    saved_model = {k: v.clone() for k, v in model.state_dict().items()}
    saved_opt = copy.deepcopy(opt.state_dict())  # as in torch, state_dict() shares the tensors
    assert sorted(saved_opt["state"]) == [0, 1, 2, 3]
    assert saved_opt["param_groups"][0]["params"] == [0, 1, 2, 3]
    train(model, opt, 2)

    twin = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    twin.load_state_dict(saved_model)
    twin_opt = make(twin.parameters())
    twin_opt.load_state_dict(saved_opt)
    train(twin, twin_opt, 2)
    for a, b in zip(model.parameters(), twin.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_checks_groups():
    p = [nn.Parameter(nanotorch.ones(1))]
    opt = optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict({"state": {}, "param_groups": [{"lr": 1.0, "params": [0, 1]}]})
    state = optim.SGD(p, lr=0.7).state_dict()
    opt.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == 0.7 and opt.param_groups[0]["params"][0] is p[0]


# --- schedulers ---------------------------------------------------------------------------
def _lrs(make_sched, epochs, lr=1.0):
    opt = optim.SGD([nn.Parameter(nanotorch.ones(1))], lr=lr)
    sched = make_sched(opt)
    out = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out, sched, opt


def test_step_and_exponential_lr():
    got, _, _ = _lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.1), 7)
    assert got == pytest.approx([1.0 * 0.1 ** (e // 3) for e in range(8)], rel=1e-12)
    got, _, _ = _lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), 5, lr=0.5)
    assert got == pytest.approx([0.5 * 0.9 ** e for e in range(6)], rel=1e-12)


def test_cosine_annealing_lr_including_past_t_max():
    T, eta_min = 5, 0.1
    got, _, _ = _lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=eta_min), 12)
    expected = [eta_min + (1 - eta_min) * (1 + math.cos(math.pi * e / T)) / 2 for e in range(13)]
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_scheduler_state_dict_and_initial_lr():
    _, sched, opt = _lrs(lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 3)
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    assert opt.param_groups[0]["initial_lr"] == 1.0
    other = lr_scheduler.StepLR(opt, step_size=7)
    other.load_state_dict(state)
    assert other.step_size == 2 and other.last_epoch == 3
    fresh = optim.SGD([nn.Parameter(nanotorch.ones(1))], lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(fresh, gamma=0.5, last_epoch=4)
    sched = lr_scheduler.ExponentialLR(fresh, gamma=0.5)
    sched.step(3)  # jump: the closed form
    assert sched.get_last_lr() == [0.125]


def test_against_torch():
    torch = pytest.importorskip("torch")
    for ours_cls, theirs_cls, kwargs in [
        (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
        (optim.Adam, torch.optim.Adam, dict(lr=0.1, amsgrad=True, weight_decay=0.1)),
        (optim.AdamW, torch.optim.AdamW, dict(lr=0.1)),
        (optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    ]:
        ours, _ = run(lambda ps: ours_cls(ps, **kwargs))
        p = torch.nn.Parameter(torch.tensor(P0.copy()))
        opt = theirs_cls([p], **kwargs)
        for g, mine in zip(GRADS, ours):
            p.grad = torch.tensor(g)
            opt.step()
            np.testing.assert_allclose(p.detach().numpy(), mine, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("options", [dict(momentum=0.9), dict(centered=True),
                                     dict(centered=True, momentum=0.5)])
def test_rmsprop_steps_a_zero_dim_parameter(cpu_backend, options):
    """numpy gives a 0-d product as a scalar, which out= cannot write into: the state must be
    kept as arrays (values from torch 2.13)."""
    expected = {0.9: 0.739112, None: 0.827892, 0.5: 0.77764}[options.get("momentum")]
    p = nn.Parameter(nanotorch.tensor(1.0))
    opt = optim.RMSprop([p], **options)
    for _ in range(2):
        p.grad = nanotorch.tensor(0.5)
        opt.step()
    assert p.item() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("make,expected", [
    (lambda opt: lr_scheduler.ExponentialLR(opt, 0.9, last_epoch=4), [0.037, 0.0333, 0.02997]),
    (lambda opt: lr_scheduler.CosineAnnealingLR(opt, 10, eta_min=0.01, last_epoch=4),
     [0.037, 0.028657, 0.02113]),
])
def test_a_resumed_scheduler_keeps_the_groups_rate_until_its_first_step(make, expected):
    """Created with last_epoch >= 0 (resuming), the scheduler's own first step only records the
    rate, as torch's: the next ones continue the schedule from there (values from torch 2.13)."""
    opt = optim.SGD([nn.Parameter(nanotorch.ones(1))], lr=0.1)
    for group in opt.param_groups:
        group["initial_lr"], group["lr"] = 0.1, 0.037
    scheduler = make(opt)
    rates = [scheduler.get_last_lr()[0]]
    for _ in range(2):
        opt.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    assert rates == pytest.approx(expected, abs=1e-6)


def test_a_parameter_twice_in_one_group_warns_and_is_stepped_twice_as_in_torch():
    p = nn.Parameter(nanotorch.ones(1))
    with pytest.warns(UserWarning, match="parameter group with duplicate parameters"):
        opt = optim.SGD([p, p], lr=0.1)
    p.grad = nanotorch.ones(1)
    opt.step()
    assert p.item() == pytest.approx(0.8)  # torch 2.13 gives 0.8 too


# --- schedulers added in the sixth session; expected rates from torch 2.13 -------------------
def _two_groups():
    a, b = nn.Parameter(nanotorch.ones(1)), nn.Parameter(nanotorch.ones(1))
    return optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)


def _rates(scheduler, opt, steps, metrics=None):
    rates = [scheduler.get_last_lr()]
    for i in range(steps):
        opt.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[i])
        rates.append(scheduler.get_last_lr())
    return rates


def _close(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g == pytest.approx(e, abs=1e-8)


_PLATEAU_LOSSES = [5, 4, 4.1, 4.0, 3.9999, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2]
_PLATEAU_ACCURACIES = [0.5, 0.6, 0.6, 0.6, 0.61, 0.6, 0.6, 0.6] + [0.7] * 12


@pytest.mark.parametrize("make,metrics,expected", [
    (lambda o: lr_scheduler.MultiStepLR(o, [3, 3, 7, 12], gamma=0.5), None, [[0.1, 0.5],
     [0.1, 0.5], [0.1, 0.5], [0.025, 0.125], [0.025, 0.125], [0.025, 0.125], [0.025, 0.125],
     [0.0125, 0.0625], [0.0125, 0.0625], [0.0125, 0.0625], [0.0125, 0.0625], [0.0125, 0.0625],
     [0.00625, 0.03125], [0.00625, 0.03125], [0.00625, 0.03125], [0.00625, 0.03125]]),
    (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]), None,
     [[0.1, 0.5], [0.095, 0.25], [0.09025, 0.16666667], [0.0857375, 0.125], [0.08145062, 0.1],
     [0.07737809, 0.08333333], [0.07350919, 0.07142857], [0.06983373, 0.0625]]),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=8),
     None, [[0.025, 0.125], [0.03125, 0.15625], [0.0375, 0.1875], [0.04375, 0.21875], [0.05, 0.25],
     [0.05625, 0.28125], [0.0625, 0.3125], [0.06875, 0.34375], [0.075, 0.375], [0.075, 0.375],
     [0.075, 0.375]]),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=2, factor=0.5), _PLATEAU_LOSSES, [
     [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.05, 0.25], [0.05, 0.25],
     [0.05, 0.25], [0.025, 0.125], [0.025, 0.125], [0.025, 0.125], [0.025, 0.125],
     [0.0125, 0.0625], [0.0125, 0.0625], [0.0125, 0.0625], [0.0125, 0.0625], [0.0125, 0.0625],
     [0.0125, 0.0625], [0.00625, 0.03125], [0.00625, 0.03125], [0.00625, 0.03125]]),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=1, factor=0.3, threshold=0.5,
                                              threshold_mode="abs", cooldown=2,
                                              min_lr=[0.01, 0.2]), _PLATEAU_LOSSES, [[0.1, 0.5],
     [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.03, 0.2], [0.03, 0.2], [0.03, 0.2], [0.03, 0.2],
     [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2],
     [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2]]),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="max", patience=3, factor=0.1,
                                              min_lr=0.001), _PLATEAU_ACCURACIES, [[0.1, 0.5],
     [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5],
     [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.01, 0.05], [0.01, 0.05],
     [0.01, 0.05], [0.01, 0.05], [0.001, 0.005], [0.001, 0.005], [0.001, 0.005], [0.001, 0.005]]),
], ids=["multistep", "lambda", "linear", "plateau", "plateau_abs_cooldown_min_lr", "plateau_max"])
def test_schedulers_follow_torchs_rates(make, metrics, expected):
    opt = _two_groups()
    _close(_rates(make(opt), opt, len(expected) - 1, metrics), expected)


@pytest.mark.parametrize("make,expected", [
    (lambda o: lr_scheduler.MultiStepLR(o, milestones=[3, 7], last_epoch=5), [[0.1, 0.5],
     [0.01, 0.05], [0.01, 0.05], [0.01, 0.05], [0.01, 0.05], [0.01, 0.05], [0.01, 0.05]]),
    (lambda o: lr_scheduler.LinearLR(o, total_iters=8, last_epoch=5), [[0.1, 0.5], [0.11, 0.55],
     [0.12, 0.6], [0.12, 0.6], [0.12, 0.6], [0.12, 0.6], [0.12, 0.6]]),
])
def test_resumed_multistep_and_linear_schedulers_follow_torch(make, expected):
    opt = _two_groups()
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    _close(_rates(make(opt), opt, len(expected) - 1), expected)


def test_scheduler_arguments_are_checked_as_in_torch():
    opt = _two_groups()
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Starting multiplicative factor expected"):
        lr_scheduler.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode sideways is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="sideways")


def test_lambda_and_plateau_schedulers_save_and_restore_their_state():
    opt = _two_groups()
    plateau = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    for loss in (3.0, 3.0, 3.0):
        plateau.step(nanotorch.tensor(loss))  # a 0-d tensor is a metric too
    again = lr_scheduler.ReduceLROnPlateau(_two_groups(), patience=0)
    again.load_state_dict(plateau.state_dict())
    assert again.best == 3.0 and again.last_epoch == 3 and again.num_bad_epochs == 0
    lam = lr_scheduler.LambdaLR(opt, lambda e: 0.5 ** e)
    state = lam.state_dict()
    assert state["lr_lambdas"] == [None, None]  # functions are not saved, as in torch
    lr_scheduler.LambdaLR(_two_groups(), lambda e: 1.0).load_state_dict(state)
