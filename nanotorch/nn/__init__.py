"""``nanotorch.nn``: modules, parameters, layers, losses, ``functional`` and ``init``.

>>> import nanotorch
>>> from nanotorch import nn
>>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
>>> model(nanotorch.zeros(4, 2)).shape
nanotorch.Size([4, 1])
"""
from . import functional, init
from .modules import *  # noqa: F401,F403  (every layer, listed in modules/__init__.py)
from .modules import __all__ as _modules_all
from .parameter import Parameter
from . import utils  # nn.utils.rnn.pad_sequence

__all__ = ["Parameter", "functional", "init"] + _modules_all
