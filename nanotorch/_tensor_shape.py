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
        """The same data seen with a new shape: ``(d0, ..., dn)`` -> ``shape`` (-1 infers one dim).

        Never copies: the result shares memory (and the version counter) with self,
        so the tensor must be laid out compatibly (else use :meth:`reshape`).

        >>> import nanotorch
        >>> x = nanotorch.arange(6)
        >>> x.view(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
        """
        if len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type)):
            raise RuntimeError("view(dtype) is not supported; use .to(dtype)")
        return S.Reshape.apply(self, shape_arg(shape), True)

    def view_as(self, other):
        """``view(other.shape)``: the same data with ``other``'s shape (no copy).

        >>> import nanotorch
        >>> nanotorch.arange(6).view_as(nanotorch.zeros(3, 2)).shape
        nanotorch.Size([3, 2])
        """
        return self.view(other.shape)

    def reshape(self, *shape):
        """A tensor with a new shape: ``(d0, ..., dn)`` -> ``shape`` (same numel; -1 infers one dim).

        A view when the memory layout allows, else a copy; differentiable either way.

        >>> import nanotorch
        >>> nanotorch.arange(6).reshape(3, 2)
        tensor([[0, 1],
                [2, 3],
                [4, 5]])
        """
        shape = shape_arg(shape)
        if shape == self._data.shape:
            return self if not _grad_state.enabled or not self._requires_grad else \
                S.Reshape.apply(self, shape)
        return S.Reshape.apply(self, shape)

    def reshape_as(self, other):
        """``reshape(other.shape)``.

        >>> import nanotorch
        >>> nanotorch.arange(4).reshape_as(nanotorch.zeros(2, 2)).shape
        nanotorch.Size([2, 2])
        """
        return self.reshape(other.shape)

    def permute(self, *dims):
        """Reorder dims: ``permute(2, 0, 1)`` maps ``(a, b, c)`` -> ``(c, a, b)`` (a view).

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3, 4).permute(2, 0, 1).shape
        nanotorch.Size([4, 2, 3])
        """
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
        """Swap dims ``dim0`` and ``dim1``: ``(.., a, .., b, ..)`` -> ``(.., b, .., a, ..)`` (a view).

        ``swapaxes`` and ``swapdims`` are aliases.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3, 4).transpose(0, 2).shape
        nanotorch.Size([4, 3, 2])
        """
        n = self._data.ndim
        d0, d1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
        order = list(range(n))
        order[d0], order[d1] = order[d1], order[d0]
        return S.Permute.apply(self, tuple(order))

    swapaxes = swapdims = transpose

    def t(self):
        """Transpose of a tensor of at most 2 dims: ``(m, n)`` -> ``(n, m)``; 0-d and 1-d as is.

        >>> import nanotorch
        >>> nanotorch.tensor([[1, 2, 3]]).t()
        tensor([[1],
                [2],
                [3]])
        """
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self if self._data.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self):
        """All dims reversed: ``(d0, ..., dn)`` -> ``(dn, ..., d0)`` (a view).

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3, 4).T.shape
        nanotorch.Size([4, 3, 2])
        """
        return S.Permute.apply(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        """The last two dims swapped: ``(*, m, n)`` -> ``(*, n, m)`` (batched matrix transpose, a view).

        >>> import nanotorch
        >>> nanotorch.zeros(5, 2, 3).mT.shape
        nanotorch.Size([5, 3, 2])
        """
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        """The conjugate transpose: ``T`` conjugated for complex tensors, ``T`` otherwise.

        >>> import nanotorch
        >>> nanotorch.tensor([[1 + 1j, 2j]]).H
        tensor([[1.-1.j],
                [0.-2.j]])
        """
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self):
        """The conjugate of ``mT``: ``(*, m, n)`` -> ``(*, n, m)``, conjugated for complex tensors.

        >>> import nanotorch
        >>> nanotorch.zeros(5, 2, 3).mH.shape
        nanotorch.Size([5, 3, 2])
        """
        return self.mT.conj() if self.is_complex() else self.mT

    def conj(self):
        """The complex conjugate (same shape); a real tensor is returned as is.

        >>> import nanotorch
        >>> nanotorch.tensor([1 + 2j]).conj()
        tensor([1.-2.j])
        """
        return self._unary_raw("conj") if self.is_complex() else self

    @property
    def real(self):
        """The real part of a complex tensor (same shape, the real dtype); a real tensor itself.

        >>> import nanotorch
        >>> nanotorch.tensor([1 + 2j]).real
        tensor([1.])
        """
        return S.Real.apply(self) if self.is_complex() else self

    @property
    def imag(self):
        """The imaginary part of a complex tensor (same shape); RuntimeError for real tensors.

        >>> import nanotorch
        >>> nanotorch.tensor([1 + 2j]).imag
        tensor([2.])
        """
        if not self.is_complex():
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return S.Imag.apply(self)

    def squeeze(self, dim=None):
        """Remove size-1 dims: all of them, or those among ``dim`` (an int or tuple) that have size 1.

        ``(2, 1, 3, 1)`` -> ``(2, 3)``; a view.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 1, 3, 1)
        >>> x.squeeze().shape, x.squeeze(1).shape
        (nanotorch.Size([2, 3]), nanotorch.Size([2, 3, 1]))
        """
        shape = self._data.shape
        if dim is None:
            dims = tuple(i for i, s in enumerate(shape) if s == 1)
        else:
            dims = tuple(d for d in normalize_dims(dim, self._data.ndim) if shape[d] == 1)
        if not dims:
            return self.view(shape) if self._requires_grad and _grad_state.enabled else self
        return S.Reshape.apply(self, tuple(s for i, s in enumerate(shape) if i not in dims))

    def unsqueeze(self, dim):
        """Insert a size-1 dim at ``dim``: ``(d0, ..., dn)`` -> ``(d0, ..., 1, ..., dn)`` (a view).

        Negative ``dim`` counts from the end of the result.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3)
        >>> x.unsqueeze(0).shape, x.unsqueeze(-1).shape
        (nanotorch.Size([1, 2, 3]), nanotorch.Size([2, 3, 1]))
        """
        shape = list(self._data.shape)
        shape.insert(normalize_dim(dim, len(shape) + 1), 1)
        return S.Reshape.apply(self, tuple(shape))

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims ``start_dim..end_dim`` into one: ``(2, 3, 4)`` -> ``(24,)`` (``(2, 12)`` from dim 1).

        A view when possible (see :meth:`reshape`); a 0-d tensor becomes ``(1,)``.

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3, 4)
        >>> x.flatten().shape, x.flatten(1).shape
        (nanotorch.Size([24]), nanotorch.Size([2, 12]))
        """
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
        """Split dim ``dim`` into ``sizes`` (one entry may be -1): ``(2, 12)`` -> ``(2, 3, 4)``.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 12).unflatten(1, (3, -1)).shape
        nanotorch.Size([2, 3, 4])
        """
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
        """Broadcast to ``sizes`` without copying; -1 keeps a dim: ``(3, 1)`` -> ``(3, 4)``.

        Only size-1 dims grow, and new dims are added in front. The result is a view
        whose repeated elements share memory: do not write into it.

        >>> import nanotorch
        >>> nanotorch.tensor([[1], [2]]).expand(-1, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
        """
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
        """``expand(other.shape)``: broadcast to ``other``'s shape (a view).

        >>> import nanotorch
        >>> nanotorch.zeros(3, 1).expand_as(nanotorch.zeros(2, 3, 4)).shape
        nanotorch.Size([2, 3, 4])
        """
        return self.expand(other.shape)

    def broadcast_to(self, *shape):
        """Broadcast to ``shape`` (a view); the same as :meth:`expand`.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2]).broadcast_to((2, 2))
        tensor([[1, 2],
                [1, 2]])
        """
        return self.expand(*shape)

    def repeat(self, *sizes):
        """Tile ``sizes[i]`` times along each dim (a copy): ``(a, b)``, ``repeat(r, s)`` -> ``(r*a, s*b)``.

        ``sizes`` may have more entries than the tensor has dims (leading ones are added).

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
        """
        return S.Repeat.apply(self, shape_arg(sizes))

    def tile(self, *dims):
        """Like :meth:`repeat`, but a ``dims`` shorter than the tensor's dims is padded with leading ones.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3).tile((2,)).shape
        nanotorch.Size([2, 6])
        """
        dims = shape_arg(dims)
        dims = (1,) * (self._data.ndim - len(dims)) + dims
        return self.repeat(dims)

    def contiguous(self):
        """A C-contiguous tensor with the same values (self when already contiguous, else a copy).

        >>> import nanotorch
        >>> x = nanotorch.zeros(2, 3).t()
        >>> x.is_contiguous(), x.contiguous().is_contiguous()
        (False, True)
        """
        if self._data.flags.c_contiguous:
            return self
        return S.Contiguous.apply(self)

    def clone(self):
        """A copy with its own memory that stays in the graph (gradients flow back to self).

        >>> import nanotorch
        >>> x = nanotorch.zeros(2)
        >>> y = x.clone(); y[0] = 1
        >>> x, y
        (tensor([0., 0.]), tensor([1., 0.]))
        """
        return S.Clone.apply(self)

    def flip(self, *dims):
        """Reverse the order of elements along ``dims`` (same shape, a copy).

        >>> import nanotorch
        >>> nanotorch.tensor([[1, 2], [3, 4]]).flip(1)
        tensor([[2, 1],
                [4, 3]])
        """
        dims = shape_arg(dims, "dims")
        return S.Flip.apply(self, normalize_dims(dims, self._data.ndim))

    def fliplr(self):
        """Reverse the columns (dim 1) of a tensor of at least 2 dims: ``flip(1)``.

        >>> import nanotorch
        >>> nanotorch.tensor([[1, 2, 3]]).fliplr()
        tensor([[3, 2, 1]])
        """
        return self.flip(1)

    def flipud(self):
        """Reverse the rows (dim 0): ``flip(0)``.

        >>> import nanotorch
        >>> nanotorch.tensor([1, 2, 3]).flipud()
        tensor([3, 2, 1])
        """
        return self.flip(0)

    def narrow(self, dim, start, length):
        """The slice ``start:start+length`` of dim ``dim`` (a view): that dim's size becomes ``length``.

        >>> import nanotorch
        >>> nanotorch.arange(6).reshape(2, 3).narrow(1, 1, 2)
        tensor([[1, 2],
                [4, 5]])
        """
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
        """Pieces along ``dim`` of ``split_size`` each (the last may be smaller), or of given sizes.

        Returns a tuple of views.

        >>> import nanotorch
        >>> [p.tolist() for p in nanotorch.arange(5).split(2)]
        [[0, 1], [2, 3], [4]]
        >>> [p.shape[1] for p in nanotorch.zeros(2, 5).split([1, 4], dim=1)]
        [1, 4]
        """
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
        """Split into ``chunks`` pieces of equal size along ``dim`` (the last may be smaller; views).

        May return fewer than ``chunks`` pieces, like torch.

        >>> import nanotorch
        >>> [p.tolist() for p in nanotorch.arange(6).chunk(3)]
        [[0, 1], [2, 3], [4, 5]]
        """
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        d = normalize_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if size == 0:  # torch: every chunk of nothing is an empty piece
            return tuple(self.narrow(d, 0, 0) for _ in range(chunks))
        return self.split(-(-size // chunks), dim)

    def unbind(self, dim=0):
        """The slices along ``dim`` as a tuple of views without that dim: ``(n, a)`` -> n x ``(a,)``.

        >>> import nanotorch
        >>> nanotorch.tensor([[1, 2], [3, 4]]).unbind(1)
        (tensor([1, 3]), tensor([2, 4]))
        """
        d = normalize_dim(dim, self._data.ndim)
        return tuple(self.select(d, i) for i in range(self._data.shape[d]))

    def select(self, dim, index):
        """The slice at ``index`` along ``dim``, that dim removed (a view): ``select(1, i)`` is ``t[:, i]``.

        >>> import nanotorch
        >>> nanotorch.tensor([[1, 2], [3, 4]]).select(1, 0)
        tensor([1, 3])
        """
        d = normalize_dim(dim, self._data.ndim)
        return self[(slice(None),) * d + (index,)]

    def movedim(self, source, destination):
        """Move dim(s) ``source`` to position(s) ``destination``; the others keep their order (a view).

        ``moveaxis`` is an alias.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3, 4).movedim(0, -1).shape
        nanotorch.Size([3, 4, 2])
        """
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
        out = I.GetItem.apply(self, key)
        if out._data.base is not None and I.is_basic(key):  # a view: in-place ops write through
            out._view_of = (self, key)
        return out

    def __setitem__(self, key, value):
        key = I.normalize_key(key, self._data.shape, self._backend)
        T = tensor_type()
        if not isinstance(value, T):
            value = as_scalar(value, "value")
        elif value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)
        self._inplace(lambda old: I.IndexPut.apply(old, key, value), value)

    def gather(self, dim, index):
        """``out[i][j] = self[index[i][j]][j]`` for ``dim=0`` (likewise other dims); ``index``'s shape.

        ``index`` is int64 with as many dims as self. Differentiable in self (the
        gradient scatters back, adding at repeated indices).

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1, 2], [3, 4]])
        >>> x.gather(1, nanotorch.tensor([[1], [0]]))
        tensor([[2],
                [3]])
        """
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("gather", self, d, index)
        return I.Gather.apply(self, d, index)

    def take_along_dim(self, indices, dim):
        """Values at ``indices`` along ``dim``: :meth:`gather` with ``indices`` broadcast against self.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[10, 30, 20], [60, 40, 50]])
        >>> x.take_along_dim(x.argmax(1, keepdim=True), 1)
        tensor([[30],
                [60]])
        """
        d = normalize_dim(dim, self.ndim)
        size = self._data.shape[d]
        indices = indices.where(indices >= 0, indices + size)  # torch counts -1 from the end here
        return self.gather(d, indices.expand(
            tuple(s if i != d else indices.shape[i]
                  for i, s in enumerate(broadcast_shapes(self.shape, indices.shape)))))

    def index_select(self, dim, index):
        """The slices along ``dim`` at the positions in the 1-D integer ``index`` (a copy).

        That dim's size becomes ``len(index)``: ``(n, a)`` with ``dim=0`` -> ``(len(index), a)``.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1, 2], [3, 4], [5, 6]])
        >>> x.index_select(0, nanotorch.tensor([2, 0]))
        tensor([[5, 6],
                [1, 2]])
        """
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if index._data.dtype.kind not in "iu":
            raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got "
                               f"{index.dtype}")
        d = normalize_dim(dim, self._data.ndim)
        I.check_index_range(index, self._data.shape[d])
        # the op itself: indexing would check the range again (on a GPU, two more host reads)
        return I.GetItem.apply(self, (slice(None),) * d + (index._data.reshape(-1),))

    def masked_select(self, mask):
        """The elements where the bool ``mask`` (broadcast against self) is True, as a 1-D tensor.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[1, -2], [-3, 4]])
        >>> x.masked_select(x > 0)
        tensor([1, 4])
        """
        if mask._data.dtype.kind != "b":
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
        return self.expand(broadcast_shapes(self.shape, mask.shape))[mask.expand(
            broadcast_shapes(self.shape, mask.shape))]

    def scatter_add(self, dim, index, src):
        """Copy of self with ``src`` added at ``index`` along ``dim`` (repeats accumulate); self's shape.

        For ``dim=0``: ``out[index[i][j]][j] += src[i][j]``. The inverse of :meth:`gather`.

        >>> import nanotorch
        >>> nanotorch.zeros(3).scatter_add(0, nanotorch.tensor([0, 2, 0]), nanotorch.ones(3))
        tensor([2., 0., 1.])
        """
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("scatter_add", self, d, index)
        return I.ScatterAdd.apply(self, d, index, src)

    def scatter(self, dim, index, src=None, *, value=None):
        """Copy of self with ``src`` (or the number ``value``) written at ``index`` along ``dim``.

        For ``dim=0``: ``out[index[i][j]][j] = src[i][j]``; same shape as self.

        >>> import nanotorch
        >>> nanotorch.zeros(2, 3).scatter(1, nanotorch.tensor([[2], [0]]), value=1.0)
        tensor([[0., 0., 1.],
                [1., 0., 0.]])
        """
        d = normalize_dim(dim, self._data.ndim)
        I.check_gather("scatter", self, d, index)
        if src is None:
            src = value
        if not isinstance(src, tensor_type()):
            src = as_scalar(src, "value")
        return I.Scatter.apply(self, d, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        """Copy of self with ``alpha * source`` added at the positions ``index`` along ``dim``.

        ``source`` has self's shape except ``len(index)`` along ``dim``; repeated
        indices accumulate.

        >>> import nanotorch
        >>> nanotorch.zeros(3, 2).index_add(0, nanotorch.tensor([0, 0]), nanotorch.ones(2, 2))
        tensor([[2., 2.],
                [0., 0.],
                [0., 0.]])
        """
        d = normalize_dim(dim, self._data.ndim)
        I.check_index_add(self, d, index, source)
        key = (slice(None),) * d + (index._data,)
        return I.IndexPut.apply(self, key, source * alpha if alpha != 1 else source, True)

    def nonzero(self, *, as_tuple=False):
        """Indices of the nonzero elements: int64 ``(count, ndim)``, or with ``as_tuple`` one 1-D per dim.

        >>> import nanotorch
        >>> x = nanotorch.tensor([[0, 1], [2, 0]])
        >>> x.nonzero()
        tensor([[0, 1],
                [1, 0]])
        >>> x.nonzero(as_tuple=True)
        (tensor([0, 1]), tensor([1, 0]))
        """
        idx = self._backend.nonzero(self._data)
        if as_tuple:
            return tuple(wrap(i.astype("int64"), self._backend) for i in idx)
        return wrap(self._backend.xp.stack(idx, axis=-1).astype("int64"), self._backend)
