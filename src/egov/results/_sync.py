"""pyHanko's blocking calls start their own asyncio loop; run them off a thread that already has one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run_blocking(func: Callable[[], T]) -> T:
    """Call `func` here, or in a short-lived worker thread when this thread runs an event loop
    (an async view, a test driving a browser), where `asyncio.run()` would refuse to start."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(func).result()
