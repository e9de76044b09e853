from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.places.models import Country, FlowMonitoringPoint, Region


class FlowMonitoringPointForm(forms.ModelForm):
    aliases = forms.CharField(
        label=_("Other spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Imports in any of these spellings resolve to this point."),
    )

    class Meta:
        model = FlowMonitoringPoint
        fields = [
            "name",
            "code",
            "kind",
            "country",
            "region",
            "active_from",
            "active_until",
            "latitude",
            "longitude",
            "coordinates_approximate",
        ]
        widgets = {
            "active_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "active_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.select_related("country")
        if self.instance.pk:
            self.initial["aliases"] = "\n".join(a.name for a in self.instance.aliases.all())
        else:
            self.initial.setdefault("country", "DJ")

    def clean_aliases(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["aliases"].splitlines()]
        return list(dict.fromkeys(line for line in lines if line))


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["country", "code", "name"]


class CountryForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ["name_fr", "name_en", "name_ar"]
