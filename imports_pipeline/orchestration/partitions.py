"""One partition per import session: the sensor adds them, every phase asset is split by them."""

from __future__ import annotations

import dagster as dg

PARTITIONS_NAME = "import_sessions"
import_sessions = dg.DynamicPartitionsDefinition(name=PARTITIONS_NAME)
