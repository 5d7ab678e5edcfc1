"""TPC-H across three engines: Federation against what a user would pick instead.

The suite entry point is :mod:`benchmarks.tpch.suite`. This package is also imported by the
peer virtualenv (``.venv-peer``: DuckDB 1.5.5 and its extension wheels), so nothing here
imports Federation or the main venv's packages at import time.
"""
