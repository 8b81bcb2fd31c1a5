"""The error catalogue: bad calls across the public API get torch's exception type and a message
that names the argument and the values involved, never a bare numpy traceback.

Each row of ``CASES`` is (id, bad call, torch's exception type, regex the message must match).
The exception types were checked against torch 2.13; where nanotorch's message differs in
wording, the regex pins the parts a user needs (the argument, the sizes, the dims).
"""
import os
import re
import subprocess
import sys
import traceback

import numpy as np
import pytest

import nanotorch as T
from nanotorch import backends, nn, optim
from nanotorch.nn import functional as F
from nanotorch.utils.data import DataLoader, TensorDataset
from nanotorch.backends import BackendUnavailable, NumpyBackend


def ones(*shape):
    return T.ones(*shape)


def _backward_twice():
    x = T.ones(3, requires_grad=True)
    y = x.exp().sum()
    y.backward()
    y.backward()


def _saved_input_modified():
    x = T.ones(3, requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y.add_(1)
    z.sum().backward()


def _saved_output_modified():
    x = T.ones(3, requires_grad=True)
    z = (x * 2).sigmoid()  # saves its output
    z.mul_(2)
    z.sum().backward()


def _view_of_nonleaf_modified():
    """A view made by indexing writes through to its base; a transposed one cannot (yet)."""
    x = T.ones(2, 3, requires_grad=True)
    y = x * 2
    y.t().mul_(3)


def _grad_unused():
    x, w = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    T.autograd.grad((x * 2).sum(), [x, w])


class _FakeCuda(NumpyBackend):
    """A numpy backend that reports itself as ``cuda:0``: exercises the real device checks
    (which compare backends and devices) on a machine without a GPU."""

    name = "fakecuda"
    device_type = "cuda"

    def device_of(self, array):
        return T.device("cuda:0")


def _on_fake_cuda(*shape):
    return T.Tensor._wrap(np.ones(shape, dtype=np.float32), _FakeCuda())


SAME_DEVICE = r"Expected all tensors to be on the same device, but found at least two devices, " \
              r"(cpu and cuda:0|cuda:0 and cpu)"
BCAST = r"The size of tensor a \({}\) must match the size of tensor b \({}\) at non-singleton " \
        r"dimension {}"
DIM = r"Dimension out of range \(expected to be in range of \[{}, {}\], but got {}\)"
NEG = r"Trying to create tensor with negative dimension {}: \[{}\]"

CASES = [
    # --- shapes that do not broadcast ---------------------------------------------------------
    ("add_bcast", lambda: ones(2, 3) + ones(4, 3), RuntimeError, BCAST.format(2, 4, 0)),
    ("mul_bcast", lambda: T.mul(ones(2, 3), ones(2)), RuntimeError, BCAST.format(3, 2, r"\d")),
    ("sub_bcast", lambda: ones(3) - ones(4), RuntimeError, BCAST.format(3, 4, 0)),
    ("div_bcast", lambda: ones(3) / ones(4), RuntimeError, BCAST.format(3, 4, 0)),
    ("pow_bcast", lambda: ones(3) ** ones(2), RuntimeError, BCAST.format(3, 2, 0)),
    ("maximum_bcast", lambda: T.maximum(ones(3), ones(5)), RuntimeError, BCAST.format(3, 5, 0)),
    ("compare_bcast", lambda: ones(3) >= ones(4), RuntimeError, BCAST.format(3, 4, 0)),
    ("where_bcast", lambda: T.where(T.tensor([True, False]), ones(3), ones(3)), RuntimeError,
     BCAST.format(2, 3, 0)),
    ("masked_fill_bcast", lambda: ones(2, 3).masked_fill(T.ones(4, dtype=T.bool), 0.0),
     RuntimeError, BCAST.format(4, 3, 1)),
    ("inplace_bcast", lambda: ones(3).mul_(ones(2, 3)), RuntimeError,
     r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"),
    ("expand_bad", lambda: ones(2, 3).expand(4, 3), RuntimeError,
     r"expanded size of the tensor \(4\) must match the existing size \(2\) at non-singleton "
     r"dimension 0.*Target sizes: \[4, 3\].*Tensor sizes: \[2, 3\]"),
    ("expand_too_few", lambda: ones(2, 3).expand(3), RuntimeError,
     r"number of sizes provided \(1\) must be greater or equal to the number of dimensions in "
     r"the tensor \(2\)"),
    ("broadcast_to", lambda: T.broadcast_to(ones(3), (2, 4)), RuntimeError,
     r"expanded size of the tensor \(4\) must match the existing size \(3\)"),
    ("broadcast_shapes", lambda: T.broadcast_shapes((2, 3), (4, 3)), RuntimeError,
     BCAST.format(2, 4, 0)),
    # --- matmul mismatches --------------------------------------------------------------------
    ("matmul_2d", lambda: ones(2, 3) @ ones(4, 3), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x3\)"),
    ("mm", lambda: T.mm(ones(2, 3), ones(2, 3)), RuntimeError, r"\(2x3 and 2x3\)"),
    ("mm_not_2d", lambda: T.mm(ones(3), ones(3, 2)), RuntimeError, r"2D.*got 1D"),
    ("bmm_inner", lambda: T.bmm(ones(2, 2, 3), ones(2, 4, 3)), RuntimeError,
     r"\[2, 2, 3\] and \[2, 4, 3\].*3.*4"),
    ("bmm_batch", lambda: T.bmm(ones(2, 2, 3), ones(3, 3, 3)), RuntimeError, r"2 and 3"),
    ("bmm_not_3d", lambda: T.bmm(ones(2, 3), ones(3, 2)), RuntimeError, r"3D tensors.*2D"),
    ("matmul_batch", lambda: T.matmul(ones(2, 2, 3), ones(3, 3, 2)), RuntimeError,
     BCAST.format(2, 3, 0)),
    ("matmul_1d", lambda: T.matmul(ones(3), ones(4)), RuntimeError, r"\[3\] and \[4\]"),
    ("matmul_vec_mat", lambda: ones(3) @ ones(2, 4), RuntimeError, r"\[3\] and \[2, 4\].*3.*2"),
    ("matmul_0d", lambda: T.matmul(T.tensor(1.0), ones(3)), RuntimeError,
     r"both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    ("mv", lambda: T.mv(ones(2, 3), ones(2)), RuntimeError, r"\[2, 3\] and \[2\]"),
    ("dot_size", lambda: T.dot(ones(3), ones(4)), RuntimeError,
     r"expected tensor \[3\] and src \[4\] to have the same number of elements"),
    ("dot_2d", lambda: T.dot(ones(3, 1), ones(3)), RuntimeError,
     r"1D tensors expected, but got 2D and 1D tensors"),
    ("outer_2d", lambda: T.outer(ones(2, 2), ones(2)), RuntimeError, r"outer.*1D.*2D"),
    # --- bad dims -----------------------------------------------------------------------------
    ("sum_dim", lambda: ones(2, 3).sum(dim=2), IndexError, DIM.format(-2, 1, 2)),
    ("sum_negdim", lambda: ones(2, 3).sum(dim=-3), IndexError, DIM.format(-2, 1, -3)),
    ("sum_repeated_dim", lambda: ones(2, 3).sum((0, 0)), RuntimeError,
     r"dim .*0.* appears multiple times in the list of dims"),
    ("sum_float_dim", lambda: ones(2, 3).sum(dim=1.0), TypeError, r"dim.*float"),
    ("mean_dim", lambda: ones(2, 3).mean(5), IndexError, DIM.format(-2, 1, 5)),
    ("softmax_dim", lambda: T.softmax(ones(2, 3), dim=2), IndexError, DIM.format(-2, 1, 2)),
    ("log_softmax_dim", lambda: T.log_softmax(ones(4), dim=1), IndexError, DIM.format(-1, 0, 1)),
    ("logsumexp_dim", lambda: T.logsumexp(ones(2, 3), dim=3), IndexError, DIM.format(-2, 1, 3)),
    ("transpose_dim", lambda: ones(2, 3).transpose(0, 2), IndexError, DIM.format(-2, 1, 2)),
    ("unsqueeze_dim", lambda: ones(2, 3).unsqueeze(3), IndexError, DIM.format(-3, 2, 3)),
    ("squeeze_dim", lambda: ones(2, 3).squeeze(4), IndexError, DIM.format(-2, 1, 4)),
    ("cat_dim", lambda: T.cat([ones(2, 3), ones(2, 3)], dim=2), IndexError, DIM.format(-2, 1, 2)),
    ("cumsum_dim", lambda: T.cumsum(ones(2), dim=1), IndexError, DIM.format(-1, 0, 1)),
    ("flip_dim", lambda: T.flip(ones(2), (1,)), IndexError, DIM.format(-1, 0, 1)),
    ("size_dim", lambda: ones(2, 3).size(2), IndexError, DIM.format(-2, 1, 2)),
    ("gather_dim", lambda: T.gather(ones(2, 3), 2, T.tensor([[0]])), IndexError,
     DIM.format(-2, 1, 2)),
    ("unbind_dim", lambda: T.unbind(ones(2), 1), IndexError, DIM.format(-1, 0, 1)),
    ("movedim_repeated", lambda: T.movedim(ones(2, 3), (0, 1), (0, 0)), RuntimeError,
     r"movedim: repeated dim in `destination` \(\[0, 0\]\)"),
    ("movedim_count", lambda: T.movedim(ones(2, 3), (0, 1), (0,)), RuntimeError,
     r"source \(\[0, 1\] dims\) should contain the same number of dims as destination"),
    ("permute_len", lambda: ones(2, 3).permute(0), RuntimeError,
     r"input.dim\(\) = 2 is not equal to len\(dims\) = 1"),
    ("permute_repeated", lambda: ones(2, 3).permute(0, 0), RuntimeError, r"duplicate dims"),
    ("flatten_order", lambda: ones(2, 3).flatten(1, 0), RuntimeError,
     r"start_dim cannot come after end_dim"),
    # --- shapes that do not fit ---------------------------------------------------------------
    ("reshape_numel", lambda: ones(2, 3).reshape(4, 2), RuntimeError,
     r"shape '\[4, 2\]' is invalid for input of size 6"),
    ("view_numel", lambda: ones(2, 3).view(7), RuntimeError,
     r"shape '\[7\]' is invalid for input of size 6"),
    ("reshape_two_inferred", lambda: ones(2, 3).reshape(-1, -1), RuntimeError,
     r"only one dimension can be inferred"),
    ("view_noncontiguous", lambda: ones(2, 3).t().view(6), RuntimeError,
     r"view size is not compatible with input tensor's size and stride.*reshape"),
    ("reshape_float_size", lambda: ones(4).reshape(2.0, 2), TypeError, r"float.*2\.0"),
    ("unflatten_sizes", lambda: ones(2, 6).unflatten(1, (4, 2)), RuntimeError,
     r"Provided sizes \[4, 2\] don't multiply up to the size of dim 1 \(6\)"),
    ("cat_sizes", lambda: T.cat([ones(2, 3), ones(2, 4)], dim=0), RuntimeError,
     r"Expected size 3 but got size 4 for tensor number 1"),
    ("cat_ndim", lambda: T.cat([ones(2, 3), ones(3)]), RuntimeError,
     r"same number of dimensions: got 2 and 1"),
    ("cat_empty", lambda: T.cat([]), ValueError, r"cat\(\): expected a non-empty list of Tensors"),
    ("stack_sizes", lambda: T.stack([ones(2, 3), ones(3, 2)]), RuntimeError,
     r"equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1"),
    ("stack_empty", lambda: T.stack([]), RuntimeError, r"stack.*non-empty"),
    ("split_sizes", lambda: T.split(ones(5), [2, 2]), RuntimeError,
     r"split_sizes to sum exactly to 5.*split_sizes=\[2, 2\]"),
    ("split_zero", lambda: ones(2, 3).split(0), RuntimeError,
     r"split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    ("chunk_zero", lambda: ones(2, 3).chunk(0), RuntimeError, r"`chunks` to be greater than 0, got: 0"),
    ("narrow_past_end", lambda: ones(2, 3).narrow(1, 2, 3), RuntimeError,
     r"start \(2\) \+ length \(3\) exceeds dimension size \(3\)"),
    ("narrow_negative_length", lambda: ones(3).narrow(0, 0, -1), RuntimeError,
     r"length must be non-negative.*-1"),
    ("narrow_start", lambda: ones(3).narrow(0, 4, 0), IndexError,
     r"start out of range \(expected to be in range of \[-3, 3\], but got 4\)"),
    ("repeat_too_few", lambda: ones(2, 3).repeat(2), RuntimeError,
     r"repeat dims can not be smaller than number of dimensions"),
    ("repeat_negative", lambda: ones(2, 3).repeat(-1, 1), RuntimeError, NEG.format(-2, "-2, 3")),
    # --- out-of-range and float indices, wrong index dtypes -----------------------------------
    ("index_oob", lambda: ones(2, 3)[5], IndexError,
     r"index 5 is out of bounds for dimension 0 with size 2"),
    ("index_oob_negative", lambda: ones(2, 3)[-3], IndexError,
     r"index -3 is out of bounds for dimension 0 with size 2"),
    ("index_oob_dim1", lambda: ones(2, 3)[:, 3], IndexError,
     r"index 3 is out of bounds for dimension 1 with size 3"),
    ("index_tensor_oob", lambda: ones(2, 3)[T.tensor([0, 7])], IndexError,
     r"index 7 is out of bounds for dimension 0 with size 2"),
    ("index_too_many", lambda: ones(2, 3)[0, 0, 0], IndexError,
     r"too many indices for tensor of dimension 2"),
    ("index_float", lambda: ones(2, 3)[1.5], IndexError,
     r"only integers, slices.*are valid indices \(got float"),
    ("index_float_tensor", lambda: ones(2, 3)[T.tensor([0.0, 1.0])], IndexError,
     r"tensors used as indices must be long, int, byte or bool tensors"),
    ("index_mask_shape", lambda: ones(2, 3)[T.tensor([True, False, True])], IndexError,
     r"shape of the mask \[3\] at index 0 does not match the shape of the indexed tensor \[2"),
    ("setitem_oob", lambda: ones(2, 3).__setitem__(4, 0.0), IndexError,
     r"index 4 is out of bounds for dimension 0 with size 2"),
    ("select_oob", lambda: ones(2, 3).select(1, 3), IndexError, r"index 3 .*dimension 1.*size 3"),
    ("index_select_oob", lambda: T.index_select(ones(2, 3), 0, T.tensor([4])), IndexError,
     r"index out of range in self"),
    ("index_select_dtype", lambda: T.index_select(ones(2, 3), 0, T.tensor([0.0])), RuntimeError,
     r"index_select\(\): Expected dtype int32 or int64 for index, got nanotorch.float32"),
    ("index_select_2d", lambda: T.index_select(ones(2, 3), 0, T.tensor([[0]])), IndexError,
     r"Index is supposed to be a vector"),
    ("gather_dtype", lambda: T.gather(ones(2, 3), 1, T.tensor([[0.0]])), RuntimeError,
     r"gather\(\): Expected dtype int.*for index"),
    ("gather_oob", lambda: T.gather(ones(2, 3), 1, T.tensor([[3]])), RuntimeError,
     r"index 3 is out of bounds for dimension 1 with size 3"),
    ("gather_ndim", lambda: T.gather(ones(2, 3), 1, T.tensor([0])), RuntimeError,
     r"Index tensor must have the same number of dimensions as input tensor"),
    ("scatter_dtype", lambda: T.zeros(3).scatter(0, T.tensor([0.5]), T.ones(1)), RuntimeError,
     r"scatter\(\): Expected dtype int.*for index"),
    ("take_along_dim_dtype", lambda: T.take_along_dim(ones(2, 3), T.tensor([[0.0]]), 1),
     RuntimeError, r"dtype.*int"),
    ("index_add_dtype", lambda: T.zeros(3, 2).index_add(0, T.tensor([0.0]), T.ones(1, 2)),
     RuntimeError, r"index_add_\(\): Expected dtype int32/int64 for index but got: nanotorch.float32"),
    ("index_add_shape", lambda: T.zeros(3, 2).index_add(0, T.tensor([0]), T.ones(1, 3)),
     RuntimeError, r"self.shape = \[3, 2\] source.shape = \[1, 3\]"),
    ("index_add_count", lambda: T.zeros(3, 2).index_add(0, T.tensor([0, 1]), T.ones(1, 2)),
     RuntimeError, r"Number of indices \(2\) should be equal to source.size\(dim\): \(1\)"),
    ("index_add_oob", lambda: T.zeros(3, 2).index_add(0, T.tensor([5]), T.ones(1, 2)),
     IndexError, r"index out of range in self"),
    ("masked_fill_dtype", lambda: ones(2, 3).masked_fill(T.ones(2, 3), 0.0), RuntimeError,
     r"only supports boolean masks, but got mask with dtype nanotorch.float32"),
    ("masked_select_dtype", lambda: T.masked_select(ones(2), T.tensor([1, 0])), RuntimeError,
     r"masked_select: expected BoolTensor for mask, got nanotorch.int64"),
    ("where_condition_dtype", lambda: T.where(T.tensor([1.0, 0.0]), ones(2), ones(2)),
     RuntimeError, r"where expected condition to be a boolean tensor, but got a tensor with "
                   r"dtype nanotorch.float32"),
    # --- wrong dtypes -------------------------------------------------------------------------
    ("int_requires_grad", lambda: T.tensor([1, 2], requires_grad=True), RuntimeError,
     r"floating point and complex dtype can require gradients \(got nanotorch.int64\)"),
    ("int_requires_grad_", lambda: T.tensor([1, 2]).requires_grad_(), RuntimeError,
     r"can require gradients \(got nanotorch.int64\)"),
    ("mean_int", lambda: T.tensor([1, 2]).mean(), RuntimeError,
     r"mean\(\): could not infer output dtype.*Got: "),
    ("var_int", lambda: T.tensor([1, 2]).var(), RuntimeError,
     r"std and var only support floating point and complex dtypes, got nanotorch.int64"),
    ("std_int", lambda: T.tensor([1, 2]).std(), RuntimeError, r"std and var.*nanotorch.int64"),
    ("norm_int", lambda: T.tensor([1, 2]).norm(), RuntimeError,
     r"Expected a floating point or complex tensor as input. Got nanotorch.int64"),
    ("int_negative_pow", lambda: T.tensor([2]) ** -1, RuntimeError,
     r"Integers to negative integer powers are not allowed"),
    ("bitwise_float", lambda: ones(2) & ones(2), NotImplementedError,
     r"bitwise_and.*integer and bool.*float32"),
    ("invert_float", lambda: ~ones(2), TypeError, r"bitwise_not.*integer and bool.*float32"),
    ("inplace_cast", lambda: T.ones(3, dtype=T.int64).add_(T.ones(3)), RuntimeError,
     r"result type Float can.t be cast to the desired output type (Long|Int64)"),
    ("default_dtype_int", lambda: T.set_default_dtype(T.int64), TypeError,
     r"only floating-point types are supported as the default type, got nanotorch.int64"),
    ("dtype_name", lambda: T.ones(2, dtype="float33"), TypeError, r"dtype.*'float33'"),
    ("add_str", lambda: ones(2) + "a", TypeError, r"must be a Tensor or a number, not str"),
    ("mul_none", lambda: ones(2) * None, TypeError, r"must be a Tensor or a number, not NoneType"),
    # --- autograd misuse ----------------------------------------------------------------------
    ("backward_nonscalar", lambda: (T.ones(3, requires_grad=True) * 2).backward(), RuntimeError,
     r"grad can be implicitly created only for scalar outputs \(got an output of shape \[3\]\)"),
    ("backward_no_grad", lambda: T.ones(3).sum().backward(), RuntimeError,
     r"element 0 of tensors does not require grad and does not have a grad_fn"),
    ("backward_twice", _backward_twice, RuntimeError,
     r"Trying to backward through the graph a second time.*retain_graph=True"),
    ("backward_grad_shape", lambda: (T.ones(3, requires_grad=True) * 2).backward(T.ones(4)),
     RuntimeError, r"grad_output\[0\] has a shape of \[4\] and output\[0\] has a shape of \[3\]"),
    ("inplace_leaf", lambda: T.ones(3, requires_grad=True).add_(1), RuntimeError,
     r"a leaf Variable that requires grad is being used in an in-place operation"),
    ("inplace_leaf_setitem", lambda: T.ones(3, requires_grad=True).__setitem__(0, 1.0),
     RuntimeError, r"leaf Variable that requires grad is being used in an in-place operation"),
    ("inplace_view_of_leaf", lambda: T.ones(3, requires_grad=True)[0:2].mul_(2), RuntimeError,
     r"a view of a leaf Variable that requires grad is being used in an in-place operation"),
    ("inplace_view_of_nonleaf", _view_of_nonleaf_modified, RuntimeError,
     r"in-place operation on a view of a tensor made by MulBackward0"),
    ("saved_input_modified", _saved_input_modified, RuntimeError,
     r"modified by an inplace operation: \[nanotorch.float32 \[3\]\], which is saved by "
     r"MulBackward0, is at version 1"),
    ("saved_output_modified", _saved_output_modified, RuntimeError,
     r"saved by SigmoidBackward0, is at version 1"),
    ("nonleaf_requires_grad_false",
     lambda: setattr(T.ones(2, requires_grad=True) * 2, "requires_grad", False), RuntimeError,
     r"you can only change requires_grad flags of leaf variables"),
    ("numpy_requires_grad", lambda: T.ones(2, requires_grad=True).numpy(), RuntimeError,
     r"Can't call numpy\(\) on Tensor that requires grad.*detach\(\)"),
    ("grad_unused", _grad_unused, RuntimeError,
     r"\(input 1\) appears to not have been used in the graph.*allow_unused=True"),
    ("grad_input_no_grad", lambda: T.autograd.grad(T.ones(2, requires_grad=True).sum(), T.ones(2)),
     RuntimeError, r"differentiated Tensors \(input 0\) does not require grad"),
    ("grad_outputs_not_tensor", lambda: T.autograd.grad(1.0, T.ones(1, requires_grad=True)),
     TypeError, r"outputs must be tensors, got float"),
    ("retain_grad_no_grad", lambda: T.ones(2).retain_grad(), RuntimeError,
     r"can't retain_grad on Tensor that has requires_grad=False"),
    ("hook_no_grad", lambda: T.ones(2).register_hook(lambda g: g), RuntimeError,
     r"cannot register a hook on a tensor that doesn't require gradient"),
    # --- conversions --------------------------------------------------------------------------
    ("item_many", lambda: ones(2).item(), RuntimeError,
     r"a Tensor with 2 elements cannot be converted to Scalar"),
    ("item_empty", lambda: T.ones(0).item(), RuntimeError,
     r"a Tensor with 0 elements cannot be converted to Scalar"),
    ("bool_many", lambda: bool(ones(2)), RuntimeError,
     r"Boolean value of Tensor with more than one value is ambiguous"),
    ("len_0d", lambda: len(T.tensor(1.0)), TypeError, r"len\(\) of a 0-d tensor"),
    ("iter_0d", lambda: iter(T.tensor(1.0)), TypeError, r"iteration over a 0-d tensor"),
    ("to_bad", lambda: ones(2).to(3.5), TypeError, r"to\(\) received an invalid argument: 3.5"),
    # --- factories ----------------------------------------------------------------------------
    ("tensor_ragged", lambda: T.tensor([[1, 2], [3]]), ValueError,
     r"expected sequence of length 2 at dim 1 \(got 1\)"),
    ("tensor_ragged_deep", lambda: T.tensor([[[1], [2]], [[3], [4, 5]]]), ValueError,
     r"expected sequence of length 1 at dim 2 \(got 2\)"),
    ("tensor_none", lambda: T.tensor([1, None]), TypeError, r"list holding objects"),
    ("tensor_str", lambda: T.tensor("abc"), TypeError, r"tensor data must be numbers"),
    ("from_numpy_list", lambda: T.from_numpy([1.0]), TypeError, r"expected np.ndarray \(got list\)"),
    ("zeros_negative", lambda: T.zeros(-1), RuntimeError, NEG.format(-1, "-1")),
    ("ones_negative", lambda: T.ones(2, -1), RuntimeError, NEG.format(-1, "2, -1")),
    ("full_negative", lambda: T.full((2, -1), 1.0), RuntimeError, NEG.format(-1, "2, -1")),
    ("rand_negative", lambda: T.rand(-2), RuntimeError, NEG.format(-2, "-2")),
    ("randn_negative", lambda: T.randn(2, -3), RuntimeError, NEG.format(-3, "2, -3")),
    ("randint_negative", lambda: T.randint(0, 5, (-1,)), RuntimeError, NEG.format(-1, "-1")),
    ("randperm_negative", lambda: T.randperm(-1), RuntimeError, NEG.format(-1, "-1")),
    ("eye_negative", lambda: T.eye(-1), RuntimeError, r"n must be greater or equal to 0, got -1"),
    ("zeros_float_size", lambda: T.zeros(2.5), TypeError, r"tuple of ints.*float.*2.5"),
    ("arange_step_zero", lambda: T.arange(0, 5, 0), RuntimeError, r"step must be nonzero"),
    ("arange_step_sign", lambda: T.arange(0, 5, -1), RuntimeError,
     r"bound inconsistent with step sign \(start=0, end=5, step=-1\)"),
    ("linspace_negative", lambda: T.linspace(0, 1, -1), RuntimeError,
     r"number of steps must be non-negative, got steps=-1"),
    ("randint_range", lambda: T.randint(5, 2, (3,)), RuntimeError,
     r"'from' to be less than 'to', but got from=5 >= to=2"),
    ("manual_seed_str", lambda: T.manual_seed("a"), ValueError, r"invalid literal for int\(\).*'a'"),
    # --- reductions of nothing ----------------------------------------------------------------
    ("max_empty", lambda: T.ones(0).max(), RuntimeError,
     r"max\(\): Expected reduction dim to be specified for input.numel\(\) == 0"),
    ("argmax_empty", lambda: T.ones(0).argmax(), IndexError,
     r"argmax\(\): Expected reduction dim to be specified for input.numel\(\) == 0"),
    ("amax_empty_dim", lambda: T.ones(0, 3).amax(0), IndexError,
     r"amax\(\): Expected reduction dim 0 to have non-zero size"),
    ("clamp_no_bounds", lambda: T.clamp(ones(2)), RuntimeError,
     r"At least one of 'min' or 'max' must not be None"),
    # --- devices ------------------------------------------------------------------------------
    ("device_type", lambda: T.device("tpu"), RuntimeError,
     r"Expected one of cpu, cuda.* device type at start of device string: tpu"),
    ("device_index", lambda: T.device("cuda:x"), RuntimeError, r"Invalid device string: 'cuda:x'"),
    ("mixed_devices_add", lambda: ones(3) + _on_fake_cuda(3), RuntimeError, SAME_DEVICE),
    ("mixed_devices_mul", lambda: _on_fake_cuda(3) * ones(3), RuntimeError, SAME_DEVICE),
    ("mixed_devices_matmul", lambda: ones(2, 3) @ _on_fake_cuda(3, 2), RuntimeError, SAME_DEVICE),
    ("mixed_devices_cat", lambda: T.cat([ones(2), _on_fake_cuda(2)]), RuntimeError, SAME_DEVICE),
    ("mixed_devices_where", lambda: T.where(ones(2) > 0, ones(2), _on_fake_cuda(2)), RuntimeError,
     SAME_DEVICE),
    ("mixed_devices_inplace", lambda: ones(2).add_(_on_fake_cuda(2)), RuntimeError, SAME_DEVICE),
    ("mixed_devices_index", lambda: ones(3)[T.Tensor._wrap(np.array([0]), _FakeCuda())],
     RuntimeError,
     r"indices should be either on cpu or on the same device as the indexed tensor"),
    ("unknown_backend", lambda: T.set_default_backend("tpu"), ValueError,
     r"unknown nanotorch backend 'tpu'; valid backends are: .*numpy"),
    # --- modules, losses, state dicts, data, optimizers ---------------------------------------
    ("linear_in_features", lambda: nn.Linear(3, 2)(ones(4, 5)), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)"),
    ("sequential_in_features",
     lambda: nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1))(ones(8, 3)),
     RuntimeError, r"\(8x3 and 2x10\)"),
    ("state_dict_missing", lambda: nn.Linear(3, 2).load_state_dict({"weight": ones(2, 3)}),
     RuntimeError, r"Error\(s\) in loading state_dict for Linear:\s+Missing key\(s\) in "
                   r"state_dict: \"bias\""),
    ("state_dict_unexpected", lambda: nn.Linear(3, 2).load_state_dict(
        {"weight": ones(2, 3), "bias": ones(2), "extra": ones(1)}), RuntimeError,
     r"Unexpected key\(s\) in state_dict: \"extra\""),
    ("state_dict_shape", lambda: nn.Linear(3, 2).load_state_dict(
        {"weight": ones(3, 3), "bias": ones(2)}), RuntimeError,
     r"size mismatch for weight: copying a param with shape .*\[3, 3\].* from checkpoint, the "
     r"shape in current model is .*\[2, 3\]"),
    ("cross_entropy_target_oob", lambda: F.cross_entropy(ones(2, 3), T.tensor([0, 3])),
     IndexError, r"Target 3 is out of bounds"),
    ("cross_entropy_target_float", lambda: F.cross_entropy(ones(2, 3), T.tensor([0.0, 1.0])),
     RuntimeError, r"target.*\[2, 3\].*\[2\]"),
    ("bce_target_size", lambda: F.binary_cross_entropy(T.full((2,), 0.5), ones(3)), ValueError,
     r"target size .*\[3\].* different to the input size .*\[2\]"),
    ("dataloader_empty_shuffled",
     lambda: DataLoader(TensorDataset(T.ones(0, 2)), batch_size=2, shuffle=True), ValueError,
     r"num_samples should be a positive integer value, but got num_samples=0"),
    ("dataloader_batch_size", lambda: DataLoader(TensorDataset(ones(3, 2)), batch_size=0),
     ValueError, r"batch_size should be a positive integer value, but got batch_size=0"),
    ("optimizer_no_params", lambda: optim.SGD([], lr=0.1), ValueError,
     r"optimizer got an empty parameter list"),
    ("optimizer_exhausted_iterator", lambda: optim.Adam(iter([])), ValueError,
     r"optimizer got an empty parameter list"),
    ("optimizer_negative_lr", lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=-1), ValueError,
     r"Invalid learning rate: -1"),
]


def _numpy_leaked(err):
    """Whether an exception is numpy's own, raised (or last re-raised) inside numpy."""
    if type(err).__module__.split(".")[0] == "numpy":
        return True
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and f"{os.sep}numpy{os.sep}" in frames[-1].filename


@pytest.mark.parametrize("call, expected, pattern",
                         [pytest.param(c, e, p, id=i) for i, c, e, p in CASES])
def test_bad_call_raises_torch_error(call, expected, pattern):
    with pytest.raises(Exception) as info:
        call()
    err = info.value
    assert type(err) is expected or (isinstance(err, expected) and type(err).__module__
                                     .startswith("nanotorch")), (type(err), err)
    assert re.search(pattern, str(err)), f"{str(err)!r} does not match {pattern!r}"
    assert not _numpy_leaked(err), f"numpy traceback leaked: {err!r}"


def test_catalogue_is_large_and_unique():
    ids = [c[0] for c in CASES]
    assert len(set(ids)) == len(ids)
    assert len(ids) >= 60


def test_unknown_backend_variable_fails_with_one_sentence():
    env = dict(os.environ, NANOTORCH_BACKEND="tpu")
    proc = subprocess.run([sys.executable, "-c", "import nanotorch; nanotorch.zeros(1)"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"ValueError: NANOTORCH_BACKEND='tpu' is not a nanotorch backend; "
                        r"valid values are: .*numpy.*", last), proc.stderr


@pytest.fixture
def fresh_backends(monkeypatch):
    """Backend instances forgotten for the test, so a factory runs (and may fail) again."""
    monkeypatch.setattr(backends, "_INSTANCES", {"numpy": backends.get_backend("numpy")})
    return monkeypatch


@pytest.mark.parametrize("backend, package, call", [
    ("numba", "numba", lambda: backends.get_backend("numba")),
    ("cupy", "cupy", lambda: T.ones(2, device="cuda")),
])
def test_missing_optional_package_names_what_to_install(fresh_backends, backend, package, call):
    # A None entry in sys.modules makes ``import package`` raise ModuleNotFoundError, as if absent.
    fresh_backends.setitem(sys.modules, package, None)
    fresh_backends.delitem(sys.modules, f"nanotorch.backends.{backend}_backend", raising=False)
    with pytest.raises(BackendUnavailable) as info:
        call()
    assert isinstance(info.value, RuntimeError)
    message = str(info.value)
    assert f"the {backend!r} backend needs" in message and package in message.lower()
    assert "pip install" in message and "\n" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
