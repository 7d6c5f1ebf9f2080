"""Dagster: the processing phases of submitted imports as partitioned assets (see
``definitions.py``)."""
