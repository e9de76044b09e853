from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.directory.models import ServiceCategory
from corridor.referrals import sharing
from corridor.referrals.models import Status, Urgency, hours_for


class ReferralForm(forms.Form):
    """What the referring caseworker says; the case and the service come from the URL."""

    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(
        label=_("Reason for the referral"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the person needs from the service. The service reads this."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("Fields shared with the service"),
        choices=sharing.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Ticked to start with: what services of this kind need. Share only what this "
            "service needs to help the person; it sees nothing else."
        ),
    )
    override_reason = forms.CharField(
        label=_("Vital-interest override: why the referral cannot wait for consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when the person's life or safety is at stake and their consent cannot be "
            "asked. The reason is kept in the audit log."
        ),
    )

    def __init__(self, *args, may_override: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override_reason"]
        self.fields["urgency"].help_text = _(
            "Emergency: answer due within %(emergency)s hours; normal: within %(normal)s hours, "
            "nights and weekends included."
        ) % {"emergency": hours_for(Urgency.EMERGENCY), "normal": hours_for(Urgency.NORMAL)}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sender reads it, to refer the person elsewhere."),
    )


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    what = forms.CharField(label=_("What was delivered"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )


class SharedFieldDefaultsForm(forms.Form):
    """One list of fields per service category."""

    def __init__(self, *args, initial_fields: dict[str, list[str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for category in ServiceCategory:
            self.fields[category.value] = forms.MultipleChoiceField(
                label=category.label,
                choices=sharing.CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=initial_fields[category.value],
            )
