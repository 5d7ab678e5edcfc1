"""Load the DuckDB extensions of the peer virtualenv (``.venv-peer``) without any network.

The PyPI packages ``duckdb-extension-<name>`` ship the binary as
``duckdb_extension_<name>/extensions/v<duckdb version>/<name>.duckdb_extension`` and nothing else
(no entry point). ``LOAD '<path>'`` derives the init symbol from the file name, and the sqlite
extension's symbol is ``sqlite_scanner_duckdb_cpp_init``, so that file is loaded through a
symlink named ``sqlite_scanner.duckdb_extension``. Only the peer venv imports this module.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

LINKS = Path(__file__).resolve().parents[1] / ".data" / "peer-ext"
SYMBOL_NAME = {"sqlite": "sqlite_scanner"}


def extension_file(name: str) -> Path:
    import duckdb

    module = importlib.import_module(f"duckdb_extension_{name}")
    path = (Path(module.__file__ or "").parent / "extensions" / f"v{duckdb.__version__}"
            / f"{name}.duckdb_extension")
    if not path.is_file():
        raise FileNotFoundError(f"no {name} extension for duckdb {duckdb.__version__}: {path}")
    wanted = SYMBOL_NAME.get(name)
    if wanted is None:
        return path
    LINKS.mkdir(parents=True, exist_ok=True)
    link = LINKS / f"{wanted}.duckdb_extension"
    if not link.is_symlink() or link.resolve() != path.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(path)
    return link


def connect(database: str = ":memory:", *, extensions: tuple[str, ...] = (),
            threads: int = 2, read_only: bool = False) -> Any:
    """A DuckDB connection with autoinstall off and the named extensions loaded from disk."""
    import duckdb

    con = duckdb.connect(database, read_only=read_only,
                         config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False,
                                 "threads": threads})
    con.execute("SET enable_progress_bar = false")
    for name in extensions:
        con.execute(f"LOAD '{extension_file(name)}'")
    return con
