from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import User
from corridor.directory.models import (
    MAX_AGE,
    NO_REGION,
    SERVICE_LANGUAGES,
    Service,
    ServiceCategory,
    ServiceQuerySet,
    organisations_for,
)
from corridor.flows.models import Sex
from corridor.places.models import Country, Region

LANGUAGE_CHOICES = [(language.value, language.label) for language in SERVICE_LANGUAGES]
AGE_INPUT = forms.NumberInput(attrs={"min": 0, "max": MAX_AGE, "inputmode": "numeric"})


def djibouti_regions() -> QuerySet[Region]:
    return Region.objects.filter(country="DJ")


class ServiceForm(forms.ModelForm):
    """A service's fields; the organisation is chosen once, among those the user manages."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=Service._meta.get_field("languages").help_text,
    )

    class Meta:
        model = Service
        fields = [
            "organisation",
            "name",
            "category",
            "description",
            "nationwide",
            "regions",
            "places",
            "languages",
            "sexes",
            "min_age",
            "max_age",
            "nationalities",
            "capacity",
            "capacity_period",
            "hours",
            "contact_phone",
            "contact_email",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "regions": forms.CheckboxSelectMultiple,
            "nationalities": forms.SelectMultiple(attrs={"size": 8}),
            "min_age": AGE_INPUT,
            "max_age": AGE_INPUT,
            "capacity": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Referrals sent to a service go to its organisation: it never moves.
            del self.fields["organisation"]
            self.initial["languages"] = self.instance.languages.split()
        else:
            organisations = organisations_for(by)
            self.fields["organisation"].queryset = organisations
            if by.organisation_id and organisations.filter(pk=by.organisation_id).exists():
                self.initial.setdefault("organisation", by.organisation_id)
            if organisations.count() == 1:
                self.fields["organisation"].empty_label = None
        self.fields["regions"].queryset = djibouti_regions()

    def clean_languages(self) -> str:
        return " ".join(self.cleaned_data["languages"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("nationwide") and not cleaned.get("regions") and "regions" in cleaned:
            self.add_error("regions", NO_REGION)
        return cleaned

    def service_values(self) -> dict:
        """The cleaned values, in the shape services.create_service and update_service take."""
        skip = {"organisation", "regions", "nationalities"}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


class CodeChoiceField(forms.ModelChoiceField):
    """A choice given by its code (DJ-OB, ET), in either case, as the API and URLs send it."""

    def to_python(self, value):
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


class ServiceSearchForm(forms.Form):
    """The directory's filters, in the query string; shared by the page and the API."""

    q = forms.CharField(label=_("Name, place or organisation"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *ServiceCategory.choices], required=False
    )
    region = CodeChoiceField(
        label=_("Region"),
        queryset=djibouti_regions(),
        to_field_name="code",
        empty_label=_("All"),
        required=False,
    )
    sex = forms.ChoiceField(
        label=_("Sex of the person"), choices=[("", _("Not given")), *Sex.choices], required=False
    )
    age = forms.IntegerField(
        label=_("Age of the person"),
        min_value=0,
        max_value=MAX_AGE,
        required=False,
        widget=AGE_INPUT,
    )
    language = forms.ChoiceField(
        label=_("Language spoken"), choices=[("", _("Any")), *LANGUAGE_CHOICES], required=False
    )
    nationality = CodeChoiceField(
        label=_("Nationality"),
        queryset=Country.objects.all(),
        to_field_name="code",
        empty_label=_("Any"),
        required=False,
    )
    inactive = forms.BooleanField(label=_("Include services no longer offered"), required=False)

    def search(self, services: ServiceQuerySet) -> ServiceQuerySet:
        """The services matching the valid filters; a garbled filter is left out (and shown)."""
        self.is_valid()
        data = self.cleaned_data
        return services.matching(
            category=data.get("category") or None,
            region=data.get("region"),
            sex=data.get("sex") or None,
            age=data.get("age"),
            language=data.get("language") or None,
            nationality=data.get("nationality"),
            text=data.get("q") or "",
            include_inactive=bool(data.get("inactive")),
        )
