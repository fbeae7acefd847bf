"""Settings that keep several hosts consistent: a shared key, static files on every host."""

import json
import os
import subprocess
import sys

import pytest

PROBE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({'static': settings.STORAGES['staticfiles']['BACKEND'], "
    "'finders': settings.WHITENOISE_USE_FINDERS}))"
)


def _run(tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "STATIC_ROOT"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="contento.settings", CONTENTO_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True
    )


def test_a_shared_database_needs_a_secret_key_from_the_environment(tmp_path):
    refused = _run(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert refused.returncode != 0
    assert "SECRET_KEY must be set when DATABASE_URL is" in refused.stderr
    assert not (tmp_path / "secret_key").exists()  # no key of its own was made
    started = _run(tmp_path, DATABASE_URL="postgres://x@127.0.0.1:1/n", SECRET_KEY="shared")
    assert started.returncode == 0, started.stderr


def test_one_machine_on_sqlite_keeps_its_own_key(tmp_path):
    assert _run(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("collected", [True, False])
def test_a_host_without_collected_static_files_serves_them_from_the_apps(tmp_path, collected):
    static_root = tmp_path / "static"
    static_root.mkdir()
    if collected:
        (static_root / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = _run(tmp_path, STATIC_ROOT=str(static_root))
    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    if collected:
        assert chosen == {
            "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "finders": False,
        }
    else:
        assert chosen == {
            "static": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "finders": True,
        }


def test_what_the_product_creates_is_private(tmp_path):
    """The var folder is 0700 and the database, key and cache files in it 0600."""
    var = tmp_path / "var"
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    environment.update(CONTENTO_VAR_DIR=str(var), CONTENTO_FAST_PASSWORD_HASHER="1")
    old_umask = os.umask(0o022)  # a machine's usual umask, as a shell would start us with
    try:
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "contento.cli", "migrate", "--verbosity", "0"],
            env=environment,
            check=True,
        )
    finally:
        os.umask(old_umask)
    assert var.stat().st_mode & 0o777 == 0o700
    files = [path for path in var.rglob("*") if path.is_file()]
    assert any(path.name == "contento.sqlite3" for path in files)
    loose = {str(path): oct(path.stat().st_mode & 0o777) for path in files}
    assert all(mode == "0o600" for mode in loose.values()), loose


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FILE_STORAGE": "tape"}, "use one of database, filesystem, s3"),
        ({"FILE_STORAGE": "s3"}, "FILE_STORAGE=s3 needs"),
    ],
)
def test_a_file_storage_that_cannot_work_is_refused_at_start(tmp_path, env, message):
    refused = _run(tmp_path, **env)
    assert refused.returncode != 0
    assert message in refused.stderr
