"""``nanotorch.utils.data``: datasets, samplers and the ``DataLoader`` that batches them.

A :class:`Dataset` maps an index to a sample; a sampler yields indices; a
:class:`BatchSampler` groups them; the :class:`DataLoader` fetches each
group and merges the samples into one batch with ``collate_fn``
(:func:`default_collate` stacks tensors, numbers, and the tuples, lists and
dicts that hold them). Loading happens in the calling process.

>>> import nanotorch
>>> from nanotorch.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(nanotorch.arange(10.0).reshape(5, 2), nanotorch.arange(5))
>>> [tuple(y.tolist()) for _, y in DataLoader(ds, batch_size=2)]
[(0, 1), (2, 3), (4,)]
"""
from __future__ import annotations

import bisect
import collections.abc
import math
import numbers
import warnings

import numpy as np

from .._creation import as_tensor, randperm, tensor
from .._functions import stack
from .. import _dtype
from ..random import default_generator
from ..tensor import Tensor

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset", "random_split",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "DataLoader", "default_collate", "default_convert",
]


# --- datasets ---------------------------------------------------------------------
class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``.

    ``a + b`` concatenates two datasets.

    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> list(DataLoader(Squares(), batch_size=4))
    [tensor([0, 1, 4, 9])]
    """

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclasses define ``__iter__``; the loader batches what it yields.

    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(5))
    >>> [b.tolist() for b in DataLoader(Count(), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __add__(self, other):
        raise TypeError("IterableDataset does not support concatenation with +")


class TensorDataset(Dataset):
    """Samples are the rows of tensors with the same first dim: ``ds[i] == (t[i] for t in tensors)``.

    Shapes: tensors ``(N, ...)`` -> ``len(ds) == N``; a sample is a tuple of ``(...)`` slices.

    >>> import nanotorch
    >>> ds = TensorDataset(nanotorch.zeros(3, 2), nanotorch.ones(3))
    >>> len(ds), ds[0]
    (3, (tensor([0., 0.]), tensor(1.)))
    """

    def __init__(self, *tensors):
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class ConcatDataset(Dataset):
    """Several map-style datasets one after another.

    >>> import nanotorch
    >>> a = TensorDataset(nanotorch.zeros(2))
    >>> len(a + a)
    4
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> import nanotorch
    >>> sub = Subset(TensorDataset(nanotorch.arange(5)), [4, 0])
    >>> len(sub), sub[0]
    (2, (tensor(4),))
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=default_generator):
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given ``lengths``.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to
    1 (floored, the remainder handed out one by one from the first subset).

    >>> import nanotorch
    >>> g = nanotorch.Generator().manual_seed(0)
    >>> train, val = random_split(range(10), [0.8, 0.2], generator=g)
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (8, 2, True)
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(n * frac)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              "empty dataset.", stacklevel=2)
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(sum(lengths), generator=generator).tolist()
    subsets, offset = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[offset:offset + length]))
        offset += length
    return subsets


# --- samplers -----------------------------------------------------------------------
class Sampler:
    """Base class of index samplers: subclasses define ``__iter__`` (and usually ``__len__``).

    A :class:`DataLoader` takes one as ``sampler=`` to choose the order of the
    dataset indices it loads.

    >>> import nanotorch
    >>> class Backwards(Sampler):
    ...     def __init__(self, data_source):
    ...         self.n = len(data_source)
    ...     def __iter__(self):
    ...         return iter(range(self.n - 1, -1, -1))
    ...     def __len__(self):
    ...         return self.n
    >>> ds = TensorDataset(nanotorch.arange(4))
    >>> [b[0].tolist() for b in DataLoader(ds, batch_size=2, sampler=Backwards(ds))]
    [[3, 2], [1, 0]]
    """

    def __init__(self, data_source=None):
        pass


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    >>> list(SequentialSampler(range(3)))
    [0, 1, 2]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in a random order (a permutation; with ``replacement``, ``num_samples`` draws).

    Draws from ``generator``, else from the default generator, so
    ``nanotorch.manual_seed`` makes the order repeatable.

    >>> import nanotorch
    >>> sorted(RandomSampler(range(4), generator=nanotorch.Generator().manual_seed(1)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        """How many indices one pass yields: ``num_samples`` if given, else ``len(data_source)``.

        >>> RandomSampler(range(5)).num_samples, RandomSampler(range(5), num_samples=8).num_samples
        (5, 8)
        """
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = default_generator if self.generator is None else self.generator
        if self.replacement:
            yield from generator.integers(0, n, (self.num_samples,)).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from generator.permutation(n).tolist()
        yield from generator.permutation(n).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order.

    >>> sorted(SubsetRandomSampler([5, 7]))
    [5, 7]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        generator = default_generator if self.generator is None else self.generator
        for i in generator.permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last may be short
    unless ``drop_last``).

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


# --- collation ------------------------------------------------------------------------
def _collate_error(elem):
    return TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                     f"or lists; found {type(elem)}")


def default_collate(batch):
    """Merge a list of samples into a batch, recursively, as torch's ``default_collate``:

    tensors and numpy arrays are stacked along a new dim 0; Python floats
    become a float64 tensor, ints an int64 tensor, bools a bool tensor;
    strings stay a list; dicts are collated per key; tuples come back as a
    list of collated fields (namedtuples keep their type); lists are collated
    position by position.

    >>> import nanotorch
    >>> default_collate([(nanotorch.zeros(2), 1), (nanotorch.ones(2), 0)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([1, 0])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSUV":
            raise _collate_error(elem)
        return stack([as_tensor(b) for b in batch], 0)
    if isinstance(elem, np.generic):
        return as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch, dtype=_dtype.bool)
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # a list, as torch returns for tuples
        try:
            return type(elem)(columns)
        except TypeError:
            return columns
    if isinstance(elem, numbers.Number):
        return tensor(batch)
    raise _collate_error(elem)


def default_convert(data):
    """What the loader applies without batching (``batch_size=None``): numpy arrays and
    numpy scalars become tensors, recursively; everything else is kept.

    >>> import numpy as np
    >>> default_convert(np.zeros(2))
    tensor([0., 0.], dtype=nanotorch.float64)
    """
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSUV":
        return as_tensor(data)
    if isinstance(data, np.generic):
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(d) for d in data)
    return data


# --- the loader -----------------------------------------------------------------------
class DataLoader:
    """Iterate over a dataset in batches, like ``torch.utils.data.DataLoader``.

    ``shuffle=True`` draws a fresh order every epoch from ``generator`` (or
    the default generator); ``drop_last`` drops a short final batch;
    ``sampler`` / ``batch_sampler`` give the order explicitly; ``collate_fn``
    merges samples (:func:`default_collate` by default); ``batch_size=None``
    yields single samples. ``num_workers``, ``pin_memory`` and the other
    multiprocessing options are accepted; loading always runs in this process.

    Shapes: with a :class:`TensorDataset` of ``(N, ...)`` tensors, each batch
    is a list of ``(batch_size, ...)`` tensors.

    >>> import nanotorch
    >>> ds = TensorDataset(nanotorch.arange(6))
    >>> g = nanotorch.Generator().manual_seed(0)
    >>> batches = [b.tolist() for (b,) in DataLoader(ds, batch_size=4, shuffle=True, generator=g)]
    >>> sorted(sum(batches, []))
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device=""):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "and batch_sampler options")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else \
                SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_size is not None or batch_sampler is not None
            else default_convert)

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self):
        if self._iterable:
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        return (self._fetch(indices) for indices in self.batch_sampler)

    def _fetch(self, indices):
        dataset = self.dataset
        if self.collate_fn is default_collate and type(dataset) is TensorDataset:
            # The same batch default_collate would stack, gathered with one index per tensor.
            index = tensor(indices, dtype=_dtype.int64)
            return [t[index] for t in dataset.tensors]
        getitems = getattr(dataset, "__getitems__", None)
        samples = getitems(indices) if getitems else [dataset[i] for i in indices]
        return self.collate_fn(samples)

    def _iter_stream(self):
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)
