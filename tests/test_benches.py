"""The benchmarks still run against today's schema: each, at a tiny size, on SQLite.

They write tables directly (bulk loads, raw SQL paths), so a new NOT NULL column breaks them
without any other test noticing. Figures are not checked here; only that every path runs and
the bench's own checks pass.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SECRET_KEY": "bench-smoke-test"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - the benches of this repository, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("bench/insights.py", "--responses", "500", "--db", "sqlite", "--repeat", "1"),
        (
            "bench/submit.py",
            "--seconds",
            "2",
            "--warmup",
            "1",
            "--floor-seconds",
            "1",
            "--clients",
            "2",
            "--db",
            "sqlite",
        ),
        ("bench/campaign.py", "--customers", "300", "--db", "sqlite"),
        ("bench/analysis_drain.py", "--comments", "40", "--db", "sqlite"),
        (
            "bench/survey_load.py",
            "--rate",
            "5",
            "--seconds",
            "3",
            "--every",
            "1",
            "--model-sample",
            "20",
            "--drain-timeout",
            "60",
            "--db",
            "sqlite",
        ),
    ],
    ids=["insights", "submit", "campaign", "analysis_drain", "survey_load"],
)
def test_a_bench_runs_on_todays_schema(args):
    result = _run(*args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert "first error" not in output, output[-3000:]
    assert "check: the three paths give identical" in output or "verified:" in output
