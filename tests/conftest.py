"""Shared pytest setup: a modest hypothesis profile and a clean grad mode around every test."""
import pytest
from hypothesis import HealthCheck, settings

import nanotorch
from nanotorch.autograd.grad_mode import state as _grad_state

# Small, deterministic property tests: the whole suite must stay fast on 2 cores.
settings.register_profile("nanotorch", max_examples=20, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("nanotorch")


@pytest.fixture(params=["numpy", "numba"])
def cpu_backend(request):
    """Each CPU backend in turn as the default: numba's loops and numpy's reference alike."""
    from helpers import default_backend
    with default_backend(request.param) as backend:
        yield backend


@pytest.fixture(autouse=True)
def _restore_global_state():
    """A test that fails inside ``no_grad`` or changes the default dtype must not leak it."""
    enabled, inference = _grad_state.enabled, _grad_state.inference
    default = nanotorch.get_default_dtype()
    yield
    _grad_state.enabled, _grad_state.inference = enabled, inference
    nanotorch.set_default_dtype(default)
