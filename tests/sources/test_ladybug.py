"""The graph source must also run on ``ladybug``, Kuzu's maintained fork (same API): the whole
Kuzu source suite runs again in a subprocess with the fork selected as the driver."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(importlib.util.find_spec("ladybug") is None, reason="ladybug not installed")
def test_kuzu_source_suite_on_ladybug() -> None:
    suite = Path(__file__).with_name("test_kuzu_source.py")
    env = {**os.environ, "FEDERATION_GRAPH_DRIVER": "ladybug"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", str(suite)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
