"""The page that imports customers, products, purchases and subscriptions from a file.

Small files are imported while the member waits; larger ones are stored and imported by the
background worker, and the page polls their progress with htmx.
"""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.customers.imports import (
    IMPORTERS,
    KIND_CHOICES,
    ImportResult,
    count_rows,
    do_queue_import,
    get_import_status,
    run_import,
)

INLINE_ROWS = 5000  # files with more rows than this are imported in the background
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8, separated by commas, semicolons or tabs) or XLSX."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and show what would change, save nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it into smaller files.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


def _columns():
    return [
        (importer.label, [(c.name, c.required) for c in importer.columns], importer.one_of)
        for importer in IMPORTERS.values()
    ]


@member_required("customer.import")
def import_page(request, membership):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": _columns(), "result": None, "import_id": None}
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        if count_rows(upload) - 1 > INLINE_ROWS:
            context["import_id"] = do_queue_import(
                membership.organization, kind, upload, dry_run=dry_run
            )
            context["status"] = get_import_status(membership.organization, context["import_id"])
            audit.record(membership, "customers.imported", kind=kind, queued=True)
        else:
            result = context["result"] = run_import(
                membership.organization, kind, upload, dry_run=dry_run
            )
            if not dry_run:
                audit.record(
                    membership,
                    "customers.imported",
                    kind=kind,
                    created=result.created,
                    updated=result.updated,
                    refused=result.error_count,
                )
    return render(request, "customers/import.html", context)


@member_required("customer.import")
def import_status(request, membership, import_id):
    status = get_import_status(membership.organization, import_id)
    if status is None:
        raise Http404("No such import.")
    result = ImportResult.from_dict(status["result"]) if status.get("result") else None
    return render(
        request,
        "customers/import_status.html",
        {"import_id": import_id, "status": status, "result": result},
    )
