"""The IT-staff directory and the category rules (admins), beside the sources."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sentiment.models import Category, StaffDirectoryEntry

from .forms_sources import CategoryForm, StaffDirectoryForm

# The pages live in the Sources section: its view permission comes first, so Executives
# and Analysts (who may read categories elsewhere) get a 403 here.
SECTION = "collectors.view_source"


@login_required
@permission_required([SECTION, "sentiment.view_staffdirectoryentry"], raise_exception=True)
def directory(request: HttpRequest) -> HttpResponse:
    form = StaffDirectoryForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("sentiment.add_staffdirectoryentry"):
            raise PermissionDenied
        if form.is_valid():
            entry = form.save()
            messages.success(
                request, f"Added {entry.value}. It takes effect at the next collection."
            )
            return redirect("sources-directory")
    entries = list(
        StaffDirectoryEntry.objects.select_related("source").order_by(
            "kind", "value", "source__name"
        )
    )
    for entry in entries:
        # "E-mail domain (it.example.com, and its subdomains)" -> "E-mail domain"
        entry.kind_short = entry.get_kind_display().split(" (")[0]  # type: ignore[attr-defined]
    return render(request, "dashboards/sources/directory.html", {"entries": entries, "form": form})


@login_required
@permission_required([SECTION, "sentiment.delete_staffdirectoryentry"], raise_exception=True)
@require_POST
def directory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(StaffDirectoryEntry, pk=pk)
    value = entry.value
    entry.delete()
    messages.success(request, f"Removed {value}. It takes effect at the next collection.")
    return redirect("sources-directory")


@login_required
@permission_required([SECTION, "sentiment.view_category"], raise_exception=True)
def categories(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/sources/categories.html",
        {"categories": Category.objects.order_by("position", "name")},
    )


def _category_form(request: HttpRequest, category: Category | None) -> HttpResponse:
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request, f"Saved {saved.name}. It applies to comments collected from now on."
        )
        return redirect("sources-categories")
    return render(
        request, "dashboards/sources/category_form.html", {"form": form, "category": category}
    )


@login_required
@permission_required([SECTION, "sentiment.add_category"], raise_exception=True)
def category_add(request: HttpRequest) -> HttpResponse:
    return _category_form(request, None)


@login_required
@permission_required([SECTION, "sentiment.change_category"], raise_exception=True)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_form(request, get_object_or_404(Category, pk=pk))
