"""The one shape of a reference-data edit page, shared by the apps."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def form_page(
    request: HttpRequest, form: forms.ModelForm, *, title: object, back: str
) -> HttpResponse:
    """Show a model form; on a valid POST save it, say so, and go back to the list `back`."""
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Saved: %(name)s") % {"name": saved})
        return redirect(back)
    return render(request, "form_page.html", {"form": form, "title": title, "back": back})
