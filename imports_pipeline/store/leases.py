"""Who holds a long step (a process on a host), and whether that process is gone.

A lease names its holder as ``host/pid-namespace:pid:token``; the token is drawn once per
process, so a new process that reuses a dead one's pid is still told apart. In the same host and
pid namespace a dead holder is seen at once (``kill(pid, 0)``); anywhere else (another machine,
another container) only the lease's expiry tells.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

PROCESS_TOKEN = uuid.uuid4().hex[:12]
LEASE_TIME = timedelta(minutes=30)
"""A step still holding its lease this long after it began lost its process, wherever it ran (a
million-row validate takes seconds)."""


def pid_namespace() -> str:
    """Containers sharing a hostname (or all being pid 1) are told apart by their pid namespace."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "-"


def this_holder() -> str:
    return f"{socket.gethostname()}/{pid_namespace()}:{os.getpid()}:{PROCESS_TOKEN}"


def holder_is_gone(holder: str | None) -> bool:
    """True only when the holder certainly died: a process of this host that no longer runs."""
    if not holder:
        return False
    place, _, rest = holder.partition(":")
    pid_text, _, token = rest.partition(":")
    if place != f"{socket.gethostname()}/{pid_namespace()}" or not pid_text.isdigit():
        return False  # another machine or container: only the lease's expiry can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return token != PROCESS_TOKEN  # an earlier process with this pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def new_lease(step: str, resume_status: str, now: datetime) -> dict[str, Any]:
    return {
        "step": step,
        "holder": this_holder(),
        "until": (now + LEASE_TIME).isoformat(),
        "resume_status": resume_status,
    }


def lease_is_abandoned(lease: dict[str, Any] | None, now: datetime) -> bool:
    if not lease:
        return False
    return holder_is_gone(lease.get("holder")) or datetime.fromisoformat(lease["until"]) <= now
