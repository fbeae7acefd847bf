"""The per-survey dashboard and the response exports."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.core.charts import column_chart, score_colors
from contento.surveys import exports
from contento.surveys.access import access_survey
from contento.surveys.analysis import schedule_themes
from contento.surveys.comments import (
    CommentFilters,
    comment_languages,
    comments,
    survey_themes,
)
from contento.surveys.filters import ResponseFilterForm
from contento.surveys.localize import display_language, localize
from contento.surveys.metrics import (
    SMALL_SAMPLE,
    Filters,
    completion,
    over_time,
    question_metrics,
)
from contento.surveys.modes import split_by_mode

COMMENTS_PER_PAGE = 20

SENTIMENT_LABELS = {
    "positive": _("Positive"),
    "neutral": _("Neutral"),
    "negative": _("Negative"),
    "mixed": _("Mixed: praise and blame"),
}


def _language_name(code: str) -> str:
    if code == "unknown":
        return str(_("Unknown"))
    if code == "other":
        return str(_("Another language"))
    try:
        return f"{get_language_info(code)['name_translated']} ({code})"
    except KeyError:
        return code


class CommentFilterForm(forms.Form):
    """Narrows the comment list by what contento.text read in each comment."""

    comment_language = forms.ChoiceField(label=_("Written in"), required=False)
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=[("", _("Any sentiment")), *SENTIMENT_LABELS.items()],
    )
    angry = forms.BooleanField(label=_("Angry only"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)

    def __init__(self, data, *, languages, themes, language):
        super().__init__(data)
        self.fields["comment_language"].choices = [
            ("", _("Any language")),
            *((code, _language_name(code)) for code in languages),
        ]
        self.fields["theme"].choices = [
            ("", _("All themes")),
            *((str(theme.code), theme.label_in(language)) for theme in themes),
        ]

    def filters(self) -> CommentFilters:
        """Return the filters chosen; an unknown value (a theme since replaced) is ignored."""
        if not self.is_bound:
            return CommentFilters()
        self.is_valid()
        data = self.cleaned_data  # holds the valid fields only
        return CommentFilters(
            language=data.get("comment_language") or None,
            sentiment=data.get("sentiment") or None,
            angry=bool(data.get("angry")),
            theme=data.get("theme") or None,
        )


def filter_form(request, local) -> ResponseFilterForm:
    """The dashboard's and the response list's filters; languages are the survey's own."""
    languages = [(code, _language_name(code)) for code in local.survey.all_languages]
    data = (
        request.GET if any(name in request.GET for name in ResponseFilterForm.base_fields) else None
    )
    return ResponseFilterForm(data, local=local, languages=languages)


def _hidden(request, names) -> list[tuple[str, str]]:
    return [(name, request.GET[name]) for name in names if request.GET.get(name)]


def _comments_context(request, local, filters: Filters) -> dict:
    themes = survey_themes(local)
    form = CommentFilterForm(
        request.GET or None,
        languages=comment_languages(local),
        themes=themes,
        language=local.language,
    )
    page = Paginator(comments(local, filters, form.filters()), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    questions = {lq.question.id: lq.text for lq in local.questions}
    rows = [
        {
            "answer": answer,
            "question": questions.get(answer.question_id, ""),
            "sentiment": SENTIMENT_LABELS.get(answer.sentiment, ""),
            "theme": answer.theme.label_in(local.language) if answer.theme else "",
        }
        for answer in page.object_list
    ]
    unpaged = request.GET.copy()
    unpaged.pop("page", None)
    return {
        "comment_form": form,
        "comment_page": page,
        "comment_rows": rows,
        "themes": themes,
        "unpaged_query": unpaged.urlencode(),
        "filter_hidden": _hidden(request, ResponseFilterForm.base_fields),
        "comment_hidden": _hidden(request, CommentFilterForm.base_fields),
    }


@member_required("survey.view")
def dashboard(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    local = localize(survey, display_language(request, survey))
    form = filter_form(request, local)
    filters = form.filters()
    comment_context = _comments_context(request, local, filters)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "comments":
        # The comment filters and pages swap only the comment list.
        return render(
            request,
            "surveys/_comments.html",
            {"survey": survey, "local": local, **comment_context},
        )
    metrics = question_metrics(local, filters)
    for metric in metrics:
        points = list(metric["counts"])
        metric["chart"] = column_chart(
            [(str(p), metric["counts"][p]) for p in points],
            title=str(_("Distribution of answers: %(question)s") % {"question": metric["lq"].text}),
            colors=score_colors(metric["kind"], points),
        )
    volume = over_time(survey, filters)
    monthly = len(volume) > 1 and (volume[1][0] - volume[0][0]).days > 7
    volume_chart = (
        column_chart(
            [(period.strftime("%Y-%m" if monthly else "%m-%d"), n) for period, n in volume],
            title=str(_("Completed responses over time")),
            every_label=max(1, -(-len(volume) // 7)),
        )
        if volume
        else None
    )
    return render(
        request,
        "surveys/dashboard.html",
        {
            "survey": survey,
            "local": local,
            "form": form,
            "metrics": metrics,
            "small_sample": SMALL_SAMPLE,
            "completion": completion(survey, filters),
            "modes": split_by_mode(local, filters),
            "volume_chart": volume_chart,
            "query": request.GET.urlencode(),
            **comment_context,
        },
    )


@require_POST
@member_required("survey.edit")
def refresh_themes(request, membership, code):
    survey = access_survey(membership, code, "survey.edit")
    schedule_themes(survey, force=True)
    messages.success(
        request, _("The themes are being computed again; reload this page in a minute.")
    )
    return redirect(survey.get_absolute_url() + "#comments")


def _export_options(request) -> dict:
    """?texts=1 adds the row of question texts; ?values=codes writes choices by key."""
    return {
        "texts": request.GET.get("texts") == "1",
        "codes": request.GET.get("values") == "codes",
    }


@member_required("survey.export")
def export_csv(request, membership, code):
    survey = access_survey(membership, code, "survey.export")
    audit.record(membership, "export.downloaded", survey, format="csv")
    local = localize(survey, display_language(request, survey))
    response = StreamingHttpResponse(
        exports.csv_stream(local, **_export_options(request)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="responses-{survey.code}.csv"'
    return response


@member_required("survey.export")
def export_xlsx(request, membership, code):
    survey = access_survey(membership, code, "survey.export")
    audit.record(membership, "export.downloaded", survey, format="xlsx")
    local = localize(survey, display_language(request, survey))
    return FileResponse(
        exports.xlsx_file(local, **_export_options(request)),
        as_attachment=True,
        filename=f"responses-{survey.code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
