"""Set-up of the worker processes rift starts (a leaf: importing it loads nothing else)."""

from __future__ import annotations


def worker_init() -> None:
    """Set up a worker: ignore Ctrl-C and die with the parent.

    Ctrl-C goes to the whole process group; the parent decides, keeps what finished and
    stops the pool. If the parent is killed outright (SIGKILL, OOM killer) the workers
    would wait forever on their task queue, so a watcher thread exits when it goes.
    """
    import multiprocessing
    import os
    import signal
    import threading
    from multiprocessing.connection import wait

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def _watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=_watch, name="rift-parent-watch", daemon=True).start()
