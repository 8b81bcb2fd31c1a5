"""utils.data: datasets, samplers, the DataLoader's epochs, collation and random_split."""
import collections

import numpy as np
import pytest

import nanotorch
from nanotorch.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                  IterableDataset, RandomSampler, SequentialSampler, Subset,
                                  TensorDataset, default_collate, random_split)


def make_ds(n=10):
    return TensorDataset(nanotorch.arange(n * 2, dtype=nanotorch.float32).reshape(n, 2),
                         nanotorch.arange(n))


def test_tensor_dataset():
    ds = make_ds(4)
    assert len(ds) == 4
    x, y = ds[2]
    assert x.tolist() == [4.0, 5.0] and y.item() == 2
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(nanotorch.zeros(3), nanotorch.zeros(4))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (10, False), (1, False)])
def test_an_epoch_visits_every_sample_once(shuffle, batch_size, drop_last):
    ds = make_ds(10)
    loader = DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        generator=nanotorch.Generator().manual_seed(0))
    seen, sizes = [], []
    for x, y in loader:
        assert x.shape == (len(y), 2) and x.dtype == nanotorch.float32 and y.dtype == nanotorch.int64
        assert (x[:, 0] == 2 * y).all()  # rows stay paired
        seen += y.tolist()
        sizes.append(len(y))
    assert len(sizes) == len(loader)
    if drop_last:
        assert all(s == batch_size for s in sizes) and len(seen) == 10 // batch_size * batch_size
        assert len(set(seen)) == len(seen)
    else:
        assert sorted(seen) == list(range(10))
    if not shuffle:
        assert seen == sorted(seen)


def test_shuffle_is_seeded_and_changes_between_epochs():
    ds = make_ds(20)

    def order(loader):
        return [y.tolist() for _, y in loader]

    a = DataLoader(ds, batch_size=5, shuffle=True, generator=nanotorch.Generator().manual_seed(3))
    b = DataLoader(ds, batch_size=5, shuffle=True, generator=nanotorch.Generator().manual_seed(3))
    first = order(a)
    assert first == order(b)
    assert first != order(a)  # a new permutation each epoch
    nanotorch.manual_seed(7)
    c = order(DataLoader(ds, batch_size=5, shuffle=True))
    nanotorch.manual_seed(7)
    assert c == order(DataLoader(ds, batch_size=5, shuffle=True))


def test_empty_dataset():
    empty = make_ds(0)
    loader = DataLoader(empty, batch_size=4)
    assert len(loader) == 0 and list(loader) == []
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got "
                                         "num_samples=0"):
        DataLoader(empty, batch_size=4, shuffle=True)


def test_default_collate_structures():
    Point = collections.namedtuple("Point", "x y")
    batch = [{"a": nanotorch.zeros(2), "b": 1.5, "c": (1, "s"), "d": Point(1, 2), "e": [True]},
             {"a": nanotorch.ones(2), "b": 2.5, "c": (2, "t"), "d": Point(3, 4), "e": [False]}]
    out = default_collate(batch)
    assert out["a"].tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert out["b"].dtype == nanotorch.float64 and out["b"].tolist() == [1.5, 2.5]
    assert isinstance(out["c"], list) and out["c"][0].tolist() == [1, 2]
    assert out["c"][1] == ["s", "t"]
    assert isinstance(out["d"], Point) and out["d"].y.tolist() == [2, 4]
    assert out["e"][0].dtype == nanotorch.bool
    assert default_collate([np.zeros(2), np.ones(2)]).shape == (2, 2)
    assert default_collate([3, 4]).dtype == nanotorch.int64
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([None, None])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])


def test_tensor_dataset_fast_path_equals_default_collate():
    ds = make_ds(7)
    fast = list(DataLoader(ds, batch_size=3))
    slow = list(DataLoader(ds, batch_size=3, collate_fn=lambda b: default_collate(b)))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.equal(sx) and fy.equal(sy) and fx.dtype == sx.dtype


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"i": i, "sq": float(i * i)}


def test_custom_dataset_collate_fn_and_no_batching():
    out = list(DataLoader(Squares(), batch_size=2))
    assert [b["i"].tolist() for b in out] == [[0, 1], [2, 3], [4]]
    assert list(DataLoader(Squares(), batch_size=None))[3] == {"i": 3, "sq": 9.0}
    assert list(DataLoader(Squares(), batch_size=5, collate_fn=len)) == [5]


def test_samplers_and_option_conflicts():
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    rs = RandomSampler(range(5), replacement=True, num_samples=12,
                       generator=nanotorch.Generator().manual_seed(0))
    draws = list(rs)
    assert len(draws) == 12 and all(0 <= d < 5 for d in draws)
    more = list(RandomSampler(range(3), num_samples=7, generator=nanotorch.Generator()))
    assert len(more) == 7 and sorted(more[:6]) == [0, 0, 1, 1, 2, 2]
    bs = BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)
    assert list(bs) == [[0, 1], [2, 3]] and len(bs) == 2
    loader = DataLoader(make_ds(5), batch_sampler=bs)
    assert [y.tolist() for _, y in loader] == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(make_ds(), sampler=SequentialSampler(range(10)), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(make_ds(), batch_size=3, batch_sampler=bs)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(make_ds(), batch_size=0)


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(list(DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)


def test_random_split_subset_concat():
    ds = make_ds(10)
    g = nanotorch.Generator().manual_seed(0)
    a, b = random_split(ds, [7, 3], generator=g)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    x, y = a[0]
    assert y.item() == a.indices[0]
    again = random_split(ds, [7, 3], generator=nanotorch.Generator().manual_seed(0))
    assert again[0].indices == a.indices
    parts = random_split(range(10), [0.5, 0.3, 0.2], generator=g)
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(range(11), [0.5, 0.5], generator=g)
    assert [len(p) for p in parts] == [6, 5]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [5, 6])
    sub = Subset(ds, [9, 0])
    assert len(sub) == 2 and sub[0][1].item() == 9
    both = ds + Subset(ds, [1])
    assert isinstance(both, ConcatDataset) and len(both) == 11 and both[10][1].item() == 1
    assert both[-1][1].item() == 1
