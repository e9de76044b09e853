from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import User
from corridor.assistance.models import COUNT_FIELDS, Distribution, ItemKind
from corridor.assistance.report import Period
from corridor.assistance.services import Line
from corridor.cases.models import Case, Person
from corridor.places.models import FlowMonitoringPoint, Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT_INPUT = forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "size": 4})
# Lines for persons on one page; "Save and record more" gives as many pages as needed.
PERSON_LINES = 3
COUNT_LABELS = {
    "quantity": _("Quantity"),
    "women": _("Women"),
    "men": _("Men"),
    "girls": _("Girls"),
    "boys": _("Boys"),
}


def djibouti_regions() -> QuerySet[Region]:
    return Region.objects.filter(country="DJ")


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, required=False, widget=COUNT_INPUT)


def case_person(user: User, code: str) -> Person | None:
    """The person of a case of the user's own organisation, from its code in any case."""
    case = (
        Case.objects.visible_to(user)
        .filter(code__iexact=code.strip())
        .select_related("person")
        .first()
    )
    return case.person if case else None


NO_SUCH_CASE = _("Your organisation has no case with the code %(code)s.")


class PlaceFields(forms.Form):
    """When and where: shared by every line of a day's form."""

    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    point = forms.ModelChoiceField(
        label=_("Flow monitoring point"),
        queryset=FlowMonitoringPoint.objects.all(),
        required=False,
        help_text=_("If the unit worked at a point: the region may then be left empty."),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=djibouti_regions(), required=False)
    place_name = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=Distribution._meta.get_field("place_name").help_text,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        point, region = cleaned.get("point"), cleaned.get("region")
        if region is None and point is not None:
            cleaned["region"] = point.region
        if cleaned.get("region") is None and "region" not in self.errors:
            self.add_error("region", _("Choose the region, or a point that has one."))
        return cleaned


class DayForm(PlaceFields):
    """A unit's day at one place: one group of boxes per kind of item for the people counted
    without names, and a few lines for registered persons, by their case code.

    A plain form, no JavaScript: empty groups and lines are left out.
    """

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        self.initial.setdefault("day", timezone.localdate())
        for kind in ItemKind:
            for name, label in COUNT_LABELS.items():
                self.fields[f"{kind.value}_{name}"] = _count_field(label)
        for number in range(PERSON_LINES):
            self.fields[f"person{number}_case"] = forms.CharField(
                label=_("Case code"),
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 16}),
            )
            self.fields[f"person{number}_kind"] = forms.ChoiceField(
                label=_("Item"), choices=[("", "---------"), *ItemKind.choices], required=False
            )
            self.fields[f"person{number}_quantity"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, required=False, initial=1, widget=COUNT_INPUT
            )
        self.lines: list[Line] = []

    def place_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PlaceFields.base_fields]

    def kind_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """For the template: per kind, its label and its five boxes."""
        return [
            (kind.label, [self[f"{kind.value}_{name}"] for name in COUNT_LABELS])
            for kind in ItemKind
        ]

    def person_lines(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"person{n}_{name}"] for name in ("case", "kind", "quantity")]
            for n in range(PERSON_LINES)
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        self.lines = [*self._anonymous_lines(cleaned), *self._person_lines(cleaned)]
        if not self.lines and not self.errors:
            raise forms.ValidationError(_("Nothing to record: fill in at least one line."))
        return cleaned

    def _anonymous_lines(self, cleaned: dict) -> list[Line]:
        lines = []
        for kind in ItemKind:
            values = {name: cleaned.get(f"{kind.value}_{name}") or 0 for name in COUNT_LABELS}
            if not any(values.values()):
                continue
            if not values["quantity"]:
                self.add_error(
                    f"{kind.value}_quantity",
                    _("%(kind)s: give the quantity handed out.") % {"kind": kind.label},
                )
            elif not any(values[name] for name in COUNT_FIELDS):
                self.add_error(
                    f"{kind.value}_women",
                    _("%(kind)s: give how many women, men, girls or boys were reached.")
                    % {"kind": kind.label},
                )
            else:
                lines.append(Line(kind=kind.value, **values))
        return lines

    def _person_lines(self, cleaned: dict) -> list[Line]:
        # A line counts once its case code is given; the quantity box starts at 1.
        lines = []
        for n in range(PERSON_LINES):
            code = (cleaned.get(f"person{n}_case") or "").strip()
            if not code:
                continue
            person = case_person(self.by, code)
            kind = cleaned.get(f"person{n}_kind")
            if person is None:
                self.add_error(f"person{n}_case", NO_SUCH_CASE % {"code": code})
            if not kind:
                self.add_error(
                    f"person{n}_kind", _("Choose what %(code)s was given.") % {"code": code}
                )
            if person is not None and kind:
                quantity = cleaned.get(f"person{n}_quantity") or 1
                lines.append(Line(kind=kind, quantity=quantity, person=person))
        return lines


class DistributionForm(forms.ModelForm):
    """Correcting one row: its counts if it is anonymous, its case code if it is linked."""

    case = forms.CharField(label=_("Case code"), max_length=20)

    class Meta:
        model = Distribution
        fields = ["day", "point", "region", "place_name", "kind", "quantity", *COUNT_FIELDS]
        widgets = {
            "day": DATE_INPUT,
            "quantity": COUNT_INPUT,
            **{name: COUNT_INPUT for name in COUNT_FIELDS},
        }

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        self.fields["region"].queryset = djibouti_regions()
        if self.instance.person_id:
            for name in COUNT_FIELDS:
                del self.fields[name]
            own = Case.objects.visible_to(by).filter(person_id=self.instance.person_id)
            self.initial.setdefault("case", own.values_list("code", flat=True).first() or "")
        else:
            del self.fields["case"]

    def clean_case(self) -> Person:
        code = self.cleaned_data["case"]
        person = case_person(self.by, code)
        if person is None:
            raise forms.ValidationError(NO_SUCH_CASE % {"code": code})
        return person

    def _post_clean(self) -> None:
        # The person goes onto the row before the model's checks run, which need it.
        if isinstance(self.cleaned_data.get("case"), Person):
            self.instance.person = self.cleaned_data["case"]
        super()._post_clean()

    def values(self) -> dict:
        """The cleaned values, as services.correct_distribution takes them."""
        values = {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields
        }
        if "case" in self.fields:
            values["person"] = self.cleaned_data["case"]
        return values


class FilterForm(forms.Form):
    """The list's filters, in the query string; a garbled one is left out."""

    start = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    end = forms.DateField(label=_("To"), widget=DATE_INPUT, required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=djibouti_regions(), required=False, empty_label=_("All")
    )
    point = forms.ModelChoiceField(
        label=_("Flow monitoring point"),
        queryset=FlowMonitoringPoint.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    place_name = forms.CharField(label=_("Place"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Item"), choices=[("", _("All")), *ItemKind.choices], required=False
    )

    def filters(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


REPORT_MONTHS = 6
REPORT_MAX_DAYS = 5 * 366


class ReportForm(forms.Form):
    """The report's period, region and kind; by default the last six months, this one
    included."""

    start = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    end = forms.DateField(label=_("To"), widget=DATE_INPUT, required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=djibouti_regions(), required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(
        label=_("Item"), choices=[("", _("All")), *ItemKind.choices], required=False
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        end = cleaned.get("end") or timezone.localdate()
        start = cleaned.get("start") or _months_back(end, REPORT_MONTHS)
        if start > end:
            start, end = end, start
        # A line per month: a mistyped year would make a page of hundreds of lines.
        if (end - start).days > REPORT_MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> Period:
        """The period asked for; the default one when a filter was not understood."""
        if not self.is_valid():
            today = timezone.localdate()
            return Period(start=_months_back(today, REPORT_MONTHS), end=today)
        data = self.cleaned_data
        return Period(
            start=data["start"], end=data["end"], region=data["region"], kind=data["kind"]
        )


def _months_back(end: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months - 1` months before the month of `end`."""
    start = end.replace(day=1)
    for _month in range(months - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start
