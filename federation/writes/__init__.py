"""Writes through the engine: per-store writers (``store``), rows checked against the target
(``rows``), statements (``statements``), cross-store transactions (``transaction``) kept
across a crash by a journal in the workspace (``journal``). See docs/writes.md."""
