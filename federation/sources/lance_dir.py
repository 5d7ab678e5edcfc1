"""A LanceDB directory read through pylance alone: its tables and their datasets.

A local LanceDB directory keeps each table as a Lance dataset ``<dir>/<table>.lance``;
``lancedb``'s ``list_tables`` lists exactly the subdirectories whose names end in ``.lance``
(lancedb 0.40: a file, or a directory without the suffix, is no table; nothing inside is
checked), and ``table.to_lance()`` is ``lance.dataset`` on that path. Reading through
``lance`` directly spares the process the ``lancedb`` module: its own copy of the Lance
engine, runtime and imports (pydantic, the namespace client) cost about 100 MB of resident
memory, for the same datasets. ``lancedb`` is imported for writes only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lance import LanceDataset

SUFFIX = ".lance"


def table_names(root: str | Path) -> list[str]:
    """The tables of the directory ``root``, sorted (``OSError`` when it cannot be listed).

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> for name in ("b.lance", "a.lance", "plain"):
    ...     os.mkdir(os.path.join(d, name))
    >>> open(os.path.join(d, "file.lance"), "w").close()
    >>> table_names(d)
    ['a', 'b']
    """
    with os.scandir(root) as entries:
        return sorted(e.name[:-len(SUFFIX)] for e in entries
                      if e.name.endswith(SUFFIX) and len(e.name) > len(SUFFIX)
                      and e.is_dir())


def table_path(root: str | Path, name: str) -> str:
    """>>> table_path("/data/lake", "part")
    '/data/lake/part.lance'
    """
    return os.path.join(str(root), name + SUFFIX)


def open_dataset(root: str | Path, name: str) -> LanceDataset:
    """The table's dataset at its latest version (raises when the table is missing)."""
    import lance  # imported with the first read, as lancedb imported it before

    return lance.dataset(table_path(root, name))
