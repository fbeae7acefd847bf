"""Real worker processes, killed with -9: the lane comes back and the task is not lost."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time


def _env(var):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        CONTENTO_VAR_DIR=str(var),
        TASK_LEASE_SECONDS="3",
        CONTENTO_FAST_PASSWORD_HASHER="1",
        TASKS_IMMEDIATE="0",
        LOG_LEVEL="WARNING",
    )
    return env


def _contento(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "contento.cli", *args], env=env, check=True, **kwargs
    )


def _row(database, task_id):
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = ?",
            (task_id.replace("-", ""),),
        ).fetchone()
    return (row[0], json.loads(row[1])) if row else (None, [])


def _running(database, task_id):
    status, owners = _row(database, task_id)
    return (status, owners) if status == "RUNNING" else None


def _wait(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_a_lane_killed_mid_task_comes_back_and_the_task_runs_once(tmp_path):
    var = tmp_path / "var"
    env = _env(var)
    _contento(env, "migrate", "--verbosity", "0")
    marker = tmp_path / "done.txt"
    enqueue = (
        "from contento.core.tests.tasks import slow_append; "
        f"print(slow_append.enqueue({str(marker)!r}, 3).id)"
    )
    shell = _contento(env, "shell", "-v", "0", "-c", enqueue, capture_output=True, text=True)
    task_id = shell.stdout.strip().splitlines()[-1]
    database = var / "contento.sqlite3"
    workers = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "contento.cli", "worker"], env=env
    )
    try:
        status, owners = _wait(lambda: _running(database, task_id), 30)
        assert status == "RUNNING"
        victim = int(owners[-1].split("-")[-2])  # worker-<host>-<pid>-<random>
        os.kill(victim, signal.SIGKILL)  # the lane dies in the middle of the task
        done = _wait(lambda: _row(database, task_id)[0] == "SUCCESSFUL", 40)
        assert done, _row(database, task_id)
        status, owners = _row(database, task_id)
        assert len(owners) == 2
        assert owners[0] != owners[1]
        assert marker.read_text() == "done\n"  # the killed run never finished: it ran once
        with sqlite3.connect(database) as db:
            lanes = db.execute(
                "SELECT pid FROM core_processbeat WHERE kind = 'worker' AND lane = 'urgent'"
            ).fetchall()
        assert len(lanes) == 2  # restarted: a new pid
        assert victim in {pid for (pid,) in lanes}
    finally:
        workers.send_signal(signal.SIGTERM)
        workers.wait(timeout=30)
