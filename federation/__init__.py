"""Federation: one query language over SQLite, Kuzu and LanceDB, finished in DuckDB.

>>> import federation as fed
>>> with fed.connect() as eng:
...     eng.query("SELECT 1 AS one FROM x.y")  # doctest: +SKIP
"""

from federation.engine import Engine, connect
from federation.errors import (
    BindError,
    ConfigurationError,
    FederationError,
    PlanError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResourceLimitError,
    SourceError,
    SourceUnavailableError,
)
from federation.result import ExecutedPlan, Result
from federation.sources.kuzu import Kuzu
from federation.sources.lancedb import LanceDB
from federation.sources.sqlite import SQLite

__all__ = [
    "BindError",
    "ConfigurationError",
    "Engine",
    "ExecutedPlan",
    "FederationError",
    "Kuzu",
    "LanceDB",
    "PlanError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "ResourceLimitError",
    "Result",
    "SQLite",
    "SourceError",
    "SourceUnavailableError",
    "connect",
]
__version__ = "0.1.0"
