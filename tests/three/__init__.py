"""Three-engine differential suite: SQLite + Kuzu + LanceDB queries vs one DuckDB oracle."""
