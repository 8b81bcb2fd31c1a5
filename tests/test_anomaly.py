"""Anomaly mode: a backward that produces NaN or inf names the forward op and the user's line."""
import inspect
import re

import pytest

import nanotorch as T
from nanotorch.autograd import detect_anomaly, is_anomaly_enabled, set_detect_anomaly

# These tests make NaN and inf on purpose; numpy's RuntimeWarning about it is not under test.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

HERE = __file__


def _line_of(marker):
    """The line number in this file of the source line containing ``marker``."""
    lines, start = inspect.getsourcelines(inspect.getmodule(_line_of))
    for number, text in enumerate(lines, start or 1):
        if marker in text and "_line_of" not in text:
            return number
    raise AssertionError(marker)


def _assert_points_at(message, op, kind, marker):
    first = message.splitlines()[0]
    assert first == f"Function '{op}' returned {kind} values in its 0th output.", message
    # The forward call that created the op: this file, the exact line, its source text.
    assert f'File "{HERE}", line {_line_of(marker)}' in message, message
    assert marker in message


def test_sqrt_at_zero_names_sqrt_and_the_line():
    x = T.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        y = x.sqrt()  # marker: sqrt forward
        with pytest.raises(RuntimeError) as info:
            (y * 0).sum().backward()
    _assert_points_at(str(info.value), "SqrtBackward0", "nan", "marker: sqrt forward")


def test_inf_is_reported_as_inf():
    x = T.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        y = x.log()  # marker: log forward
        with pytest.raises(RuntimeError) as info:
            y[1].backward()  # d log(x)/dx at 0 is 1/0 = inf after the index gradient's zero
    message = str(info.value)
    assert re.match(r"Function 'LogBackward0' returned (inf|nan) values", message), message
    assert _line_of("marker: log forward") and "marker: log forward" in message


def test_the_first_bad_op_is_named_not_a_later_one():
    x = T.tensor([0.0, 2.0], requires_grad=True)
    with set_detect_anomaly(True):
        h = x * 3
        bad = h.sqrt()  # marker: first nan
        out = (bad * 0 + h).exp().sum()  # finite forward; only sqrt's backward divides by 0
        with pytest.raises(RuntimeError) as info:
            out.backward()
    _assert_points_at(str(info.value), "SqrtBackward0", "nan", "marker: first nan")


def test_custom_function_backward_is_checked():
    class Broken(T.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = T.ones(3, requires_grad=True)
    with detect_anomaly():
        y = Broken.apply(x)  # marker: custom forward
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    _assert_points_at(str(info.value), "BrokenBackward", "nan", "marker: custom forward")


def test_ops_recorded_before_anomaly_mode_still_raise_with_a_note():
    x = T.tensor([0.0], requires_grad=True)
    y = x.sqrt()
    with detect_anomaly():
        with pytest.raises(RuntimeError, match="recorded before anomaly mode was on"):
            (y * 0).sum().backward()


def test_without_anomaly_mode_backward_completes_with_nan():
    x = T.tensor([0.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()
    assert x.grad.isnan().all()


def test_finite_backward_is_untouched_by_anomaly_mode():
    x = T.tensor([1.0, 4.0], requires_grad=True)
    with detect_anomaly():
        x.sqrt().sum().backward()
    assert x.grad.tolist() == [0.5, 0.25]


def test_modes_nest_and_restore_even_after_an_error():
    assert not is_anomaly_enabled()
    with pytest.raises(ValueError):
        with detect_anomaly():
            assert is_anomaly_enabled()
            with set_detect_anomaly(False):
                assert not is_anomaly_enabled()
            assert is_anomaly_enabled()
            raise ValueError
    assert not is_anomaly_enabled()
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()


def test_anomaly_mode_checks_create_graph_backward_too():
    x = T.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        (g,) = T.autograd.grad((x ** 3).sum(), x, create_graph=True)
        y = g.sqrt()  # marker: second order
        with pytest.raises(RuntimeError) as info:
            (y * 0).sum().backward()
    _assert_points_at(str(info.value), "SqrtBackward0", "nan", "marker: second order")


def test_functional_form_points_at_the_user_line_too():
    x = T.tensor([0.0], requires_grad=True)
    with detect_anomaly():
        y = T.sqrt(x)  # marker: functional sqrt
        with pytest.raises(RuntimeError) as info:
            (y * 0).sum().backward()
    message = str(info.value)
    _assert_points_at(message, "SqrtBackward0", "nan", "marker: functional sqrt")
    # The stack ends at the user's line: no nanotorch frame is blamed.
    assert message.rstrip().splitlines()[-1].strip() == "y = T.sqrt(x)  # marker: functional sqrt"


def test_detect_anomaly_turns_on_at_enter_and_check_nan_false_skips_the_check():
    x = T.tensor([-1.0], requires_grad=True)
    manager = detect_anomaly(check_nan=False)
    assert not is_anomaly_enabled()  # as torch: nothing happens until `with`
    with manager:
        assert is_anomaly_enabled()
        x.sqrt().sum().backward()  # nan gradient, but the check is off
    assert not is_anomaly_enabled()
