"""The SQLite backend's write lock: a process's write transactions go in one at a time, a
waiter gives up after the connection's timeout, and commit, rollback or close let the next in."""

import threading

import pytest
from django.db import OperationalError, connection

from contento.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the lock is SQLite's backend only"
)


@pytest.fixture
def wrappers(tmp_path, django_db_blocker):
    # Connections of their own to a file of their own, not the test database.
    django_db_blocker.unblock()
    settings = {
        **connection.settings_dict,
        "NAME": str(tmp_path / "writers.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.3},
        "CONN_MAX_AGE": 0,
    }
    first = DatabaseWrapper(settings, alias="writer")
    first.ensure_connection()
    first.cursor().execute("CREATE TABLE t (n integer)")
    yield first
    first.close()
    django_db_blocker.restore()


def _begin_elsewhere(settings) -> list:
    """Start a transaction in another thread, on a connection of its own; return what
    happened."""
    outcome: list = []

    def begin():
        wrapper = DatabaseWrapper(settings, alias="other")
        wrapper.ensure_connection()
        try:
            wrapper._start_transaction_under_autocommit()
            outcome.append("began")
            wrapper._rollback()
        except OperationalError as error:
            outcome.append(str(error))
        finally:
            wrapper.close()

    thread = threading.Thread(target=begin)
    thread.start()
    thread.join(5)
    return outcome


@pytest.mark.parametrize("end", ["_commit", "_rollback", "close"])
def test_a_writer_waits_for_the_one_before_then_goes_in(wrappers, end):
    first = wrappers
    first._start_transaction_under_autocommit()
    first.cursor().execute("INSERT INTO t VALUES (1)")
    # While the first holds the write, the second waits its timeout and fails as SQLite would.
    assert _begin_elsewhere(first.settings_dict) == ["database is locked"]
    getattr(first, end)()
    assert _begin_elsewhere(first.settings_dict) == ["began"]
    # and the lock is free again for the first
    first.ensure_connection()
    first._start_transaction_under_autocommit()
    first._rollback()


def test_writers_of_one_process_take_turns_and_none_is_lost(wrappers, tmp_path):
    settings = wrappers.settings_dict
    errors: list = []

    def write(k: int):
        wrapper = DatabaseWrapper({**settings, "OPTIONS": {**settings["OPTIONS"], "timeout": 10}})
        try:
            for n in range(20):
                wrapper.ensure_connection()
                wrapper._start_transaction_under_autocommit()
                wrapper.cursor().execute("INSERT INTO t VALUES (%s)", [k * 100 + n])
                wrapper._commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            wrapper.close()

    threads = [threading.Thread(target=write, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    cursor = wrappers.cursor()
    cursor.execute("SELECT count(*), count(DISTINCT n) FROM t")
    assert cursor.fetchone() == (120, 120)


def test_a_writer_of_another_process_is_waited_for_then_followed(wrappers):
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    began, release = ctx.Event(), ctx.Event()
    settings = wrappers.settings_dict

    def other_process():
        wrapper = DatabaseWrapper(settings, alias="other")
        wrapper.ensure_connection()
        wrapper._start_transaction_under_autocommit()
        wrapper.cursor().execute("INSERT INTO t VALUES (7)")
        began.set()
        release.wait(10)
        wrapper._commit()
        wrapper.close()

    process = ctx.Process(target=other_process)
    process.start()
    try:
        assert began.wait(10)
        # The other process holds the write: this one waits its timeout, then fails.
        assert _begin_elsewhere(settings) == ["database is locked"]
    finally:
        release.set()
        process.join(10)
    assert process.exitcode == 0
    assert _begin_elsewhere(settings) == ["began"]
    cursor = wrappers.cursor()
    cursor.execute("SELECT n FROM t")
    assert cursor.fetchall() == [(7,)]
