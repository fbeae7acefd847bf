import json
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contento.accounts.models import Organization
from contento.customers.models import Customer

LANGUAGE_CHOICES = settings.LANGUAGES


class Survey(models.Model):
    """A questionnaire that asks customers what they expected and what they got.

    Its own text fields are in `default_language`; `languages` lists every language it is
    offered in, and `SurveyTranslation`, `QuestionTranslation` and `ChoiceTranslation` rows hold
    the other languages' text. A missing translation falls back to the default language.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="surveys")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    thank_you = models.TextField(_("thank-you message"), blank=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    languages = models.JSONField(_("languages"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # After each completed response of a known customer, thank them by email in their
    # language (with the thank-you message), as far as they may be contacted.
    thank_by_email = models.BooleanField(_("thank by email"), default=False, db_default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:dashboard", args=[self.code])

    def get_public_url(self):
        return reverse("public:open", args=[self.code])

    @property
    def all_languages(self) -> list[str]:
        return [self.default_language] + [c for c in self.languages if c != self.default_language]


class SurveyTranslation(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    thank_you = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "language"], name="survey_translation_unique")
        ]


class Question(models.Model):
    """One question of a survey. What it asks and how it is answered depend on its `kind`.

    `key` names the question stably inside its survey (in the JSON definition, in exports, in
    display logic); `settings` holds kind-specific options such as a rating scale's range and
    end labels; `logic` is an optional display condition on an earlier answer.
    """

    class Kind(models.TextChoices):
        NPS = "nps", _("Net Promoter Score (0–10)")
        CSAT = "csat", _("Customer satisfaction (1–5)")
        CES = "ces", _("Customer effort (1–7)")
        RATING = "rating", _("Rating scale")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        MATRIX = "matrix", _("Matrix")
        TEXT = "text", _("Open text")
        EXPECTATION = "expectation", _("Expectation vs perception")
        KANO = "kano", _("Kano pair (with and without a feature)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=50)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    page = models.PositiveSmallIntegerField(_("page"), default=1)
    position = models.PositiveIntegerField(default=0)
    required = models.BooleanField(_("required"), default=False)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("help text"), blank=True)
    settings = models.JSONField(default=dict, blank=True)
    logic = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["page", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique")
        ]

    def __str__(self):
        return f"{self.key}: {self.text[:60]}"

    @property
    def logic_json(self) -> str:
        return json.dumps(self.logic) if self.logic else ""


class QuestionTranslation(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    text = models.TextField(blank=True)
    help_text = models.TextField(blank=True)
    # Translated scale end labels: {"min_label": ..., "max_label": ...}.
    labels = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "language"], name="question_translation_unique"
            )
        ]


class Choice(models.Model):
    """An option of a single- or multiple-choice question, or an item (row) of a matrix."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_key_unique")
        ]

    def __str__(self):
        return self.label


class ChoiceTranslation(models.Model):
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    label = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["choice", "language"], name="choice_translation_unique")
        ]


class CountedManager(models.Manager):
    """The rows that count: all but the test answers given from a survey's preview.

    It is the default manager, so every count, list, export and analysis leaves tests out
    without saying so; `all_objects` sees them too (the preview itself, deletions).
    """

    def get_queryset(self):
        return super().get_queryset().filter(is_test=False)


class Response(models.Model):
    """One respondent's answers to one survey, saved page by page until complete.

    `link_key` is set for a personal link (one response per link); `idempotency_key` for an
    API submission (a retried request returns the same response).
    """

    class Status(models.TextChoices):
        PARTIAL = "partial", _("Partial")
        COMPLETE = "complete", _("Complete")

    class Source(models.TextChoices):
        LINK = "link", _("Open link")
        PERSONAL = "personal", _("Personal link")
        API = "api", _("API")
        INTERVIEW = "interview", _("Interview")

    class Mode(models.TextChoices):
        """Who wrote the answers down: the customer, or a member asking them."""

        SELF = "self", _("Self-completed")
        PHONE = "phone", _("By phone, with an interviewer")
        IN_PERSON = "in_person", _("In person, with an interviewer")

    # Indexed by the composite indexes below, which lead with it.
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PARTIAL)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LINK)
    # A database default as well: rows written in bulk without the column (benches, raw
    # loads) are self-completed.
    mode = models.CharField(
        max_length=10, choices=Mode.choices, default=Mode.SELF, db_default=Mode.SELF
    )
    thanked_at = models.DateTimeField(null=True, blank=True)
    # The member who asked the questions, in an interview (people answer an interviewer more
    # kindly: the dashboards can split the figures by mode).
    interviewer = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    page = models.PositiveSmallIntegerField(default=0)
    link_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Given from the staff's preview: kept apart from every count, list and export.
    is_test = models.BooleanField(default=False)

    all_objects = models.Manager()
    objects = CountedManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="response_idempotency_unique",
            )
        ]
        indexes = [
            models.Index(fields=["survey", "started_at"]),
            models.Index(fields=["survey", "status", "completed_at"]),
        ]

    def __str__(self):
        return str(self.code)


class Answer(models.Model):
    """One value given to one question: a score, a choice or a text.

    Analytics read this table, so it carries the survey, the language and the time of the
    answer and is indexed by survey, question and time. A matrix answer is one row per item
    (`item`); an expectation-vs-perception answer is two rows (`part`); a multiple-choice
    answer is one row per chosen option.
    """

    class Part(models.TextChoices):
        VALUE = "", _("Value")
        EXPECTED = "expected", _("Expected")
        PERCEIVED = "perceived", _("Perceived")
        FUNCTIONAL = "functional", _("With the feature")
        DYSFUNCTIONAL = "dysfunctional", _("Without the feature")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # No index of its own on survey, question or sentiment: the composite indexes below lead
    # with survey and with question, and every index is one more write per answer saved.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    item = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="item_answers"
    )
    part = models.CharField(max_length=16, choices=Part.choices, blank=True, default="")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="choice_answers"
    )
    value = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=8)
    answered_at = models.DateTimeField()
    # What `contento.text` read in an open-text answer, filled in by the background worker:
    # `analysis` is `Analysis.to_dict()` (with its `model_version`), the columns copy the parts
    # the dashboard filters on. `text_language` is the language the text is written in, which
    # can differ from `language`, the language the survey was answered in.
    analysis = models.JSONField(null=True, blank=True)
    text_language = models.CharField(max_length=16, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    anger = models.FloatField(null=True, blank=True)
    angry = models.BooleanField(default=False)
    theme = models.ForeignKey(
        "SurveyTheme", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    is_test = models.BooleanField(default=False)  # as its response's

    all_objects = models.Manager()
    objects = CountedManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["survey", "question", "answered_at"]),
            models.Index(fields=["question", "value"]),
            # The few texts still waiting to be read, for the sweep that queues them again.
            models.Index(
                fields=["answered_at"],
                condition=models.Q(analysis__isnull=True) & ~models.Q(text=""),
                name="answer_unanalysed",
            ),
        ]

    def __str__(self):
        return f"{self.question.key}={self.value if self.value is not None else self.text[:30]}"


class SurveyTheme(models.Model):
    """A group of a survey's open-text answers about the same thing, in any language.

    Computed by `contento.text.themes` over every analysed answer of the survey, in the
    background, and replaced as a whole when computed again; `basis` is how many analysed
    answers the computation saw, so the worker can tell when enough new ones arrived.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="themes")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=200)
    # One label per language present among the theme's answers: {"en": "...", "es": "..."}.
    labels = models.JSONField(default=dict, blank=True)
    terms = models.JSONField(default=list, blank=True)
    examples = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField(default=0)
    share = models.FloatField(default=0.0)
    sentiment = models.FloatField(null=True, blank=True)
    basis = models.PositiveIntegerField(default=0)
    model_version = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    def label_in(self, language: str) -> str:
        """Return the label in `language` when the theme has answers in it, else the main one."""
        return self.labels.get(language) or self.label


class TrackedTheme(models.Model):
    """One of the workspace's own themes (a taxonomy): what customers write about that the
    business wants to follow over time, in every survey and language.

    A theme has a name per language, a few example phrases in any language and optional
    keywords per language; every open-text answer is assigned to zero, one or several themes
    by meaning (`contento.text.taxonomy`), with a confidence (`AnswerTheme`). A theme keeps
    its identity when it is renamed or given more examples, so its monthly share is a trend.
    """

    class Origin(models.TextChoices):
        WRITTEN = "written", _("Written by the team")
        STARTER = "starter", _("From a starter list")
        DISCOVERED = "discovered", _("Accepted from the discovered themes")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="tracked_themes"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # {"en": "Delivery", "es": "Entrega", ...}; at least one.
    names = models.JSONField(default=dict)
    examples = models.JSONField(default=list, blank=True)
    # {"en": ["late", "courier"], ...}
    keywords = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.WRITTEN)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name_in("en")

    def name_in(self, language: str) -> str:
        """The theme's name in `language`, else in English, else any."""
        names = self.names or {}
        return names.get(language) or names.get("en") or next(iter(names.values()), "?")


class AnswerTheme(models.Model):
    """An open-text answer is about a tracked theme, this sure, because of this sentence."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="tracked_themes")
    theme = models.ForeignKey(TrackedTheme, on_delete=models.CASCADE, related_name="answers")
    confidence = models.FloatField()
    sentence = models.CharField(max_length=500, blank=True)
    # The sentence's own sentiment: a comment can praise one theme and blame another.
    sentiment_score = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "theme"], name="answer_theme_once")
        ]
        indexes = [models.Index(fields=["theme", "answer"])]


class Invitation(models.Model):
    """An email that asks one customer to answer one survey through their personal link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invitations")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "customer"], name="invitation_unique")
        ]

    def __str__(self):
        return f"{self.survey} → {self.customer}"


class ScoreCount(models.Model):
    """How many answers gave one score to one question on one day, in one slice of the data.

    Scores are discrete, so these counts are sufficient statistics for NPS, CSAT, CES, means
    and their intervals: dashboards sum a few hundred of these rows instead of scanning
    millions of answers. Each answer is counted once in the `all` slice and once per other
    dimension (its language, ...), so a filter on one dimension reads only that dimension's
    rows. The counts are kept in step with the answers by `contento.surveys.rollups`, in
    the same transaction as the answers themselves.

    The counts are a property of the answers, so they live with them; insights reads them.
    The table keeps its first name (it was created by the insights app).
    """

    # Indexed by the unique constraint below, which leads with it.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The matrix item ("" for questions without items) and the part of an expectation item.
    item_key = models.CharField(max_length=50, blank=True, default="")
    part = models.CharField(max_length=16, blank=True, default="")
    day = models.DateField()
    dimension = models.CharField(max_length=20)
    dimension_value = models.CharField(max_length=50, blank=True, default="")
    value = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "insights_scorecount"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "survey",
                    "question",
                    "item_key",
                    "part",
                    "day",
                    "dimension",
                    "dimension_value",
                    "value",
                ],
                name="scorecount_unique",
            )
        ]
        indexes = [models.Index(fields=["survey", "dimension", "dimension_value", "day"])]

    def __str__(self):
        return f"{self.question_id}={self.value} on {self.day} [{self.dimension}]: {self.n}"


class MonthlyScoreCount(models.Model):
    """The same counts as `ScoreCount`, summed per calendar month.

    Views over whole months (the overview's trends, slices over all time) read these: a
    slice over two years is 24 rows per score instead of some 730, which keeps the overview
    fast at tens of millions of answers. Kept in the same statement as the daily counts.
    """

    # Indexed by the unique constraint below, which leads with it.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Indexed by the (question, dimension, month) index below.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    item_key = models.CharField(max_length=50, blank=True, default="")
    part = models.CharField(max_length=16, blank=True, default="")
    month = models.DateField()
    dimension = models.CharField(max_length=20)
    dimension_value = models.CharField(max_length=50, blank=True, default="")
    value = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "insights_monthlyscorecount"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "survey",
                    "question",
                    "item_key",
                    "part",
                    "month",
                    "dimension",
                    "dimension_value",
                    "value",
                ],
                name="monthlyscorecount_unique",
            )
        ]
        indexes = [models.Index(fields=["question", "dimension", "month"])]

    def __str__(self):
        return f"{self.question_id}={self.value} in {self.month:%Y-%m} [{self.dimension}]: {self.n}"


class PairMoment(models.Model):
    """Sums over the respondents who answered both of two scored variables in one month.

    With `n`, the sums and the sums of squares and products of every pair of variables (a
    question's score, a matrix item, an expectation part), the correlation matrix of all the
    survey's items is known with pairwise deletion, which is all that key-driver analysis
    needs: drivers over a million responses read a few thousand rows. The diagonal pairs
    (`var_a == var_b`) hold each variable's own count, sum and sum of squares.
    """

    # Indexed by the unique constraint below, which leads with it.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    dimension = models.CharField(max_length=20)
    dimension_value = models.CharField(max_length=50, blank=True, default="")
    var_a = models.CharField(max_length=80)
    var_b = models.CharField(max_length=80)
    n = models.BigIntegerField(default=0)
    sum_a = models.BigIntegerField(default=0)
    sum_b = models.BigIntegerField(default=0)
    sum_aa = models.BigIntegerField(default=0)
    sum_bb = models.BigIntegerField(default=0)
    sum_ab = models.BigIntegerField(default=0)

    class Meta:
        db_table = "insights_pairmoment"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "month", "dimension", "dimension_value", "var_a", "var_b"],
                name="pairmoment_unique",
            )
        ]

    def __str__(self):
        return f"{self.var_a}×{self.var_b} {self.month} [{self.dimension}]: n={self.n}"
