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

import math

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR"]


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
