"""Grad modes: whether ops record themselves on the tape.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode``
work as context managers and as decorators, like torch's.
"""
from __future__ import annotations

import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _State:
    # A class attribute read on every op: cheaper than a function call.
    enabled = True
    inference = False


state = _State


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph.

    >>> import nanotorch
    >>> with nanotorch.no_grad():
    ...     nanotorch.is_grad_enabled()
    False
    """
    return _State.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode`` block is active.

    >>> import nanotorch
    >>> with nanotorch.inference_mode():
    ...     nanotorch.is_inference_mode_enabled()
    True
    >>> nanotorch.is_inference_mode_enabled()
    False
    """
    return _State.inference


class _GradModeContext:
    """Base for the grad-mode managers: sets a mode on entry, restores it on exit."""

    mode = True

    def __enter__(self):
        self._previous = _State.enabled
        _State.enabled = self.mode

    def __exit__(self, *exc):
        _State.enabled = self._previous
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):  # the flag flipped in place: an optimizer's step is decorated
            previous = _State.enabled
            _State.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _State.enabled = previous
        return wrapper


class no_grad(_GradModeContext):
    """Do not record ops for autograd inside the block (or the decorated function).

    >>> import nanotorch
    >>> x = nanotorch.ones(2, requires_grad=True)
    >>> with nanotorch.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record ops again inside a ``no_grad`` block.

    >>> import nanotorch
    >>> x = nanotorch.ones(2, requires_grad=True)
    >>> with nanotorch.no_grad(), nanotorch.enable_grad():
    ...     (x * 2).requires_grad
    True
    """

    mode = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off: ``set_grad_enabled(False)`` as a call, block or decorator.

    >>> import nanotorch
    >>> with nanotorch.set_grad_enabled(False):
    ...     nanotorch.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        # Called as a plain function it takes effect at once, like torch's.
        self._previous = _State.enabled
        _State.enabled = self.mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        _State.enabled = self._previous
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(_GradModeContext):
    """Like ``no_grad``, for code that will never need gradients (``inference_mode(False)`` is a no-op).

    >>> import nanotorch
    >>> with nanotorch.inference_mode():
    ...     (nanotorch.ones(2, requires_grad=True) * 2).requires_grad
    False
    """

    def __init__(self, mode: bool = True):
        self._active = bool(mode)

    def __enter__(self):
        self._previous = _State.enabled
        if self._active:
            _State.enabled = False
        self._previous_inference = _State.inference
        _State.inference = self._active or _State.inference

    def __exit__(self, *exc):
        _State.inference = self._previous_inference
        return super().__exit__(*exc)

    def __call__(self, fn):
        active = self._active

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(active):
                return fn(*args, **kwargs)
        return wrapper
