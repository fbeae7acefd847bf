"""Keep child processes running: restart one that exits, with back-off, and say so.

`contento serve` runs the task workers and the mail listener beside the web server, and
`contento worker` runs one process per lane; if any of them is killed (kill -9, the OOM
killer, a crash) it comes back within seconds instead of leaving the site taking answers
that nobody processes. A child that keeps dying is restarted less and less often (1 s, 2 s,
4 s... up to a minute), and counts as healthy again once it has run for a minute.

In production run `contento serve --no-worker --no-mail` and `contento worker` under your
own supervisor (systemd `Restart=always`, a container restart policy); see docs/scaling.md.
"""

import logging
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("contento.supervisor")

MAX_DELAY = 60
HEALTHY_AFTER = 60
# A child exits with this code when it cannot work here at all (the mail port is taken by
# another listener): it is tried again only every few minutes.
EXIT_UNAVAILABLE = 3
UNAVAILABLE_DELAY = 300


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = field(default=0)


class Supervisor:
    """Start children, restart them when they exit, stop them all on `stop()`."""

    def __init__(self, children: dict[str, list[str]], poll: float = 0.5):
        self.children = [Child(name, argv) for name, argv in children.items()]
        self.poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)
        self._thread.start()

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv)  # noqa: S603 - our own command lines
        child.started_at = time.monotonic()
        child.restart_at = None
        log.info("started %s (pid %s)", child.name, child.process.pid)

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            now = time.monotonic()
            for child in self.children:
                if child.restart_at is not None:
                    if now >= child.restart_at and not self._stop.is_set():
                        child.restarts += 1
                        self._spawn(child)
                    continue
                code = child.process.poll() if child.process else None
                if code is None:
                    continue
                if now - child.started_at >= HEALTHY_AFTER:
                    child.failures = 0
                child.failures += 1
                if code == EXIT_UNAVAILABLE:
                    delay = UNAVAILABLE_DELAY
                else:
                    delay = min(2 ** (child.failures - 1), MAX_DELAY)
                child.restart_at = now + delay
                log.warning(
                    "%s exited with code %s; restarting it in %s s", child.name, code, delay
                )

    def stop(self, timeout: float = 15) -> None:
        """Stop the children: SIGTERM, then SIGKILL for one that does not stop in time."""
        self._stop.set()
        # The watcher may be restarting a child at this very moment: wait for it to finish,
        # so that the child it starts is stopped too rather than left running.
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=max(self.poll * 4, 1))
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def pids(self) -> dict[str, int | None]:
        return {c.name: c.process.pid if c.process else None for c in self.children}
