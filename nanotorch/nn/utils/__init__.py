"""``nanotorch.nn.utils``: helpers around modules: gradient clipping, and ``rnn.pad_sequence``."""
from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_", "rnn"]
