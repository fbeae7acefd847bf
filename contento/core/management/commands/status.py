"""`contento status`: the background work at a glance, for the operator."""

import json

from django.core.management.base import BaseCommand

from contento.core.health import report


class Command(BaseCommand):
    help = (
        "Show each queue's depth, its oldest waiting task, running, retrying and dead tasks, "
        "and whether the workers and the mail listener are alive. Exits 1 if there is a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the state as JSON.")

    def handle(self, json_output=False, **options):
        state = report()
        if options.get("json"):
            self.stdout.write(json.dumps(state.as_dict(), indent=2))
        else:
            self._print(state)
        if not state.ok:
            raise SystemExit(1)

    def _print(self, state) -> None:
        self.stdout.write(f"Task queue: {state.backend}")
        if state.backend == "immediate":
            self.stdout.write("Tasks run inside the request; there are no queues to watch.")
            return
        self.stdout.write(
            f"\n{'queue':<10}{'waiting':>9}{'oldest':>10}{'running':>9}{'retrying':>10}{'dead':>6}"
        )
        for q in state.queues:
            oldest = "-" if q.oldest_seconds is None else f"{int(q.oldest_seconds)}s"
            self.stdout.write(
                f"{q.name:<10}{q.waiting:>9}{oldest:>10}{q.running:>9}{q.retrying:>10}{q.dead:>6}"
            )
        self.stdout.write("\nProcesses:")
        if not state.processes:
            self.stdout.write("  none has reported in the last week")
        for p in state.processes:
            alive = "alive" if p.alive else "SILENT"
            self.stdout.write(
                f"  {p.kind:<7} {p.lane:<16} {p.host}:{p.pid:<8} {alive:<7} "
                f"last beat {p.beat_at:%Y-%m-%d %H:%M:%S}"
            )
        self.stdout.write("")
        for problem in state.problems:
            self.stdout.write(self.style.ERROR(f"PROBLEM: {problem}"))
        if state.ok:
            self.stdout.write(self.style.SUCCESS("No problem."))
