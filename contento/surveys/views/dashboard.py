"""The per-survey dashboard and the response exports."""

from django import forms
from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from contento.accounts.access import member_required
from contento.core.charts import column_chart, score_colors
from contento.surveys import exports
from contento.surveys.access import access_survey
from contento.surveys.localize import display_language, localize
from contento.surveys.metrics import (
    Filters,
    completion,
    latest_comments,
    over_time,
    question_metrics,
)


class FilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *settings.LANGUAGES]
    )


@member_required("survey.view")
def dashboard(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = Filters(data.get("since"), data.get("until"), data.get("language") or None)
    local = localize(survey, display_language(request, survey))
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
            "completion": completion(survey, filters),
            "volume_chart": volume_chart,
            "comments": latest_comments(local, filters),
            "query": request.GET.urlencode(),
        },
    )


@member_required("survey.export")
def export_csv(request, membership, code):
    survey = access_survey(membership, code, "survey.export")
    local = localize(survey, display_language(request, survey))
    response = StreamingHttpResponse(
        exports.csv_stream(local), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="responses-{survey.code}.csv"'
    return response


@member_required("survey.export")
def export_xlsx(request, membership, code):
    survey = access_survey(membership, code, "survey.export")
    local = localize(survey, display_language(request, survey))
    return FileResponse(
        exports.xlsx_file(local),
        as_attachment=True,
        filename=f"responses-{survey.code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
