"""Random number generation: ``manual_seed``, ``Generator`` and the default generator.

Random tensors are drawn on the CPU with numpy's PCG64 and then moved to the
tensor's device, so a seed gives the same numbers on every backend.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator"]


class Generator:
    """A seeded source of random numbers, like ``torch.Generator``.

    >>> import nanotorch
    >>> g = nanotorch.Generator().manual_seed(0)
    >>> a = nanotorch.rand(2, generator=g)
    >>> b = nanotorch.rand(2, generator=nanotorch.Generator().manual_seed(0))
    >>> bool((a == b).all())
    True
    """

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = 67280421310721  # torch's default seed
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Reset the generator to ``seed``; returns the generator."""
        seed = int(seed)
        if seed < 0:
            seed += 2 ** 64
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        return self

    def seed(self):
        """Re-seed from the operating system's entropy and return the new seed."""
        new = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(new)
        return new

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (restore it with ``set_state``)."""
        from ._creation import tensor
        import json
        text = json.dumps(self._rng.bit_generator.state).encode()
        return tensor(list(text), dtype="uint8")

    def set_state(self, state):
        import json
        self._rng.bit_generator.state = json.loads(bytes(state.tolist()).decode())
        return self

    # numpy draws used by the factories and in-place fills
    def uniform(self, low, high, shape):
        return self._rng.uniform(low, high, shape)

    def normal(self, mean, std, shape):
        return self._rng.normal(mean, std, shape)

    def random(self, shape):
        return self._rng.random(shape)

    def integers(self, low, high, shape):
        return self._rng.integers(low, high, shape)

    def exponential(self, scale, shape):
        return self._rng.exponential(scale, shape)

    def permutation(self, n):
        return self._rng.permutation(n)


default_generator = Generator()


def _generator(generator):
    return default_generator if generator is None else generator


def manual_seed(seed):
    """Seed the default generator so random results repeat run to run; returns it.

    >>> import nanotorch
    >>> _ = nanotorch.manual_seed(0); a = nanotorch.randn(3)
    >>> _ = nanotorch.manual_seed(0); b = nanotorch.randn(3)
    >>> bool((a == b).all())
    True
    """
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last given."""
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
