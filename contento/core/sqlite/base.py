"""Django's SQLite backend, with write transactions queued on locks instead of SQLite's sleeps.

SQLite lets one writer in at a time. A transaction that finds the database taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10... up to 100 ms between tries: under a burst of
submissions most waiters oversleep, and the slowest answers take a second. Here a write
transaction first takes this process's lock for the database file (threads queue on it and go
in as soon as the one before commits), then an advisory lock on a file beside the database,
shared with the other processes (web workers, the task worker), tried every millisecond or
so; only then `BEGIN IMMEDIATE`. Both are given up at commit, rollback or close. Waiting is
bounded by the connection's `timeout`, after which the transaction fails as SQLite's own
"database is locked" would. A database in memory (the tests') has no file to lock beside it.
"""

import fcntl
import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
# Between two tries at the other processes' lock: short, as a transaction here lasts a few ms.
FIRST_NAP, LONGEST_NAP = 0.0005, 0.005


def _thread_lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def _lock_path(name: str) -> str | None:
    """The file beside the database that its writers lock, or None for a database in memory."""
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return f"{name}-writer.lock"


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_thread_lock = False
    _lock_fd: int | None = None

    def _start_transaction_under_autocommit(self):
        name = str(self.settings_dict["NAME"])
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        if not _thread_lock(name).acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise OperationalError("database is locked")
        self._holds_thread_lock = True
        try:
            self._lock_other_processes(name, deadline)
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_locks()
            raise

    def _lock_other_processes(self, name: str, deadline: float) -> None:
        path = _lock_path(name)
        if path is None:
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        nap = FIRST_NAP
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise OperationalError("database is locked") from None
                time.sleep(nap)
                nap = min(nap * 2, LONGEST_NAP)
        self._lock_fd = fd

    def _release_write_locks(self):
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            os.close(fd)  # closing the file gives up its lock
        if self._holds_thread_lock:
            self._holds_thread_lock = False
            _thread_lock(str(self.settings_dict["NAME"])).release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_locks()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_locks()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_locks()
