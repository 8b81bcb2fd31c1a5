"""Learning-rate schedules: change each parameter group's ``lr`` once per ``scheduler.step()``.

>>> import nanotorch
>>> w = nanotorch.nn.Parameter(nanotorch.ones(1))
>>> opt = nanotorch.optim.SGD([w], lr=1.0)
>>> sched = nanotorch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     opt.step()
...     sched.step()
...     lrs.append(sched.get_last_lr()[0])
>>> lrs
[1.0, 0.5, 0.5, 0.25, 0.25]
"""
from __future__ import annotations

import bisect
import collections
import math
import types

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "LinearLR", "ReduceLROnPlateau"]


class LRScheduler:
    """Base class: ``step()`` advances ``last_epoch`` and writes ``get_lr()`` into the groups.

    Subclasses compute each new rate from the current one (``get_lr``) and,
    where they can, from the epoch number alone for ``step(epoch)``
    (``_get_closed_form_lr``), as torch's do. Constructing one runs a first
    ``step()`` (epoch 0); call ``scheduler.step()`` after ``optimizer.step()``.

    >>> import nanotorch
    >>> class Halve(nanotorch.optim.lr_scheduler.LRScheduler):
    ...     def get_lr(self):
    ...         return [base / 2 ** self.last_epoch for base in self.base_lrs]
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = Halve(opt)
    >>> opt.step(); sched.step(); opt.step(); sched.step()
    >>> sched.get_last_lr(), sched.last_epoch
    ([0.25], 2)
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming an optimizer")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        # the step made here only writes the rate for last_epoch: resuming at last_epoch = 4
        # keeps the groups' rates, as torch (schedules read this in get_lr)
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The rates for the current ``last_epoch``, one per group (subclasses define the schedule).

        The base class keeps the rates unchanged. Read the rates with
        :meth:`get_last_lr`; ``get_lr`` is what ``step()`` calls.

        >>> import nanotorch
        >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=0.1)
        >>> nanotorch.optim.lr_scheduler.LRScheduler(opt).get_lr()
        [0.1]
        """
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The rates the last ``step()`` set, one per parameter group.

        >>> import nanotorch
        >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=0.1)
        >>> nanotorch.optim.lr_scheduler.StepLR(opt, step_size=1).get_last_lr()
        [0.1]
        """
        return self._last_lr

    def step(self, epoch=None):
        """Advance one epoch (or jump to ``epoch``) and update the groups' ``lr``.

        >>> import nanotorch
        >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
        >>> sched = nanotorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        >>> opt.step(); sched.step()
        >>> opt.param_groups[0]["lr"]
        0.5
        """
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Everything but the optimizer, as a dict: ``last_epoch``, ``base_lrs``, the settings.

        >>> import nanotorch
        >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
        >>> state = nanotorch.optim.lr_scheduler.StepLR(opt, step_size=3).state_dict()
        >>> state["step_size"], state["last_epoch"], state["base_lrs"]
        (3, 0, [1.0])
        """
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the state saved by :meth:`state_dict`.

        >>> import nanotorch
        >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
        >>> a = nanotorch.optim.lr_scheduler.StepLR(opt, step_size=3)
        >>> opt.step(); a.step()
        >>> b = nanotorch.optim.lr_scheduler.StepLR(opt, step_size=3)
        >>> b.load_state_dict(a.state_dict()); b.last_epoch
        1
        """
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: base * gamma^(epoch // step_size).

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     opt.step(); sched.step(); lrs.append(round(sched.get_last_lr()[0], 6))
    >>> lrs
    [1.0, 0.1, 0.1, 0.01]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch in ``milestones`` (a milestone listed twice
    multiplies twice): base * gamma^(number of milestones <= epoch).

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     opt.step(); sched.step(); lrs.append(round(sched.get_last_lr()[0], 6))
    >>> lrs
    [0.1, 0.1, 0.01, 0.01]
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = collections.Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch not in self.milestones:
            return [group["lr"] for group in self.optimizer.param_groups]
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: lr = base * gamma^epoch.

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> opt.step(); sched.step(); sched.get_last_lr()
    [0.5]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine decay from the base rate to ``eta_min`` over ``T_max`` epochs:

    lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2,
    computed step by step from the current rate, as torch does.

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
    >>> opt.step(); sched.step(); round(sched.get_last_lr()[0], 6)
    0.5
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups, t, T, eta_min = self.optimizer.param_groups, self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if (t - 1 - T) % (2 * T) == 0:
            return [group["lr"] + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - eta_min) + eta_min for group in groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch
                                                                     / self.T_max)) / 2
                for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """The rate is ``base * lr_lambda(epoch)``; one function for every group, or a list of one
    per group.

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
    >>> opt.step(); sched.step(); sched.get_last_lr()
    [0.5]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"Expected {groups} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        """As :meth:`LRScheduler.state_dict`; of the lambdas only the attributes of callable
        objects are kept (a function cannot be saved), as torch does."""
        state = super().state_dict()
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(vars(f))
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        """Restore :meth:`state_dict`; the lambdas stay this scheduler's own."""
        state = dict(state_dict)
        for f, saved in zip(self.lr_lambdas, state.pop("lr_lambdas", ())):
            if saved is not None:
                vars(f).update(saved)
        super().load_state_dict(state)


class LinearLR(LRScheduler):
    """Scale the base rate by a factor going linearly from ``start_factor`` to ``end_factor``
    over ``total_iters`` epochs, then keep it (a warm-up, usually).

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for epoch in range(3):
    ...     opt.step(); sched.step(); lrs.append(round(sched.get_last_lr()[0], 6))
    >>> lrs
    [0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if not 0 <= end_factor <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self._is_initial or self.last_epoch > self.total_iters:  # resumed: the rate stands
            return [group["lr"] for group in groups]
        change = self.end_factor - self.start_factor
        factor = 1 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self):
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * done)
                for base in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` once a watched metric has stopped improving for more than
    ``patience`` epochs: ``scheduler.step(val_loss)`` after each epoch.

    ``mode`` "min" (a loss) or "max" (an accuracy); an improvement must beat the
    best so far by ``threshold``, relative (``threshold_mode="rel"``) or absolute
    ("abs"). After a cut, ``cooldown`` epochs pass before counting again; no rate
    goes under ``min_lr`` (a number, or one per group), and a cut smaller than
    ``eps`` is not made.

    >>> import nanotorch
    >>> opt = nanotorch.optim.SGD([nanotorch.nn.Parameter(nanotorch.ones(1))], lr=1.0)
    >>> sched = nanotorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 2.0]:
    ...     sched.step(val_loss)
    >>> sched.get_last_lr()
    [0.5]
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(f"expected {groups} min_lrs, got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * groups
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self, metrics):
        """Record this epoch's ``metrics`` (a number or a one-element tensor); cut the rates
        when it has not improved for more than ``patience`` epochs."""
        current = float(metrics)
        self.last_epoch += 1
        if self._improves(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, low in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, low)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _improves(self, value):
        rel = self.threshold_mode == "rel"
        if self.mode == "min":
            return value < (self.best * (1 - self.threshold) if rel else self.best - self.threshold)
        return value > (self.best * (1 + self.threshold) if rel else self.best + self.threshold)
