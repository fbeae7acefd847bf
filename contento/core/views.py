"""Views of the whole site that belong to no domain: the health check."""

from django.db import connection
from django.http import JsonResponse

from contento.core import health
from contento.core.errors import DATABASE_ERRORS, RETRY_AFTER_SECONDS


def healthz(request):
    """Say whether this host can serve, for load balancers and monitors.

    503 when the database cannot be reached. Stalled or dead background work is reported as
    "degraded" with the problems listed (200, so that a backlog of analysis does not take the
    web hosts out of the load balancer); `?strict=1` answers 503 for it too, for monitoring.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state = health.report()
    except DATABASE_ERRORS:
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    body = {
        "status": "ok" if state.ok else "degraded",
        "database": "ok",
        "tasks": state.backend,
        "problems": state.problems,
        "queues": {
            q.name: {"waiting": q.waiting, "oldest_seconds": q.oldest_seconds, "dead": q.dead}
            for q in state.queues
        },
        "workers_alive": sum(1 for p in state.processes if p.kind == "worker" and p.alive),
        "mail_listeners_alive": sum(1 for p in state.processes if p.kind == "mail" and p.alive),
    }
    strict = request.GET.get("strict") in ("1", "true")
    return JsonResponse(body, status=503 if strict and not state.ok else 200)
