"""``nanotorch.optim``: optimizers (SGD, Adam, AdamW, RMSprop) and learning-rate schedulers.

>>> import nanotorch
>>> model = nanotorch.nn.Linear(2, 1)
>>> opt = nanotorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> loss = model(nanotorch.ones(4, 2)).pow(2).mean()
>>> opt.zero_grad(); loss.backward(); opt.step()
"""
from . import lr_scheduler
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
