"""Queue a campaign to a large audience: invitations prepared per second, queries per
invitation, peak memory, and proof that every exclusion is counted and nobody is invited twice.

For SQLite and for PostgreSQL, a fresh database gets one workspace with a live survey and N
customers (100,000 by default): 5 % unsubscribed, 3 % whose address bounced, 20 % surveyed in
the last 10 days (inside the workspace's 30-day gap between surveys), the rest reachable, in
six languages and a dozen time zones. `do_queue_campaign` then writes one delivery per
customer, scheduled in their own time zone or left out with its reason. It runs twice, at
N/10 and at N customers, so the queries per invitation can be seen not to grow with the
audience. Finally the first 1,000 due invitations are sent through the minute tick (to
Django's in-memory mail backend) to time the sending path too.

Checks (the run fails if one does not hold): the scheduled and excluded counts equal the
generated ones exactly, per reason; there is exactly one delivery per customer; queueing
again is refused and adds nothing.

    .venv/bin/python bench/campaign.py [--customers 100000] [--db both]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench_campaign"

CHILD = r"""
import datetime as dt, json, random, resource, sys, time, tracemalloc
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from contento.accounts.models import Organization
from contento.customers.models import Customer
from contento.distribution import campaigns
from contento.distribution.models import Audience, Campaign, Delivery
from contento.surveys.actions import do_create_survey, do_set_survey_status

total = int(sys.argv[1])
rng = random.Random(20261207)
now = timezone.now()
LANGUAGES = ["en", "es", "fr", "ru", "vi", "id"]
ZONES = ["Europe/Madrid", "Europe/Paris", "Europe/Moscow", "Asia/Ho_Chi_Minh", "Asia/Jakarta",
         "America/Mexico_City", "America/New_York", "America/Bogota", "Asia/Tokyo", "UTC",
         "Africa/Casablanca", "Australia/Sydney"]

def workspace(size):
    org = Organization.objects.create(name=f"Bench {size}")
    survey = do_create_survey(org, {
        "format": "contento.survey/1", "default_language": "en", "languages": LANGUAGES,
        "title": {code: "Bench" for code in LANGUAGES},
        "questions": [{"key": "nps", "type": "nps", "required": True,
                       "text": {code: "NPS?" for code in LANGUAGES}}],
    })
    do_set_survey_status(survey, "live")
    expected = {"scheduled": 0, "unsubscribed": 0, "bounced": 0, "recent": 0}
    rows = []
    for i in range(size):
        roll = rng.random()
        fields = {}
        if roll < 0.05:
            fields = {"unsubscribed_at": now, "contact_consent": False}
            expected["unsubscribed"] += 1
        elif roll < 0.08:
            fields = {"email_bounced_at": now}
            expected["bounced"] += 1
        elif roll < 0.28:
            fields = {"last_surveyed_at": now - dt.timedelta(days=rng.randint(0, 9))}
            expected["recent"] += 1
        else:
            expected["scheduled"] += 1
        rows.append(Customer(organization=org, name=f"Customer {i}",
                             email=f"c{i}.{size}@example.net", language=rng.choice(LANGUAGES),
                             timezone=rng.choice(ZONES), **fields))
    Customer.objects.bulk_create(rows, batch_size=2000)
    audience = Audience.objects.create(organization=org, name="Everyone")
    campaign = Campaign.objects.create(organization=org, name="Bench", survey=survey,
                                       audience=audience)
    return campaign, expected

figures = {}
for size in (max(total // 10, 100), total):
    campaign, expected = workspace(size)
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        queued = campaigns.do_queue_campaign(campaign, now=now)
        seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    got = {"scheduled": queued["scheduled"], **{k: queued["excluded"].get(k, 0)
           for k in ("unsubscribed", "bounced", "recent")}}
    deliveries = Delivery.objects.filter(campaign=campaign)
    distinct = deliveries.values("customer").distinct().count()
    try:
        campaigns.do_queue_campaign(campaign, now=now)
        again = "accepted"
    except Exception as error:
        again = type(error).__name__
    figures[size] = {
        "seconds": seconds, "queries": len(queries), "peak_mb": peak / 2**20,
        "expected": expected, "got": got, "deliveries": deliveries.count(), "distinct": distinct,
        "again": again, "after_again": deliveries.count(),
    }

# Sending: the first 1,000 due invitations of the large campaign, through the tick (the
# small campaign is stopped first, so that only the large one sends).
Campaign.objects.exclude(pk=campaign.pk).update(status="cancelled")
Delivery.objects.filter(campaign=campaign, status="scheduled").update(send_after=now)
Campaign.objects.filter(pk=campaign.pk).update(per_minute=1000)
with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
    from django.core import mail
    mail.outbox = []
    started = time.perf_counter()
    sent = campaigns.tick(now=now + dt.timedelta(seconds=1))
    send_seconds = time.perf_counter() - started
    recipients = [m.to[0] for m in mail.outbox]
figures["send"] = {"result": sent, "seconds": send_seconds, "mails": len(recipients),
                   "unique": len(set(recipients))}
figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(figures))
"""


def run(database_url: str, customers: int) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "contento.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only",
    }
    done = subprocess.run(  # noqa: S603 - this repository's own child, fixed arguments
        [sys.executable, "-c", CHILD, str(customers)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_postgres() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS contento_bench_campaign WITH (FORCE)")
        connection.execute("CREATE DATABASE contento_bench_campaign")
    return PG_URL


def report(db: str, figures: dict) -> list[str]:
    problems = []
    send = figures.pop("send")
    rss = figures.pop("rss_mb")
    print(f"\n{db}:")
    per_invitation = []
    for size, f in figures.items():
        rate = f["got"]["scheduled"] / f["seconds"] if f["seconds"] else float("inf")
        ratio = f["queries"] / int(size)
        per_invitation.append(ratio)
        excluded = {k: v for k, v in f["got"].items() if k != "scheduled"}
        print(
            f"  {int(size):>9,} customers: {f['seconds']:6.2f} s, {rate:9,.0f} invitations "
            f"prepared/s, {f['queries']} queries ({ratio:.4f} per invitation), "
            f"peak {f['peak_mb']:.1f} MiB traced"
        )
        print(f"  {'':>9}  scheduled {f['got']['scheduled']:,}; left out {excluded}")
        if f["got"] != f["expected"]:
            problems.append(f"{db} {size}: counted {f['got']}, generated {f['expected']}")
        if not f["deliveries"] == f["distinct"] == int(size):
            problems.append(f"{db} {size}: {f['deliveries']} deliveries, {f['distinct']} customers")
        if f["again"] == "accepted" or f["after_again"] != f["deliveries"]:
            problems.append(f"{db} {size}: queueing again was not refused")
    print(
        f"  queries per invitation, small / large audience: "
        f"{per_invitation[0]:.4f} / {per_invitation[-1]:.4f}"
    )
    rate = send["mails"] / send["seconds"] if send["seconds"] else float("inf")
    print(
        f"  sending: {send['mails']} invitations in {send['seconds']:.2f} s ({rate:,.0f}/s), "
        f"{send['unique']} distinct recipients; process peak RSS {rss:.0f} MiB"
    )
    if send["mails"] != send["unique"]:
        problems.append(f"{db}: a customer received two invitations")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    problems = []
    with tempfile.TemporaryDirectory(prefix="contento-bench-") as tmp:
        databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        for db in databases:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}" if db == "sqlite" else fresh_postgres()
            problems += report(db, run(url, args.customers))
    if problems:
        sys.exit("FAILED: " + "; ".join(problems))
    print("\nverified: every exclusion counted, one delivery per customer, none sent twice")


if __name__ == "__main__":
    main()
