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
        """Reset the generator to ``seed``; returns the generator.

        >>> import nanotorch
        >>> g = nanotorch.Generator().manual_seed(3)
        >>> a = nanotorch.rand(2, generator=g)
        >>> bool((nanotorch.rand(2, generator=g.manual_seed(3)) == a).all())
        True
        """
        seed = int(seed)
        if seed < 0:
            seed += 2 ** 64
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        return self

    def seed(self):
        """Re-seed from the operating system's entropy and return the new seed.

        >>> import nanotorch
        >>> g = nanotorch.Generator()
        >>> g.seed() == g.initial_seed()
        True
        """
        new = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(new)
        return new

    def initial_seed(self):
        """The seed this generator was last given.

        >>> import nanotorch
        >>> nanotorch.Generator().manual_seed(7).initial_seed()
        7
        """
        return self._seed

    def get_state(self):
        """The generator's state as a 1-D uint8 tensor (restore it with ``set_state``).

        >>> import nanotorch
        >>> nanotorch.Generator().get_state().dtype
        nanotorch.uint8
        """
        from ._creation import tensor
        import json
        text = json.dumps(self._rng.bit_generator.state).encode()
        return tensor(list(text), dtype="uint8")

    def set_state(self, state):
        """Restore a state from ``get_state``; the same numbers follow again. Returns the generator.

        >>> import nanotorch
        >>> g = nanotorch.Generator()
        >>> state = g.get_state(); a = nanotorch.rand(3, generator=g)
        >>> bool((nanotorch.rand(3, generator=g.set_state(state)) == a).all())
        True
        """
        import json
        self._rng.bit_generator.state = json.loads(bytes(state.tolist()).decode())
        return self

    # numpy draws used by the factories and in-place fills
    def uniform(self, low, high, shape):
        """A float64 numpy array of ``shape`` from U(low, high) (behind ``rand`` and ``uniform_``).

        >>> import nanotorch
        >>> nanotorch.Generator().uniform(0.0, 1.0, (2, 3)).shape
        (2, 3)
        """
        return self._rng.uniform(low, high, shape)

    def normal(self, mean, std, shape):
        """A float64 numpy array of ``shape`` from N(mean, std²) (behind ``randn`` and ``normal_``).

        >>> import nanotorch
        >>> nanotorch.Generator().normal(0.0, 1.0, (4,)).shape
        (4,)
        """
        return self._rng.normal(mean, std, shape)

    def random(self, shape):
        """A float64 numpy array of ``shape`` drawn from U(0, 1).

        >>> import nanotorch
        >>> nanotorch.Generator().random((2,)).dtype
        dtype('float64')
        """
        return self._rng.random(shape)

    def integers(self, low, high, shape):
        """An int64 numpy array of ``shape`` with integers drawn uniformly from ``[low, high)``.

        >>> import nanotorch
        >>> sorted(set(nanotorch.Generator().integers(0, 2, (100,)).tolist()))
        [0, 1]
        """
        return self._rng.integers(low, high, shape)

    def exponential(self, scale, shape):
        """A float64 numpy array of ``shape`` from the exponential distribution of mean ``scale``.

        >>> import nanotorch
        >>> bool((nanotorch.Generator().exponential(2.0, (10,)) >= 0).all())
        True
        """
        return self._rng.exponential(scale, shape)

    def permutation(self, n):
        """A numpy array holding a random permutation of ``0..n-1``.

        >>> import nanotorch
        >>> sorted(nanotorch.Generator().permutation(4).tolist())
        [0, 1, 2, 3]
        """
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
    """Seed the default generator non-deterministically and return the seed.

    >>> import nanotorch
    >>> state = nanotorch.get_rng_state()
    >>> s = nanotorch.seed()
    >>> s == nanotorch.initial_seed()
    True
    >>> nanotorch.set_rng_state(state)
    """
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last given.

    >>> import nanotorch
    >>> _ = nanotorch.manual_seed(42)
    >>> nanotorch.initial_seed()
    42
    """
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a 1-D uint8 tensor (see :func:`set_rng_state`).

    >>> import nanotorch
    >>> nanotorch.get_rng_state().dtype
    nanotorch.uint8
    """
    return default_generator.get_state()


def set_rng_state(state):
    """Restore the default generator's state from :func:`get_rng_state`: the same numbers follow again.

    >>> import nanotorch
    >>> state = nanotorch.get_rng_state(); a = nanotorch.randn(3)
    >>> nanotorch.set_rng_state(state)
    >>> bool((nanotorch.randn(3) == a).all())
    True
    """
    default_generator.set_state(state)
