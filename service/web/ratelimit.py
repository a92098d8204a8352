"""Requests per client address in a sliding window, for the public /verify pages (issue 16, item 6).

One limiter per app (``app.extensions``), in the memory of the serving process: `wuhao serve` is
one waitress process, so this is every request it answers.  Beyond the limit the caller gets 429
with the seconds to wait (``Retry-After``).
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque

from flask import current_app, request

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 100_000  # addresses remembered at once; the oldest windows are dropped first


class SlidingWindow:
    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque] = {}

    def hit(self, key: str) -> int:
        """Count one request of ``key``; 0 if allowed, else the whole seconds until one is."""
        now = self.clock()
        with self._lock:
            times = self._hits.get(key)
            if times is None:
                if len(self._hits) >= MAX_CLIENTS:
                    self._hits.pop(next(iter(self._hits)))
                times = self._hits[key] = deque()
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                return max(1, math.ceil(self.window - (now - times[0])))
            times.append(now)
            return 0


def limiter(name: str, limit: int) -> SlidingWindow:
    """The app's limiter called ``name`` (made on first use)."""
    store = current_app.extensions.setdefault("wuhao.ratelimit", {})
    if name not in store:
        store[name] = SlidingWindow(limit)
    return store[name]


def client_key() -> str:
    return request.remote_addr or "unknown"
