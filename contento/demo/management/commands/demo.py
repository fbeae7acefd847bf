import datetime as dt
import random
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from contento.accounts.actions import do_create_demo_workspace, do_remove_demo_workspaces
from contento.accounts.models import Membership, Organization, User
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer, do_save_customer
from contento.demo import corpus, desk
from contento.demo.surveys import INSTALLATION, RELATIONSHIP, SUPPORT
from contento.surveys.actions import (
    do_create_survey,
    do_save_page,
    do_set_survey_status,
    do_start_response,
    do_submit_response,
)
from contento.surveys.links import make_token, read_token
from contento.surveys.localize import localize
from contento.surveys.models import Response

DEMO_NAME = "Nimbus Connect (demo)"  # an invented internet provider
# How often each language occurs among the demo customers.
LANGUAGE_WEIGHTS = {"en": 30, "es": 20, "fr": 15, "ru": 12, "vi": 12, "id": 11}


def _score(rng, kind, sentiment):
    ranges = {
        "nps": {"positive": (9, 10), "neutral": (7, 8), "negative": (0, 6)},
        "csat": {"positive": (4, 5), "neutral": (3, 3), "negative": (1, 2)},
        "ces": {"positive": (6, 7), "neutral": (4, 5), "negative": (1, 3)},
        "likert": {"positive": (4, 5), "neutral": (3, 4), "negative": (1, 3)},
        "seven": {"positive": (5, 7), "neutral": (4, 5), "negative": (1, 4)},
    }
    low, high = ranges[kind][sentiment]
    return rng.randint(low, high)


# The customers' plan (a customer attribute) and how it moves their share of negative answers:
# Business customers, who have a named account manager, are the happiest.
PLANS = {"Basic": 0.08, "Plus": 0.0, "Business": -0.12}
PLAN_WEIGHTS = [50, 35, 15]
COUNTRIES = {
    "en": ["United Kingdom", "United States"],
    "es": ["Spain", "Mexico"],
    "fr": ["France", "Canada"],
    "ru": ["Russia"],
    "vi": ["Vietnam"],
    "id": ["Indonesia"],
}


def _sentiment(rng, progress, shift=0.0):
    # Satisfaction improves over the year: the share of negative answers falls from 35% to 20%.
    negative = 0.35 - 0.15 * progress + shift
    roll = rng.random()
    return "negative" if roll < negative else "neutral" if roll < negative + 0.25 else "positive"


class Command(BaseCommand):
    help = (
        "Fill a workspace with realistic demo data: customers in six languages, surveys, responses."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workspace",
            help="Load into this empty workspace (its code) instead of a new demo workspace.",
        )
        parser.add_argument(
            "--remove", action="store_true", help="Delete the demo workspaces and all their data."
        )
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, workspace, remove, customers, seed, **options):
        if remove:
            removed = do_remove_demo_workspaces()
            self.stdout.write(f"Removed {removed} demo workspace(s).")
            return
        if workspace:
            org = Organization.objects.filter(code=workspace).first()
            if org is None:
                raise CommandError(f"No workspace has the code {workspace}.")
        else:
            org = self._demo_workspace()
        if org.surveys.exists():
            raise CommandError(
                f"The workspace {org.name!r} already has surveys; "
                "demo data is only loaded into an empty one."
            )
        rng = random.Random(seed)
        with transaction.atomic():
            people = self._customers(org, rng, customers)
            # Each customer's mood and when they said it in the relationship survey: the desk
            # makes their renewals and purchases follow it (the loyalty page's evidence).
            moods: dict = {}
            surveys = []
            for doc in (RELATIONSHIP, INSTALLATION, SUPPORT):
                survey = do_create_survey(org, doc)
                do_set_survey_status(survey, "live")
                surveys.append(survey)
            counts = [
                self._responses(surveys[0], people, rng, self._relationship, 0.9, moods),
                self._responses(surveys[1], people, rng, self._installation, 0.35),
                self._responses(surveys[2], people, rng, self._support, 0.5),
            ]
            owner = org.memberships.filter(role="owner").order_by("pk").first()
            tickets = desk.load(org, owner, people, rng, moods=moods)
        self.stdout.write(
            f"Demo data: {len(people)} customers, {len(surveys)} surveys, {sum(counts)} responses, "
            f"{tickets} tickets."
        )

    def _demo_workspace(self) -> Organization:
        """Create the demo workspace, owned by the owners of the installation's workspaces."""
        if Organization.objects.filter(is_demo=True).exists():
            raise CommandError(
                "The demo is already loaded; `contento demo --remove` deletes it first."
            )
        owners = Membership.objects.filter(role=Role.OWNER, organization__is_demo=False)
        users = list(User.objects.filter(memberships__in=owners).distinct().order_by("pk"))
        if not users:
            raise CommandError("No owner to give the demo to: run `contento setup` first.")
        return do_create_demo_workspace(DEMO_NAME, owners=users)

    def _customers(self, org, rng, count):
        languages = list(LANGUAGE_WEIGHTS)
        weights = list(LANGUAGE_WEIGHTS.values())
        people = []
        for index in range(count):
            lang = rng.choices(languages, weights)[0]
            first, last = rng.choice(corpus.FIRST_NAMES[lang]), rng.choice(corpus.LAST_NAMES[lang])
            name = f"{last} {first}" if lang == "vi" else f"{first} {last}"
            customer = do_create_customer(
                org,
                name=name,
                email=f"customer{index + 1}@example.net",
                language=lang,
                external_id=f"NC-{10000 + index}",
            )
            plan = rng.choices(list(PLANS), PLAN_WEIGHTS)[0]
            do_save_customer(
                org,
                {"attributes": {"plan": plan, "country": rng.choice(COUNTRIES[lang])}},
                customer,
            )
            people.append(customer)
        return people

    def _responses(self, survey, people, rng, answer, share, moods=None):
        now = timezone.now()
        created = 0
        for customer in people:
            if rng.random() > share:
                continue
            days_ago = rng.uniform(0, 365)
            at = now - dt.timedelta(days=days_ago)
            shift = PLANS.get(customer.attributes.get("plan"), 0.0)
            sentiment = _sentiment(rng, 1 - days_ago / 365, shift)
            if moods is not None:
                moods[customer.pk] = (sentiment, at)
            if rng.random() < 0.08:
                # Some respondents stop after the first page: the dashboard's completion rate.
                self._partial(survey, customer, answer(rng, customer.language, sentiment), at)
                continue
            do_submit_response(
                survey,
                answers=answer(rng, customer.language, sentiment),
                language=customer.language,
                customer=customer,
                source=Response.Source.PERSONAL,
                at=at,
            )
            created += 1
        return created

    def _partial(self, survey, customer, answers, at):
        language = customer.language
        local = localize(survey, language)
        response = do_start_response(
            survey,
            code=uuid.uuid4(),
            language=language,
            source=Response.Source.PERSONAL,
            customer=customer,
            link_key=read_token(survey, make_token(survey, customer))[1],
            at=at,
        )
        first = local.pages[0]
        data = QueryDict(mutable=True)
        for lq in local.on_page(first):
            if isinstance(answers.get(lq.key), (int, str)):
                data[lq.field_name] = str(answers[lq.key])
        do_save_page(local, response, first, data, at=at)

    def _comment(self, rng, lang, sentiment, chance=0.7):
        return rng.choice(corpus.COMMENTS[lang][sentiment]) if rng.random() < chance else None

    def _relationship(self, rng, lang, sentiment):
        nps = _score(rng, "nps", sentiment)
        answers = {
            "nps": nps,
            "reason": self._comment(rng, lang, sentiment),
            "service": rng.choice([p["key"] for p in corpus.PRODUCTS if p["kind"] == "service"]),
            "drivers": {
                # How closely each item follows the customer's overall feeling: reliability
                # drives satisfaction most in this demo, price least.
                k: _score(rng, "likert", sentiment if rng.random() < weight else "neutral")
                for k, weight in (
                    ("speed", 0.75),
                    ("reliability", 0.95),
                    ("price", 0.3),
                    ("support", 0.7),
                    ("billing", 0.45),
                )
            },
            "speed-gap": {
                "expected": rng.randint(5, 7),
                "perceived": _score(rng, "seven", sentiment),
            },
            "contact": rng.sample(["phone", "email", "chat", "store"], rng.randint(1, 2)),
            "ces": _score(rng, "ces", sentiment),
        }
        # Kano pairs (functional, dysfunctional) of 1 like .. 5 dislike: a must-be, an
        # attractive and a one-dimensional feature, with the usual noise.
        for key, typical in (
            ("router-swap", (3, 5)),
            ("night-boost", (1, 3)),
            ("technician", (1, 5)),
        ):
            if rng.random() < 0.75:
                answers[key] = {"functional": typical[0], "dysfunctional": typical[1]}
            else:
                answers[key] = {"functional": rng.randint(1, 5), "dysfunctional": rng.randint(1, 5)}
        if nps <= 6:
            answers["improve"] = self._comment(rng, lang, "negative", 0.5)
        return answers

    def _installation(self, rng, lang, sentiment):
        return {
            "csat": _score(rng, "csat", sentiment),
            "effort": _score(rng, "ces", sentiment),
            "comment": self._comment(rng, lang, sentiment, 0.5),
        }

    def _support(self, rng, lang, sentiment):
        mood, text = rng.choice(corpus.SUPPORT_COMMENTS[lang])
        return {
            "treated": _score(rng, "csat", mood),
            "comment": text if rng.random() < 0.6 else None,
        }
