"""``Parameter``: a tensor that a :class:`~nanotorch.nn.Module` registers as trainable."""
from __future__ import annotations

from ..autograd.function import share_version
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A tensor that is a module's learnable weight; ``requires_grad=True`` by default.

    Assigning a ``Parameter`` to a module attribute registers it, so it shows
    up in ``parameters()`` and ``state_dict()``. It shares memory with
    ``data``. Shapes: the same as ``data`` (an empty 1-D tensor when omitted).

    The lecture calls ``p.value`` (the tensor itself here) and
    ``p.update(new_value)``, which copies ``new_value`` into the parameter in
    place, so optimizers holding it see the change.

    >>> import nanotorch
    >>> p = nanotorch.nn.Parameter(nanotorch.ones(2))
    >>> p
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    >>> p.update(p.value - 0.5)
    >>> p.value
    Parameter containing:
    tensor([0.5000, 0.5000], requires_grad=True)
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        self._adopt(data._data, data._backend)
        share_version(self, data)  # same memory, same version counter
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        rebuild, (array, device, requires_grad) = super().__reduce_ex__(protocol)
        return _rebuild_parameter, (array, device, requires_grad)

    @property
    def value(self):
        """The lecture's ``p.value``: the parameter tensor itself."""
        return self

    def update(self, x):
        """The lecture's ``p.update(x)``: copy ``x`` (same shape) into this parameter in place."""
        with no_grad():
            self.copy_(x if isinstance(x, Tensor) else Tensor(x))


def _rebuild_parameter(array, device, requires_grad):
    from .._creation import tensor
    return Parameter(tensor(array, device=device), requires_grad)
