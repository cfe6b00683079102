"""The browser session a page belongs to (Solara's virtual kernel) -- the page's one use of server internals.

SOLARA SERVER INTERNALS, isolated here and tested in ``tests/test_app.py``: Solara
has no public API to ask whether a browser tab is still connected, nor to run code
on behalf of a session from a thread of one's own. The play loop needs both: to
stop a closed tab's market at once (rather than when Solara culls the session) and
to publish frames from its own thread. Everything here goes through
``solara.server.kernel_context``; outside a server (tests, notebooks) there is no
session and the functions fall back to "always connected" and "run directly".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def current_session() -> Any | None:
    """The session (Solara kernel context) of the page being rendered, or None outside a server."""
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context()
    except Exception:  # no server, no kernel: a plain render in a test or a notebook
        return None


def connected(session: Any | None) -> bool:
    """Whether a browser tab is still connected to ``session`` (a closed or dropped tab is not)."""
    if session is None:
        return True
    from solara.server.kernel_context import PageStatus

    if session.closed_event.is_set():
        return False
    statuses = list(session.page_status.values())
    return not statuses or PageStatus.CONNECTED in statuses


def closed(session: Any | None) -> bool:
    """Whether the session has been shut down (its tab closed, or culled)."""
    return session is not None and session.closed_event.is_set()


def run_in(session: Any | None, fn: Callable[[], None]) -> None:
    """Call ``fn`` on behalf of ``session`` (so that state changes reach its browser tab)."""
    if session is None:
        fn()
        return
    with session:
        fn()
