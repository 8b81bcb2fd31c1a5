"""``Flatten`` and ``Unflatten``: merge a range of dims into one, or split one dim."""
from __future__ import annotations

from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Merge dims ``start_dim..end_dim`` into one (by default all but the batch dim).

    Shapes: ``(N, *dims)`` -> ``(N, prod(dims))`` with the defaults.

    >>> import nanotorch
    >>> nanotorch.nn.Flatten()(nanotorch.zeros(4, 2, 3)).shape
    nanotorch.Size([4, 6])
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``.

    Shapes: ``(*, S, *)`` -> ``(*, *unflattened_size, *)`` where the sizes multiply to S.

    >>> import nanotorch
    >>> nanotorch.nn.Unflatten(1, (2, 3))(nanotorch.zeros(4, 6)).shape
    nanotorch.Size([4, 2, 3])
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"invalid argument type for dim parameter: {type(dim).__name__}")
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(s, int) for s in unflattened_size):
            raise TypeError("unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
