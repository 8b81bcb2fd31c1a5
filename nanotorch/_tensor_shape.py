"""Tensor's shape and indexing methods: views, joins, splits, ``t[key]``, gather/scatter.

Views share memory (and the version counter) with their base, as torch's do.
"""
from __future__ import annotations

from . import _dtype
from .autograd.grad_mode import state as _grad_state
from .ops import index as I, shape as S
from .ops._util import (as_scalar, broadcast_shapes, normalize_dim, normalize_dims, shape_arg,
                        tensor_type, wrap)

class ShapeMethods:
    """Mixin with Tensor's shape and indexing methods (the class is in ``tensor.py``)."""

    __slots__ = ()

    # --- shapes ------------------------------------------------------------------
    def view(self, *shape):
        """The same data seen with a new shape (no copy; -1 infers one dim)."""
        if len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type)):
            raise RuntimeError("view(dtype) is not supported; use .to(dtype)")
        return S.Reshape.apply(self, shape_arg(shape), True)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape(self, *shape):
        """A tensor with a new shape: a view when possible, else a copy."""
        shape = shape_arg(shape)
        if shape == self._data.shape:
            return self if not _grad_state.enabled or not self._requires_grad else \
                S.Reshape.apply(self, shape)
        return S.Reshape.apply(self, shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def permute(self, *dims):
        """Reorder dims: ``permute(2, 0, 1)``."""
        dims = shape_arg(dims, "dims")
        n = self._data.ndim
        if len(dims) != n:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                               f"not match the length of the desired ordering of dimensions i.e. "
                               f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
        dims = tuple(normalize_dim(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError(f"permute(): duplicate dims are not allowed, got {list(dims)}")
        return S.Permute.apply(self, dims)

    def transpose(self, dim0, dim1):
        """Swap two dims (a view)."""
        n = self._data.ndim
        d0, d1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
        order = list(range(n))
        order[d0], order[d1] = order[d1], order[d0]
        return S.Permute.apply(self, tuple(order))

    swapaxes = swapdims = transpose

    def t(self):
        """Transpose of a tensor of at most 2 dims."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self if self._data.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self):
        """All dims reversed."""
        return S.Permute.apply(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        """The last two dims swapped (a batch of matrix transposes)."""
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self):
        return self.mT.conj() if self.is_complex() else self.mT

    def conj(self):
        return self._unary_raw("conj") if self.is_complex() else self

    @property
    def real(self):
        return S.Real.apply(self) if self.is_complex() else self

    @property
    def imag(self):
        if not self.is_complex():
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return S.Imag.apply(self)

    def squeeze(self, dim=None):
        """Remove size-1 dims (all, or those in ``dim``)."""
        shape = self._data.shape
        if dim is None:
            dims = tuple(i for i, s in enumerate(shape) if s == 1)
        else:
            dims = tuple(d for d in normalize_dims(dim, self._data.ndim) if shape[d] == 1)
        if not dims:
            return self.view(shape) if self._requires_grad and _grad_state.enabled else self
        return S.Reshape.apply(self, tuple(s for i, s in enumerate(shape) if i not in dims))

    def unsqueeze(self, dim):
        """Insert a size-1 dim at ``dim``."""
        shape = list(self._data.shape)
        shape.insert(normalize_dim(dim, len(shape) + 1), 1)
        return S.Reshape.apply(self, tuple(shape))

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims ``start_dim..end_dim`` into one."""
        shape = self._data.shape
        if not shape:
            return self.reshape(1)
        s, e = normalize_dim(start_dim, len(shape)), normalize_dim(end_dim, len(shape))
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        merged = 1
        for size in shape[s:e + 1]:
            merged *= size
        return self.reshape(shape[:s] + (merged,) + shape[e + 1:])

    def unflatten(self, dim, sizes):
        """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
        shape = self._data.shape
        d = normalize_dim(dim, len(shape))
        sizes = tuple(sizes)
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        if -1 in sizes:
            sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
        elif known != shape[d]:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                               f"size of dim {dim} ({shape[d]}) in the input tensor")
        return self.reshape(shape[:d] + sizes + shape[d + 1:])

    def expand(self, *sizes):
        """Broadcast to ``sizes`` without copying; -1 keeps a dim."""
        sizes = shape_arg(sizes)
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(f"expand({self.dtype}{list(shape)}, size={list(sizes)}): the number "
                               f"of sizes provided ({len(sizes)}) must be greater or equal to the "
                               f"number of dimensions in the tensor ({len(shape)})")
        lead = len(sizes) - len(shape)
        target = []
        for i, s in enumerate(sizes):
            if s == -1:
                if i < lead:
                    raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
                s = shape[i - lead]
            elif i >= lead and shape[i - lead] not in (1, s):
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size "
                    f"({shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                    f"{list(sizes)}.  Tensor sizes: {list(shape)}")
            target.append(s)
        target = tuple(target)
        if target == shape:
            return self
        return S.Expand.apply(self, target)

    def expand_as(self, other):
        return self.expand(other.shape)

    def broadcast_to(self, *shape):
        return self.expand(*shape)

    def repeat(self, *sizes):
        """Tile the tensor ``sizes[i]`` times along each dim (copies)."""
        return S.Repeat.apply(self, shape_arg(sizes))

    def tile(self, *dims):
        dims = shape_arg(dims)
        dims = (1,) * (self._data.ndim - len(dims)) + dims
        return self.repeat(dims)

    def contiguous(self):
        """A C-contiguous tensor (self when already contiguous)."""
        if self._data.flags.c_contiguous:
            return self
        return S.Contiguous.apply(self)

    def clone(self):
        """A copy that stays in the graph."""
        return S.Clone.apply(self)

    def flip(self, *dims):
        """Reverse the order of elements along ``dims``."""
        dims = shape_arg(dims, "dims")
        return S.Flip.apply(self, normalize_dims(dims, self._data.ndim))

    def fliplr(self):
        return self.flip(1)

    def flipud(self):
        return self.flip(0)

    def narrow(self, dim, start, length):
        """The slice ``start:start+length`` of dim ``dim`` (a view)."""
        d = normalize_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if not -size <= start <= size:
            raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                             f"but got {start})")
        if start < 0:
            start += size
        if length < 0:
            raise RuntimeError(f"narrow(): length must be non-negative, got length={length}.")
        if start + length > size:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
        key = (slice(None),) * d + (slice(start, start + length),)
        return I.GetItem.apply(self, key)

    def split(self, split_size_or_sections, dim=0):
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes."""
        d = normalize_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step <= 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {size}" if step == 0 else
                                   f"split expects split_size be non-negative, but got split_size={step}")
            sections = [min(step, size - i) for i in range(0, size, step)] or [0]
        else:
            sections = list(split_size_or_sections)
            if sum(sections) != size:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                                   f"(input tensor's size at dimension {d}), but got "
                                   f"split_sizes={sections}")
        out, start = [], 0
        for length in sections:
            out.append(self.narrow(d, start, length))
            start += length
        return tuple(out)

    def chunk(self, chunks, dim=0):
        """Split into ``chunks`` pieces of equal size (the last may be smaller)."""
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self._data.shape[normalize_dim(dim, self._data.ndim)]
        return self.split(max(-(-size // chunks), 1), dim)

    def unbind(self, dim=0):
        """The slices along ``dim``, as a tuple of tensors with that dim removed."""
        d = normalize_dim(dim, self._data.ndim)
        return tuple(self.select(d, i) for i in range(self._data.shape[d]))

    def select(self, dim, index):
        d = normalize_dim(dim, self._data.ndim)
        return self[(slice(None),) * d + (index,)]

    def movedim(self, source, destination):
        """Move dim(s) ``source`` to position(s) ``destination``; the others keep their order."""
        n = self._data.ndim
        many = isinstance(source, (tuple, list))
        src = [normalize_dim(d, n) for d in (source if many else (source,))]
        dst = [normalize_dim(d, n) for d in
               (destination if isinstance(destination, (tuple, list)) else (destination,))]
        if len(src) != len(dst):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                f"contain the same number of dims as destination ({list(dst)} dims)")
        for name, dims in (("source", src), ("destination", dst)):
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
        rest = iter(i for i in range(n) if i not in src)
        placed = dict(zip(dst, src))
        return self.permute([placed[i] if i in placed else next(rest) for i in range(n)])

    moveaxis = movedim

    # --- indexing ----------------------------------------------------------------
    def __getitem__(self, key):
        key = I.normalize_key(key, self._data.shape, self._backend)
        return I.GetItem.apply(self, key)

    def __setitem__(self, key, value):
        key = I.normalize_key(key, self._data.shape, self._backend)
        T = tensor_type()
        if not isinstance(value, T):
            value = as_scalar(value, "value")
        elif value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)
        self._inplace(lambda old: I.IndexPut.apply(old, key, value), value)

    def gather(self, dim, index):
        """out[i][j] = self[index[i][j]][j] along ``dim`` (index has the same number of dims)."""
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("gather", self, d, index)
        return I.Gather.apply(self, d, index)

    def take_along_dim(self, indices, dim):
        return self.gather(dim, indices.expand(
            tuple(s if i != normalize_dim(dim, self.ndim) else indices.shape[i]
                  for i, s in enumerate(broadcast_shapes(self.shape, indices.shape)))))

    def index_select(self, dim, index):
        """Rows (or slices along ``dim``) at the positions in the 1-D ``index``."""
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if index._data.dtype.kind not in "iu":
            raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got "
                               f"{index.dtype}")
        d = normalize_dim(dim, self._data.ndim)
        return self[(slice(None),) * d + (index.reshape(-1),)]

    def masked_select(self, mask):
        if mask._data.dtype.kind != "b":
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
        return self.expand(broadcast_shapes(self.shape, mask.shape))[mask.expand(
            broadcast_shapes(self.shape, mask.shape))]

    def scatter_add(self, dim, index, src):
        """Copy of self with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("scatter_add", self, d, index)
        return I.ScatterAdd.apply(self, d, index, src)

    def scatter(self, dim, index, src=None, *, value=None):
        """Copy of self with ``src`` (or ``value``) written at ``index`` along ``dim``."""
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("scatter", self, d, index)
        if src is None:
            src = value
        if not isinstance(src, tensor_type()):
            src = as_scalar(src, "value")
        return I.Scatter.apply(self, d, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        d = normalize_dim(dim, self._data.ndim)
        I.check_index_add(self, d, index, source)
        key = (slice(None),) * d + (index._data,)
        return I.IndexPut.apply(self, key, source * alpha if alpha != 1 else source, True)

    def nonzero(self, *, as_tuple=False):
        idx = self._backend.nonzero(self._data)
        if as_tuple:
            return tuple(wrap(i.astype("int64"), self._backend) for i in idx)
        return wrap(self._backend.xp.stack(idx, axis=-1).astype("int64"), self._backend)
