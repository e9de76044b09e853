from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation
from corridor.audit.models import AuditEntry, AuditEntryQuerySet

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    """The data protection officer's filters; AuditEntryQuerySet.matching applies them."""

    since = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    actor_username = forms.CharField(label=_("User name"), required=False, max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("All organisations"),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditEntry.Action.choices],
    )
    object_type = forms.CharField(label=_("Type of record"), required=False, max_length=40)
    object_id = forms.CharField(label=_("Record identifier"), required=False, max_length=64)

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date comes before the start date."))
        for name in ("actor_username", "object_type", "object_id"):
            if name in cleaned:
                cleaned[name] = cleaned[name].strip()
        return cleaned

    def entries(self, queryset: AuditEntryQuerySet) -> AuditEntryQuerySet:
        """The entries of `queryset` that match; none while the filters are invalid."""
        if not self.is_valid():
            return queryset.none()
        return queryset.matching(**self.cleaned_data)

    def summary(self) -> dict:
        """The filters in use, as text, for the export's own audit entry."""
        return {
            name: str(value.pk if isinstance(value, Organisation) else value)
            for name, value in self.cleaned_data.items()
            if value
        }
