"""The layers of ``nanotorch.nn``, one topic per file."""
from .module import Module
from .linear import Identity, Linear
from .activation import (ELU, GELU, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, ReLU,
                         ReLU6, SiLU, Sigmoid, Softmax, Softplus, Tanh)
from .container import ModuleDict, ModuleList, Sequential
from .distance import CosineSimilarity
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ = [
    "Module",
    "Identity", "Linear",
    "ELU", "GELU", "Hardtanh", "LeakyReLU", "LogSigmoid", "LogSoftmax", "Mish", "ReLU", "ReLU6",
    "SiLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
    "ModuleDict", "ModuleList", "Sequential",
    "CosineSimilarity",
    "Dropout",
    "Flatten", "Unflatten",
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss",
]

# --- Simple NLP: embedding, convolution, pooling ---
from .sparse import Embedding  # noqa: E402
from .conv import Conv1d, Conv2d  # noqa: E402
from .pooling import (AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, AvgPool2d,  # noqa: E402
                      MaxPool1d, MaxPool2d)

__all__ += [
    "Embedding", "Conv1d", "Conv2d",
    "AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d", "AdaptiveAvgPool1d", "AdaptiveMaxPool1d",
]
