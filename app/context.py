"""What every component of the page shares: the session, the language, and ``act``, which runs
a change under the session's lock, shows any error in the page instead of raising, and asks
for a redraw."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from model.errors import CyflowError

log = logging.getLogger("cyflow.app")


def error_message(exc: BaseException) -> str:
    """One line for the page: input errors as they are, anything else with its type."""
    if isinstance(exc, CyflowError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Ctx:
    """The page's shared state (one per browser session)."""

    session: Any                       # app.session.AppSession
    version: int                       # bumped after every change: the redraw key
    lang: str
    set_lang: Callable[[str], None]
    error: str | None
    set_error: Callable[[str | None], None]
    bump: Callable[[], None]
    lock: threading.RLock

    def act(self, action: Callable[[], Any]) -> bool:
        """Run ``action``; on failure show its message and keep the session as it was."""
        try:
            with self.lock:
                action()
        except Exception as exc:
            if not isinstance(exc, CyflowError):
                log.exception("action failed")
            self.set_error(error_message(exc))
            self.bump()
            return False
        self.set_error(None)
        self.bump()
        return True
