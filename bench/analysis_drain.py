"""The worker draining a backlog of unread comments, against the model's own batch rate.

A fresh database (SQLite in a temporary folder, or PostgreSQL) gets one live survey and N
open-text answers (10,000 by default) left unread, as a burst of submissions leaves them. A
fifth of them repeat an earlier comment word for word ("Good", "Fast delivery"), as real
comments do. The texts are sentences of the project's own writing: the seed articles in
../shared/seeds (when present) and the labelled theme set in bench/data/themes.

Figures: `analyze_many` on the same texts in batches (the model's rate, the ceiling), then
`contento.surveys.analysis.drain` reading them from the database in batches and storing each
reading (the worker's rate), both in texts per second; the ratio of the two; database
queries per text; peak RSS. Checks: every answer is read exactly once, none is left unread.

    .venv/bin/python bench/analysis_drain.py [--comments 10000] [--db sqlite|postgres|both]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench_drain"

CHILD = r"""
import json, random, re, resource, sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from django.test.utils import CaptureQueriesContext
import contento.text as text
from contento.accounts.models import Organization
from contento.surveys import analysis
from contento.surveys.actions import do_create_survey, do_set_survey_status
from contento.surveys.models import Answer, Question, Response

total, root = int(sys.argv[1]), Path(sys.argv[2])
rng = random.Random(20261207)
sentences = []
seeds = root.parent / "shared" / "seeds"
for path in sorted(seeds.glob("*")) if seeds.is_dir() else []:
    for part in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8")):
        if 20 <= len(part) <= 300:
            sentences.append(part.strip())
themes = root / "bench" / "data" / "themes" / "comments.tsv"
if themes.exists():
    for line in themes.read_text(encoding="utf-8").splitlines()[1:]:
        sentences.append(line.split("\t")[2])
if not sentences:
    sys.exit("No text to read: neither ../shared/seeds nor bench/data/themes is here.")
comments = []
for i in range(total):
    if comments and rng.random() < 0.2:
        comments.append(rng.choice(comments))  # said before, word for word
    else:
        comments.append(" ".join(rng.sample(sentences, rng.randint(1, 2))))

from django.utils import timezone
now = timezone.now()
org = Organization.objects.create(name="Bench")
survey = do_create_survey(org, {
    "format": "contento.survey/1", "default_language": "en", "languages": ["en"],
    "title": {"en": "Bench"},
    "questions": [{"key": "why", "type": "text", "text": {"en": "Why?"}}],
})
do_set_survey_status(survey, "live")
question = Question.objects.get(survey=survey, key="why")
responses = Response.objects.bulk_create(
    Response(survey=survey, status=Response.Status.COMPLETE, language="en") for _ in comments
)
Answer.objects.bulk_create(
    (Answer(survey=survey, response=r, question=question, text=c, answered_at=now)
     for r, c in zip(responses, comments)),
    batch_size=1000,
)
unique = len(set(comments))

text.analyze_many(["warm up the model"])  # load time is not the rate
started = time.perf_counter()
text.analyze_many(list(dict.fromkeys(comments)), batch_size=64)
model_seconds = time.perf_counter() - started
text.clear_cache()  # the drain starts cold, as a fresh worker does

started = time.perf_counter()
with CaptureQueriesContext(connection) as queries:
    read = 0
    while True:
        n = analysis.drain(seconds=3600, themes=False)
        read += n
        if not n:
            break
drain_seconds = time.perf_counter() - started
left = analysis.unread_answers().count()
print(json.dumps({
    "comments": total, "unique": unique, "read": read, "left": left,
    "model_rate": unique / model_seconds, "drain_rate": total / drain_seconds,
    "drain_unique_rate": unique / drain_seconds,
    "queries_per_text": len(queries) / max(total, 1),
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run(db: str, comments: int) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "contento.settings", "SECRET_KEY": "bench"}
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory() as folder:
        if db == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS contento_bench_drain")
                admin.execute("CREATE DATABASE contento_bench_drain")
            env["DATABASE_URL"] = PG_URL
        else:
            env.pop("DATABASE_URL", None)
            env["CONTENTO_VAR_DIR"] = folder
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(comments), str(ROOT)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode:
        sys.exit(f"{db}: the run failed\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        "| database | comments (unique) | model texts/s | drain texts/s (unique/s) "
        "| drain / model | queries per text | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|")
    failed = False
    for db in dbs:
        r = run(db, args.comments)
        print(
            f"| {db} | {r['comments']} ({r['unique']}) | {r['model_rate']:.1f} "
            f"| {r['drain_rate']:.1f} ({r['drain_unique_rate']:.1f}) "
            f"| {r['drain_unique_rate'] / r['model_rate']:.2f} "
            f"| {r['queries_per_text']:.2f} | {r['rss_mib']:.0f} |"
        )
        if r["read"] != r["comments"] or r["left"]:
            print(f"  FAILED: read {r['read']} of {r['comments']}, {r['left']} left unread")
            failed = True
        else:
            print(f"  verified: all {r['read']} comments read once, none left unread")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
