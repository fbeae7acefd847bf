"""Background imports for the web page: the upload is stored, a task runs it, and the page
polls the status kept in the cache under a key scoped to the workspace.
"""

import logging
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django_tasks import task

from contento.accounts.models import Organization
from contento.customers.imports.jobs import run_import

log = logging.getLogger(__name__)

STATUS_TIMEOUT = 24 * 3600  # seconds a background import's status stays readable


def _status_key(organization_code, import_id) -> str:
    return f"customers:import:{organization_code}:{import_id}"


def get_import_status(organization: Organization, import_id) -> dict | None:
    """Return the status of one of this workspace's background imports, or None."""
    return cache.get(_status_key(organization.code, import_id))


def _set_status(organization_code, import_id, **status) -> None:
    key = _status_key(organization_code, import_id)
    cache.set(key, {**(cache.get(key) or {}), **status}, STATUS_TIMEOUT)


def do_queue_import(organization: Organization, kind: str, upload, *, dry_run: bool) -> str:
    """Store an uploaded file (where every host sees it) and queue its import; return its id."""
    import_id = str(uuid.uuid4())
    path = default_storage.save(f"imports/{import_id}", upload)
    _set_status(organization.code, import_id, state="queued", kind=kind, done=0, total=None)
    transaction.on_commit(
        lambda: run_import_task.enqueue(str(organization.code), import_id, kind, path, dry_run),
        robust=True,
    )
    return import_id


@task()
def run_import_task(organization_code: str, import_id: str, kind: str, path: str, dry_run: bool):
    """Run a queued import once and record its result; a finished import is not run again."""
    status = cache.get(_status_key(organization_code, import_id)) or {}
    if status.get("state") in {"done", "failed"}:
        return status.get("state")
    organization = Organization.objects.filter(code=organization_code).first()
    if organization is None:
        _set_status(organization_code, import_id, state="failed")
        return "failed"
    if not default_storage.exists(path):
        # The upload should be where every host sees it (contento.core.storage): a missing
        # one is a failure to see and retry, not a quiet success.
        _set_status(organization_code, import_id, state="failed")
        raise FileNotFoundError(f"The uploaded file {path} cannot be found.")

    def progress(done, total):
        _set_status(organization_code, import_id, state="running", done=done, total=total)

    try:
        with default_storage.open(path, "rb") as file:
            result = run_import(organization, kind, file, dry_run=dry_run, progress=progress)
    except Exception:
        _set_status(organization_code, import_id, state="failed")
        log.exception("import failed", extra={"import": import_id})
        raise
    finally:
        default_storage.delete(path)
    _set_status(organization_code, import_id, state="done", result=result.as_dict())
    return "done"
