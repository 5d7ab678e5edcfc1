"""Performance suites for Federation (DESIGN.md §9): they print tables and save JSON.

Speed is measured, not asserted: nothing here fails a build. Run ``python -m benchmarks.run``
from the repository root (``make bench``); see ``benchmarks/README.md``.
"""
