"""Two web hosts and two worker hosts that share only PostgreSQL and Redis.

Each "host" is a set of processes with a var directory of its own (no shared disk, static
files not collected), as docs/scaling.md describes. A customer import uploaded to one web host
is run by whichever worker takes it and its progress read on the other web host; a mail with
an attachment received on one host is downloaded from the other; an erasure run on the other
removes the stored files everywhere.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest

PG = os.environ.get("CONTENTO_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "a-shared-password"

pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database():
    psycopg = pytest.importorskip("psycopg")
    redis = pytest.importorskip("redis")
    name = f"contento_hosts_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3)
        redis.Redis.from_url(REDIS).ping()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"needs PostgreSQL at {PG} and Redis at {REDIS}: {error}")
    admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS).flushdb()
    try:
        yield f"{PG}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        redis.Redis.from_url(REDIS).flushdb()


def _host(tmp_path, name, database):
    var = tmp_path / name
    var.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTO_", "STATIC"))}
    env.update(
        DATABASE_URL=database,
        REDIS_URL=REDIS,
        SECRET_KEY="shared-by-every-host",
        CONTENTO_VAR_DIR=str(var),
        STATIC_ROOT=str(var / "static"),  # never collected on this host
        CONTENTO_FAST_PASSWORD_HASHER="1",
        CONTENTO_OWNER_EMAIL="owner@example.com",
        CONTENTO_OWNER_PASSWORD=PASSWORD,
        TASK_LEASE_SECONDS="5",
        LOG_LEVEL="WARNING",
        ACCESS_LOG="0",
    )
    return env


def _contento(env, *args, **kwargs):
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "contento.cli", *args], env=env, check=True, **kwargs
    )


def _start(env, *args):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "contento.cli", *args], env=env, start_new_session=True
    )


def _wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered")


def _signed_in(base):
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed = client.post(
        "/accounts/login/",
        data={"username": "owner@example.com", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert signed.status_code == 302, signed.text[:500]
    return client


def _csrf(client, path):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(path).text).group(1)


RECEIVE = """
from contento.support.channels.email import inbound
raw = (b"From: Ana <ana@example.net>\\r\\nTo: support@contento.localhost\\r\\n"
       b"Subject: Factura\\r\\nMIME-Version: 1.0\\r\\n"
       b"Content-Type: multipart/mixed; boundary=b\\r\\n\\r\\n--b\\r\\n"
       b"Content-Type: text/plain\\r\\n\\r\\nAdjunto la factura.\\r\\n--b\\r\\n"
       b"Content-Type: application/pdf; name=f.pdf\\r\\nContent-Disposition: attachment; "
       b"filename=f.pdf\\r\\nContent-Transfer-Encoding: base64\\r\\n\\r\\n"
       b"JVBERi0xLjQgZmFjdHVyYQ==\\r\\n"
       b"--b--\\r\\n")
record = inbound.receive(raw, ["support@contento.localhost"])
print(record.ticket.messages.get().attachments.get().code)
"""


def test_hosts_that_share_only_the_database_and_redis(tmp_path, database):
    a, b = _host(tmp_path, "a", database), _host(tmp_path, "b", database)
    _contento(a, "setup", "--no-demo", capture_output=True)
    port_a, port_b = _free_port(), _free_port()
    processes = [
        _start(a, "serve", "--no-worker", "--no-mail", "--port", str(port_a), "--workers", "1"),
        _start(b, "serve", "--no-worker", "--no-mail", "--port", str(port_b), "--workers", "1"),
        _start(a, "worker"),
        _start(b, "worker"),
    ]
    try:
        base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        _wait_for(f"{base_a}/healthz")
        _wait_for(f"{base_b}/healthz")
        # Static files on a host that never collected them.
        assert httpx.get(f"{base_b}/static/contento/app.css").status_code == 200
        on_a, on_b = _signed_in(base_a), _signed_in(base_b)

        # An import uploaded to host A, big enough to run in the background on any worker.
        rows = "external_id,name,email\n" + "".join(
            f"H{i},Cliente {i},c{i}@example.net\n" for i in range(5002)
        )
        uploaded = on_a.post(
            "/customers/import/",
            data={"kind": "customers", "csrfmiddlewaretoken": _csrf(on_a, "/customers/import/")},
            files={"file": ("customers.csv", rows.encode(), "text/csv")},
            headers={"Referer": f"{base_a}/customers/import/"},
        )
        assert uploaded.status_code == 200, uploaded.text[:500]
        import_id = re.search(r"/customers/import/([0-9a-f-]{36})/", uploaded.text).group(1)
        deadline = time.monotonic() + 90
        status = ""
        while time.monotonic() < deadline:
            status = on_b.get(f"/customers/import/{import_id}/").text  # read on host B
            if "5002" in status and "running" not in status.lower():
                break
            time.sleep(1)
        token = _contento(a, "createtoken", "owner@example.com", capture_output=True, text=True)
        api = {"Authorization": f"Bearer {token.stdout.strip()}"}
        count = httpx.get(f"{base_b}/api/v1/customers?limit=1", headers=api).json()["count"]
        assert count == 5002, status[:2000]

        # A mail with an attachment, received on host A, downloaded from host B.
        code = _contento(a, "shell", "-v", "0", "-c", RECEIVE, capture_output=True, text=True)
        attachment = code.stdout.strip().splitlines()[-1]
        download = on_b.get(f"/support/attachments/{attachment}/")
        assert download.status_code == 200
        assert download.content == b"%PDF-1.4 factura"

        # The customer's erasure, run on host B, removes the files wherever they were written.
        customer = httpx.get(
            f"{base_b}/api/v1/customers?email=ana@example.net", headers=api
        ).json()["items"][0]["code"]
        erased = httpx.post(f"{base_b}/api/v1/customers/{customer}/erase", headers=api)
        assert erased.status_code == 200
        assert on_a.get(f"/support/attachments/{attachment}/").status_code == 404
        count_files = (
            "from contento.core.models import StoredFile; print(StoredFile.objects.count())"
        )
        left = _contento(b, "shell", "-v", "0", "-c", count_files, capture_output=True, text=True)
        assert left.stdout.strip().splitlines()[-1] == "0"
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
