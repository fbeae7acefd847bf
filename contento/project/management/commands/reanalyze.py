import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from contento.support.analysis import analyze_messages
from contento.support.models import TicketMessage
from contento.surveys import analysis
from contento.surveys.models import Survey


def _stale(queryset, version: str):
    """Return the rows whose stored analysis was not made by `version` (or is missing)."""
    return queryset.filter(
        Q(analysis__isnull=True)
        | ~Q(analysis__has_key="model_version")
        | ~Q(analysis__model_version=version)
    )


class Command(BaseCommand):
    help = (
        "Analyse again, with the current text model, every open-text answer and inbound "
        "ticket message it has not read yet. Rows are read in batches and saved as they go, "
        "so an interrupted run resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", choices=["answers", "messages"], help="Re-read only these rows."
        )
        parser.add_argument("--batch-size", type=int, default=64, help="Texts per batch.")
        parser.add_argument(
            "--every",
            type=float,
            default=10.0,
            help="Seconds between progress lines when the output is not a terminal.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Re-read every row, even those the current model already read.",
        )

    def handle(self, only, batch_size, force, every=10.0, **options):
        try:  # imported here: the text library and its model runtime are optional
            import contento.text as text
        except ImportError:
            raise CommandError("contento.text is not installed; nothing to analyse.") from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        version = text.model_version()
        answers = analysis.text_answers()
        messages = TicketMessage.objects.filter(direction=TicketMessage.Direction.INBOUND)
        if not force:
            answers, messages = _stale(answers, version), _stale(messages, version)
        answers = answers.none() if only == "messages" else answers
        messages = messages.none() if only == "answers" else messages
        self.stdout.write(f"Model {version}.")
        done = {"answers": 0, "messages": 0}
        surveys: set[int] = set()
        total = answers.count() + messages.count()
        self.stdout.write(f"{total} texts to read.")
        # On a terminal tqdm draws its bar (with the rate and the time left); elsewhere (a
        # log, a container) a line says the same every `every` seconds.
        tty = sys.stderr.isatty()
        with (
            tqdm(total=total, unit=" texts", file=self.stderr._out, disable=not tty) as bar,
            Progress(self.stdout, total, every if not tty else None) as progress,
        ):
            bar.update = _both(bar.update, progress.update)  # type: ignore[method-assign]
            try:
                for rows in _batches(answers.values_list("pk", "survey_id"), batch_size):
                    ids = [pk for pk, _survey in rows]
                    done["answers"] += analysis.analyze_answers(
                        ids, batch_size, force=force, themes=False
                    )
                    surveys.update(survey for _pk, survey in rows)
                    bar.update(len(rows))
                for rows in _batches(messages.values_list("pk", "code"), batch_size):
                    codes = [str(code) for _pk, code in rows]
                    if force:
                        # analyze_messages skips what the current model read: forget it first.
                        TicketMessage.objects.filter(code__in=codes).update(analysis=None)
                    done["messages"] += analyze_messages(codes, batch_size)
                    bar.update(len(rows))
            except KeyboardInterrupt:
                bar.close()
                self._report(done)
                raise CommandError(
                    "Interrupted. What was analysed is saved: run the command again to go on."
                ) from None
        for survey in Survey.objects.filter(pk__in=surveys):
            analysis.schedule_themes(survey, force=True)
        self._report(done)

    def _report(self, done):
        self.stdout.write(f"Analysed {done['answers']} answers and {done['messages']} messages.")


def _both(first, second):
    def update(n):
        first(n)
        second(n)

    return update


class Progress:
    """Progress lines for a log: texts read, the rate, and the time left at that rate."""

    def __init__(self, out, total: int, every: float | None):
        self.out, self.total, self.every = out, total, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.every is not None and self.done:
            self.write()
        return False

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.every is not None and now - self.last >= self.every:
            self.last = now
            self.write()

    def write(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0.0
        self.out.write(
            f"{self.done}/{self.total} texts, {rate:.1f} texts/s, about {_duration(left)} left"
        )


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _batches(rows, size: int):
    """Yield lists of at most `size` rows (pk first) in pk order, one query per batch.

    Each query starts after the last pk seen, so rows analysed meanwhile drop out of the stale
    filter without shifting the batches.
    """
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1][0]
