"""The workspace's tracked themes: the list, a theme's names, examples and keywords, a starter
list to begin with, discovered themes to accept, and merging or splitting.

Everyone who sees surveys sees them; owners and managers (survey.edit) change them.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.surveys import tracked
from contento.surveys.models import SurveyTheme, TrackedTheme

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _starters() -> dict:
    try:
        import contento.text as text
    except ImportError:
        return {}
    return text.starter_taxonomies()


def _theme(membership, code) -> TrackedTheme:
    return get_object_or_404(TrackedTheme, organization=membership.organization, code=code)


@member_required("survey.view")
def theme_list(request, membership):
    org = membership.organization
    language = translation.get_language()
    themes = TrackedTheme.objects.filter(organization=org).annotate(n=Count("answers"))
    discovered = (
        SurveyTheme.objects.filter(survey__organization=org)
        .select_related("survey")
        .order_by("-size")[:20]
    )
    starters = [
        (key, (data.get("names") or {}).get(language) or (data.get("names") or {}).get("en", key))
        for key, data in sorted(_starters().items())
    ]
    return render(
        request,
        "surveys/themes/list.html",
        {
            "themes": [(t, t.name_in(language)) for t in themes],
            "discovered": discovered,
            "starters": starters,
            "may_edit": membership.can("survey.edit"),
            "language": language,
        },
    )


def _posted_theme(data) -> dict:
    return {
        "names": {lang: data.get(f"name-{lang}", "") for lang in LANGUAGE_CODES},
        "examples": data.get("examples", "").splitlines(),
        "keywords": {
            lang: [w for w in data.get(f"keywords-{lang}", "").split(",")]
            for lang in LANGUAGE_CODES
        },
    }


@member_required("survey.edit")
def theme_edit(request, membership, code=None):
    org = membership.organization
    theme = _theme(membership, code) if code else None
    errors = []
    if request.method == "POST":
        try:
            with transaction.atomic():
                theme = tracked.do_save_tracked_theme(
                    org, theme=theme, **_posted_theme(request.POST)
                )
                audit.record(membership, "theme.saved", theme)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, _("The theme is saved; every comment is being read for it again.")
            )
            return redirect("surveys:themes")
    others = TrackedTheme.objects.filter(organization=org).exclude(pk=theme.pk) if theme else []
    language = translation.get_language()
    return render(
        request,
        "surveys/themes/edit.html",
        {
            "theme": theme,
            "errors": errors,
            "languages": [
                (
                    lang,
                    (theme.names or {}).get(lang, "") if theme else "",
                    ", ".join((theme.keywords or {}).get(lang, [])) if theme else "",
                )
                for lang in LANGUAGE_CODES
            ],
            "examples": "\n".join(theme.examples) if theme else "",
            "others": [(o, o.name_in(language)) for o in others],
            "name": theme.name_in(language) if theme else "",
        },
    )


@require_POST
@member_required("survey.edit")
def theme_action(request, membership, code):
    """Withdraw or track again, merge into another theme, or split off some examples."""
    theme = _theme(membership, code)
    action = request.POST.get("action")
    try:
        with transaction.atomic():
            if action in ("withdraw", "track"):
                tracked.do_set_tracked_theme_active(theme, action == "track")
                audit.record(membership, "theme.saved", theme, active=action == "track")
            elif action == "merge":
                other = _theme(membership, request.POST.get("into") or theme.code)
                kept = tracked.do_merge_tracked_themes(other, theme)
                audit.record(membership, "theme.merged", kept)
            elif action == "split":
                new = tracked.do_split_tracked_theme(
                    theme,
                    names={translation.get_language(): request.POST.get("name", "")},
                    examples=request.POST.getlist("example"),
                )
                audit.record(membership, "theme.saved", new)
            else:
                raise ValidationError(_("Choose what to do with the theme."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("surveys:theme", theme.code)
    messages.success(request, _("Done; every comment is being read for the themes again."))
    return redirect("surveys:themes")


@require_POST
@member_required("survey.edit")
def theme_starter(request, membership):
    try:
        with transaction.atomic():
            added = tracked.do_import_starter(
                membership.organization, request.POST.get("industry", "")
            )
            for theme in added:
                audit.record(membership, "theme.saved", theme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s theme added from the starter list.",
                "%(count)s themes added from the starter list.",
                len(added),
            )
            % {"count": len(added)},
        )
    return redirect("surveys:themes")


@require_POST
@member_required("survey.edit")
def theme_accept(request, membership, code):
    """Track a theme that discovery proposed in one survey's comments."""
    proposed = get_object_or_404(
        SurveyTheme, survey__organization=membership.organization, code=code
    )
    with transaction.atomic():
        theme = tracked.do_accept_discovered(proposed)
        audit.record(membership, "theme.saved", theme)
    messages.success(request, _("The theme is tracked; rename it as you like."))
    return redirect("surveys:theme", theme.code)
