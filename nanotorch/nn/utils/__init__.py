"""``nanotorch.nn.utils``: helpers around modules; ``rnn.pad_sequence`` for sequences."""
from . import rnn
