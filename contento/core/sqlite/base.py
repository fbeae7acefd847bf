"""Django's SQLite backend, with a process's write transactions queued on a lock.

SQLite lets one writer in at a time. A transaction that finds the database taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10... up to 100 ms between tries: under a burst of
submissions most waiters oversleep, and the slowest answers take a second. Here the threads of
one process queue on a lock before `BEGIN IMMEDIATE` instead, and each goes in as soon as the
one before commits; only writers of other processes (another web worker, the task worker)
still meet in SQLite's busy handler. The lock is given up at commit, rollback or close, and
waiting for it is bounded by the connection's `timeout`, after which the transaction fails as
SQLite's own "database is locked" would.
"""

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _write_lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _start_transaction_under_autocommit(self):
        lock = _write_lock(str(self.settings_dict["NAME"]))
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        if not lock.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self):
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock(str(self.settings_dict["NAME"])).release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
