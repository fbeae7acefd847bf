"""What customers write, summed up: a survey's themes over time, and the words that set
detractors apart from promoters.

Themes themselves are computed in the background (`surveys.analysis`, stored as
`SurveyTheme` with each answer pointing at its theme); this module only counts them per month
(one GROUP BY query) and compares the comments of two groups with `contento.text.keywords`.
`page` is what the themes page shows: a row per theme, and the detractors' and promoters' words.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.surveys.models import (
    Answer,
    AnswerTheme,
    Question,
    Survey,
    SurveyTheme,
    TrackedTheme,
)

MAX_KEYWORD_COMMENTS = 20_000  # per group; the newest are kept
# A theme's mean sentiment (−1..1) this far from 0 reads as negative or positive.
TONE_THRESHOLD = 0.2
TONE_NAMES = {
    "unknown": _("not read yet"),
    "negative": _("negative"),
    "positive": _("positive"),
    "neutral": _("mixed or neutral"),
}


@dataclass(frozen=True)
class ThemeTrend:
    """A theme's comments in the period, in all and as a share of each month's."""

    theme: SurveyTheme
    size: int  # comments in the period looked at
    share: float | None
    by_month: dict[date, int] = field(default_factory=dict)
    shares: list[float | None] = field(default_factory=list)  # per month of `months`


@dataclass(frozen=True)
class ThemeReport:
    """The survey's themes, largest first, over the months of the period that have comments."""

    months: list[date]
    themes: list[ThemeTrend]
    comments: int  # analysed comments with a theme in the period
    computed_at: datetime | None


def _month(value) -> date:
    return value.date().replace(day=1) if isinstance(value, datetime) else value.replace(day=1)


def _text_answers(survey: Survey, since=None, until=None):
    answers = Answer.objects.filter(survey=survey, question__kind=Question.Kind.TEXT).exclude(
        text=""
    )
    if since:
        answers = answers.filter(answered_at__gte=since)
    if until:
        answers = answers.filter(answered_at__lt=until)
    return answers


def theme_report(survey: Survey, since=None, until=None) -> ThemeReport:
    """Return the survey's themes with their size, sentiment and monthly share of comments."""
    themes = list(SurveyTheme.objects.filter(survey=survey))
    rows = (
        _text_answers(survey, since, until)
        .filter(theme__isnull=False)
        .annotate(month=TruncMonth("answered_at"))
        .values("theme_id", "month")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    totals: Counter[date] = Counter()
    for row in rows:
        month = _month(row["month"])
        counts[row["theme_id"]][month] = row["n"]
        totals[month] += row["n"]
    months = sorted(totals)
    total = sum(totals.values())
    trends = []
    for theme in themes:
        by_month = counts.get(theme.pk, {})
        size = sum(by_month.values())
        trends.append(
            ThemeTrend(
                theme=theme,
                size=size,
                share=size / total if total else None,
                by_month=by_month,
                shares=[by_month.get(m, 0) / totals[m] if totals[m] else None for m in months],
            )
        )
    trends.sort(key=lambda t: (-t.size, t.theme.position))
    computed_at = max((t.computed_at for t in themes), default=None)
    return ThemeReport(months=months, themes=trends, comments=total, computed_at=computed_at)


# Tracked themes -------------------------------------------------------------------------------

TREND_MONTHS = 6  # months shown side by side; older ones are in the exports


@dataclass(frozen=True)
class TrackedRow:
    """One tracked theme in a survey's comments of the period: how many carry it, its share
    of the read comments with a 95 % interval, each recent month's share with its interval,
    the mean sentiment of the sentences that carry it, and short quotes."""

    theme: TrackedTheme
    name: str
    n: int
    share: "stats.ProportionResult | None"
    months: tuple["stats.ProportionResult | None", ...]
    sentiment: float | None
    tone: str
    quotes: tuple[tuple[str, str, str], ...]  # (before, the theme's words, after)


@dataclass(frozen=True)
class TrackedReport:
    months: list[date]
    comments: int  # read comments in the period: the denominator of every share
    rows: tuple[TrackedRow, ...]


def _quote(sentence: str, words: list[str], limit: int = 160) -> tuple[str, str, str]:
    """The sentence, cut to `limit` characters around the first of `words` found in it, as
    (before, word, after) so the template can mark the word without trusting any HTML."""
    lower = sentence.lower()
    found = min(((lower.find(w), w) for w in words if w and lower.find(w) >= 0), default=(-1, ""))
    start, word = found
    if start < 0:
        text = sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"
        return text, "", ""
    end = start + len(word)
    left = max(0, start - (limit - len(word)) // 2)
    right = min(len(sentence), left + limit)
    before = ("…" if left else "") + sentence[left:start]
    after = sentence[end:right] + ("…" if right < len(sentence) else "")
    return before, sentence[start:end], after


def tracked_report(survey: Survey, display_language: str, since=None, until=None) -> TrackedReport:
    """The workspace's tracked themes in this survey's read comments of the period."""
    themes = list(TrackedTheme.objects.filter(organization_id=survey.organization_id))
    read = _text_answers(survey, since, until).filter(analysis__isnull=False)
    totals = {
        _month(row["month"]): row["n"]
        for row in read.annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    comments = sum(totals.values())
    months = sorted(totals)[-TREND_MONTHS:]
    links = AnswerTheme.objects.filter(answer__in=read)
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    for row in (
        links.annotate(month=TruncMonth("answer__answered_at"))
        .values("theme_id", "month")
        .annotate(n=Count("answer_id", distinct=True))
    ):
        counts[row["theme_id"]][_month(row["month"])] = row["n"]
    tones = dict(
        links.exclude(sentiment_score=None)
        .values("theme_id")
        .annotate(mean=Avg("sentiment_score"))
        .values_list("theme_id", "mean")
    )
    rows = []
    for theme in themes:
        by_month = counts.get(theme.pk, {})
        n = sum(by_month.values())
        if not n and not theme.is_active:
            continue
        words = [w for ws in (theme.keywords or {}).values() for w in ws]
        sentences = (
            links.filter(theme=theme)
            .order_by("-confidence", "-answer_id")
            .values_list("sentence", flat=True)[:2]
        )
        mean = tones.get(theme.pk)
        rows.append(
            TrackedRow(
                theme=theme,
                name=theme.name_in(display_language),
                n=n,
                share=stats.proportion(n, comments) if comments else None,
                months=tuple(
                    stats.proportion(by_month.get(m, 0), totals[m]) if totals[m] else None
                    for m in months
                ),
                sentiment=mean,
                tone=tone(mean),
                quotes=tuple(_quote(s, words) for s in sentences if s),
            )
        )
    rows.sort(key=lambda r: (-r.n, r.name))
    return TrackedReport(months=months, comments=comments, rows=tuple(rows))


@dataclass(frozen=True)
class KeywordComparison:
    """The terms that set detractors' comments apart from promoters', in one language."""

    language: str
    languages: list[str]  # languages the comments of either group are written in
    promoters: int  # comments compared, per group
    detractors: int
    detractor_terms: list  # contento.text.Keyword: what detractors say more
    promoter_terms: list


def _nps_question(survey: Survey) -> Question | None:
    return survey.questions.filter(kind=Question.Kind.NPS).order_by("page", "position").first()


def keyword_comparison(
    survey: Survey, language: str | None = None, since=None, until=None
) -> KeywordComparison | None:
    """Compare the comments of detractors (NPS 0–6) with those of promoters (9–10).

    Comments are grouped by the NPS answer of the same response and compared in one language
    at a time (the language they are written in, as read by `contento.text`; `language`, else
    the most common one), since words only compare within a language. Returns None for a
    survey without an NPS question.
    """
    question = _nps_question(survey)
    if question is None:
        return None
    scores = Answer.objects.filter(question=question, value__isnull=False)
    promoter_ids = scores.filter(value__gte=stats.NPS_PROMOTER_MIN).values("response_id")
    detractor_ids = scores.filter(value__lte=stats.NPS_DETRACTOR_MAX).values("response_id")
    comments = _text_answers(survey, since, until).exclude(text_language="")
    grouped = comments.filter(Q(response_id__in=promoter_ids) | Q(response_id__in=detractor_ids))
    by_language = Counter(
        dict(
            grouped.values("text_language")
            .annotate(n=Count("id"))
            .values_list("text_language", "n")
        )
    )
    languages = [code for code, _n in by_language.most_common()]
    if language not in by_language:
        language = languages[0] if languages else None
    if language is None:
        return KeywordComparison("", [], 0, 0, [], [])

    def texts(ids) -> list[str]:
        rows = (
            comments.filter(text_language=language, response_id__in=ids)
            .order_by("-answered_at")
            .values_list("text", flat=True)[:MAX_KEYWORD_COMMENTS]
        )
        return list(rows)

    promoters, detractors = texts(promoter_ids), texts(detractor_ids)
    # Imported here for start-up cost: contento.text takes a tenth of a second to import, and
    # only this page needs it.
    from contento.text import keywords

    return KeywordComparison(
        language=language,
        languages=languages,
        promoters=len(promoters),
        detractors=len(detractors),
        detractor_terms=keywords(detractors, language, background=promoters) if promoters else [],
        promoter_terms=keywords(promoters, language, background=detractors) if detractors else [],
    )


def tone(sentiment: float | None) -> str:
    """Return how a theme's mean sentiment reads: "negative", "positive", "neutral" (mixed or
    neutral) or "unknown" (no comment of the theme read yet)."""
    if sentiment is None:
        return "unknown"
    if sentiment <= -TONE_THRESHOLD:
        return "negative"
    if sentiment >= TONE_THRESHOLD:
        return "positive"
    return "neutral"


@dataclass(frozen=True)
class ThemeRow:
    """One theme as the page shows it: its name, size, shares in percent and tone."""

    theme: SurveyTheme
    label: str
    size: int
    percent: float | None
    month_percents: tuple[float | None, ...]
    tone: str
    # The share's 95 % Wilson interval, in percent, over the comments with a theme.
    lower: float | None = None
    upper: float | None = None

    @property
    def tone_label(self) -> str:
        """The tone, in words."""
        return str(TONE_NAMES[self.tone])


@dataclass(frozen=True)
class ThemesPage:
    """What the themes page shows: the themes, and detractors' and promoters' terms.

    `keywords` is None for a survey without an NPS question.
    """

    report: ThemeReport
    rows: tuple[ThemeRow, ...]
    keywords: KeywordComparison | None
    tracked: TrackedReport | None = None


def _interval(successes: int, n: int) -> dict[str, float]:
    if not n:
        return {}
    share = stats.proportion(successes, n)
    return {"lower": 100 * share.lower, "upper": 100 * share.upper}


def page(
    survey: Survey, display_language: str, since=None, until=None, language: str | None = None
) -> ThemesPage:
    """Compute the themes page for comments from `since` to `until` (aware datetimes).

    Themes are named in `display_language`; the terms compare the comments written in
    `language` (else the most common language).
    """
    report = theme_report(survey, since, until)
    rows = tuple(
        ThemeRow(
            theme=trend.theme,
            label=trend.theme.label_in(display_language),
            size=trend.size,
            percent=None if trend.share is None else 100 * trend.share,
            month_percents=tuple(None if s is None else 100 * s for s in trend.shares),
            tone=tone(trend.theme.sentiment),
            **_interval(trend.size, report.comments),
        )
        for trend in report.themes
    )
    return ThemesPage(
        report,
        rows,
        keyword_comparison(survey, language, since, until),
        tracked_report(survey, display_language, since, until),
    )
