"""Anomaly detection: find the forward op whose backward produced NaN or inf.

>>> import nanotorch
>>> x = nanotorch.tensor([0.0], requires_grad=True)
>>> with nanotorch.autograd.detect_anomaly():
...     y = x.sqrt()
...     try:
...         (y * 0).sum().backward()
...     except RuntimeError as err:
...         print(str(err).splitlines()[0])
Function 'SqrtBackward0' returned nan values in its 0th output.
"""
from __future__ import annotations

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


class state:
    enabled = False
    check_nan = True  # False: keep recording forward stacks, skip the nan/inf check


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on.

    >>> import nanotorch
    >>> with nanotorch.autograd.detect_anomaly():
    ...     nanotorch.autograd.is_anomaly_enabled()
    True
    >>> nanotorch.autograd.is_anomaly_enabled()
    False
    """
    return state.enabled


class set_detect_anomaly:
    """Turn anomaly detection on or off, as a call or a context manager.

    While on, every recorded op keeps the stack of the line that created it,
    and a backward that returns NaN or inf raises ``RuntimeError`` naming the
    op and that line. It slows everything down: use it to debug. Called
    without ``with``, the setting stays until changed again.

    >>> import nanotorch
    >>> with nanotorch.autograd.set_detect_anomaly(True):
    ...     nanotorch.autograd.is_anomaly_enabled()
    True
    >>> _ = nanotorch.autograd.set_detect_anomaly(False)
    >>> nanotorch.autograd.is_anomaly_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True):
        self._previous = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self._previous
        return False


class detect_anomaly(set_detect_anomaly):
    """Context manager that turns anomaly detection on inside its block (see ``set_detect_anomaly``).

    >>> import nanotorch
    >>> x = nanotorch.tensor([-1.0], requires_grad=True)
    >>> with nanotorch.autograd.detect_anomaly():
    ...     try:
    ...         x.sqrt().sum().backward()  # sqrt(-1) is nan, so is its derivative
    ...     except RuntimeError as err:
    ...         print(str(err).splitlines()[0])
    Function 'SqrtBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan: bool = True):
        self._check_nan = check_nan

    def __enter__(self):
        set_detect_anomaly.__init__(self, True, self._check_nan)
        return self


def check_gradients(node, grads):
    """Raise if a backward of ``node`` produced a non-finite gradient (anomaly mode only)."""
    for i, g in enumerate(grads):
        if g is None or not g.is_floating_point():
            continue
        xp = g._backend.xp
        data = g._data
        if not bool(xp.all(xp.isfinite(data))):
            kind = "nan" if bool(xp.any(xp.isnan(data))) else "inf"
            where = node._trace or "(the forward was recorded before anomaly mode was on)\n"
            raise RuntimeError(
                f"Function '{node.name()}' returned {kind} values in its {i}th output.\n"
                f"The forward call that created it:\n{where}")
