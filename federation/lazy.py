"""A module imported on its first attribute read, so ``import federation`` stays light.

``apsw`` costs ~160 ms to import in a cold process; a source module binds it as
``apsw = lazy_module("apsw")`` (under ``TYPE_CHECKING`` the real module, for the types), and
``apsw.Connection`` imports it when a SQLite source first connects.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name`` until an attribute is read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name``, typed ``Any`` (declare the real module under
    ``TYPE_CHECKING`` for the checker)."""
    return LazyModule(name)
