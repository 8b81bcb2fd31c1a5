"""A module's tables of parameters, buffers and children, readable as plain attributes.

``module.weight`` has to find a parameter kept in ``module._parameters``.
torch reaches it through ``__getattr__``, which Python calls only after the
ordinary lookup has failed: 400 ns a read, paid by every layer on every
forward (a Linear reads its weight and bias, a model each of its layers).
Here each table also writes its entries into the module's ``__dict__``, where
the ordinary lookup finds them in 20 ns. ``__getattr__`` stays as the
fallback, and what a read returns is what torch's lookup order gives:

* a name the module's class defines (a method, a property) is the class's;
* a plain instance attribute of that name comes next;
* then ``_parameters``, ``_buffers``, ``_modules``, in that order.

Every way of changing a table (``t[k] = v``, ``del``, ``pop``, ``clear``,
``update``...) keeps the mirror in step, so code that edits
``module._parameters`` directly, as torch code sometimes does, stays right.
"""
from __future__ import annotations

import weakref

__all__ = ["Registry", "TABLES"]

TABLES = ("_parameters", "_buffers", "_modules")  # __getattr__'s order
_MISSING = object()


class Registry(dict):
    """A dict that mirrors its entries into the ``__dict__`` of the modules that own it.

    A module owns its tables; a shallow copy of the module shares them, and
    owns them too (``Module.__copy__``). Owners are held weakly.

    >>> from nanotorch import nn
    >>> m = nn.Linear(2, 3)
    >>> m.__dict__["weight"] is m._parameters["weight"]
    True
    >>> del m._parameters["bias"]
    >>> hasattr(m, "bias")
    False
    """

    __slots__ = ("_owners",)

    def __init__(self, owner):
        super().__init__()
        self._owners = [weakref.ref(owner)]

    def share_with(self, module):
        """Mirror into ``module`` too: a shallow copy of the owner, sharing this table."""
        self._owners.append(weakref.ref(module))
        for key in self:
            self._sync(key, _MISSING)

    def _sync(self, key, old):
        """After this table's ``key`` changed from ``old`` (``_MISSING``: absent), make each owner's
        ``__dict__[key]`` what torch's lookup would return."""
        if not isinstance(key, str):
            return
        for ref in self._owners:
            module = ref()
            if module is not None and not hasattr(type(module), key):
                _mirror(module.__dict__, key, old)

    def __setitem__(self, key, value):
        old = self.get(key, _MISSING)
        dict.__setitem__(self, key, value)
        self._sync(key, old)

    def __delitem__(self, key):
        old = self[key]
        dict.__delitem__(self, key)
        self._sync(key, old)

    def pop(self, key, *default):
        old = self.get(key, _MISSING)
        value = dict.pop(self, key, *default)
        if old is not _MISSING:
            self._sync(key, old)
        return value

    def popitem(self):
        key, value = dict.popitem(self)
        self._sync(key, value)
        return key, value

    def clear(self):
        for key in list(self):
            del self[key]

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other):
        self.update(other)
        return self

    def __reduce__(self):
        # pickle and deepcopy: rebuilt around a living owner (the module being copied is one),
        # then filled item by item
        owner = next(module for module in (ref() for ref in self._owners) if module is not None)
        return type(self), (owner,), None, None, iter(self.items())


def _mirror(attrs, key, old):
    current = attrs.get(key, _MISSING)
    if current is not _MISSING and current is not old and not _held(attrs, key, current):
        return  # a plain attribute of that name, which the ordinary lookup finds first
    for name in TABLES:
        table = attrs.get(name)
        if table is not None and key in table:
            attrs[key] = table[key]
            return
    attrs.pop(key, None)


def _held(attrs, key, value):
    """Whether ``value`` is ``key``'s entry in one of the tables, i.e. ``attrs[key]`` is a mirror."""
    for name in TABLES:
        table = attrs.get(name)
        if table is not None and table.get(key, _MISSING) is value:
            return True
    return False
