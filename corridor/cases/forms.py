from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation, User
from corridor.cases import ethiopian_calendar, htcds
from corridor.cases import screening as screening_rules
from corridor.cases.models import (
    CASE_ROLES,
    BirthCalendar,
    Case,
    CaseStatus,
    ClosureReason,
    ConsentLanguage,
    ConsentPurpose,
    GivenBy,
    Person,
    RiskLevel,
)
from corridor.flows.models import Language

MAX_AGE = 110


class PersonForm(forms.ModelForm):
    """Registration: a date of birth in either calendar, or an age that is marked estimated."""

    birth_day = forms.IntegerField(label=_("day of birth"), required=False, min_value=1)
    birth_month = forms.IntegerField(
        label=_("month of birth"), required=False, min_value=1, max_value=13
    )
    birth_year = forms.IntegerField(label=_("year of birth"), required=False, min_value=1900)
    estimated_age = forms.IntegerField(
        label=_("age (estimated)"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        help_text=_("When the date of birth is not known."),
    )
    language_codes = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "father_name",
            "grandfather_name",
            "other_names",
            "name_in_script",
            "sex",
            "birth_calendar",
            "nationality",
            "phone",
            "migration_status",
            "trafficking_status",
            "identified_by",
            "identified_at_point",
            "identified_in_region",
        ]
        widgets = {"other_names": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict:
        data = super().clean()
        day, month, year = (data.get(f"birth_{part}") for part in ("day", "month", "year"))
        age = data.get("estimated_age")
        today = timezone.localdate()
        data["birth_date"], data["birth_date_is_estimated"] = None, False
        if day or month or year:
            if not (day and month and year):
                self.add_error(
                    "birth_year", _("Give the day, the month and the year, or an estimated age.")
                )
                return data
            try:
                if data.get("birth_calendar") == BirthCalendar.ETHIOPIAN:
                    born = ethiopian_calendar.to_gregorian(year, month, day)
                else:
                    born = datetime.date(year, month, day)
            except ValueError:
                self.add_error("birth_day", _("This day does not exist in the calendar chosen."))
                return data
            if born > today:
                self.add_error("birth_year", _("The date of birth is in the future."))
            data["birth_date"] = born
        elif age is not None:
            # An estimate: the middle of the year of birth it implies, flagged as estimated.
            data["birth_date"] = datetime.date(today.year - age, 7, 1)
            data["birth_date_is_estimated"] = True
        return data

    def person_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["birth_date"] = self.cleaned_data["birth_date"]
        values["birth_date_is_estimated"] = self.cleaned_data["birth_date_is_estimated"]
        values["languages"] = " ".join(self.cleaned_data.get("language_codes") or [])
        return values


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name or case code"),
        required=False,
        max_length=100,
        help_text=_("The start of each name, in any order: “has moh” finds Hassan Mohamed."),
    )
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *CaseStatus.choices]
    )
    risk_level = forms.ChoiceField(
        label=_("risk level"),
        required=False,
        choices=[("", _("All")), *RiskLevel.choices[1:]],
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("purpose"), choices=ConsentPurpose.choices)
    shared_with = forms.ModelChoiceField(
        label=_("shared with (for a referral)"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("language of the text read out"), choices=ConsentLanguage.choices
    )
    given = forms.TypedChoiceField(
        label=_("answer"),
        choices=[("yes", _("Consent given")), ("no", _("Consent refused"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    given_by = forms.ChoiceField(label=_("given by"), choices=GivenBy.choices)
    child_assent = forms.TypedChoiceField(
        label=_("for a child: does the child agree?"),
        choices=[("", _("Not a child")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )


class ScreeningForm(forms.Form):
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for section in screening_rules.SECTIONS:
            self.fields[section.code] = forms.MultipleChoiceField(
                label=section.title,
                choices=[(q.code, q.label) for q in section.questions],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def factors(self) -> list[str]:
        return [
            code
            for section in screening_rules.SECTIONS
            for code in self.cleaned_data.get(section.code, [])
        ]


class CaseActionForm(forms.Form):
    what = forms.CharField(label=_("What is to be done"), max_length=300)
    assigned_to = forms.ModelChoiceField(
        label=_("Who"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not assigned yet"),
    )
    due_on = forms.DateField(
        label=_("Due or follow-up date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the colleagues who work on the organisation's cases can be given an action.
        self.fields["assigned_to"].queryset = User.objects.filter(
            organisation_id=case.organisation_id, role__in=CASE_ROLES, is_active=True
        ).order_by("first_name", "last_name", "username")


class CaseNoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 5}))
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_(
            "Only you and your organisation's supervisors will read it. A note cannot be "
            "changed afterwards: to correct it, write a new one."
        ),
    )


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (CaseStatus.ACTIVE, CaseStatus.ACTIVE.label),
            (CaseStatus.FOLLOW_UP, CaseStatus.FOLLOW_UP.label),
        ],
        widget=forms.RadioSelect,
        help_text=_("To close the case, ask for its closure: a supervisor approves it."),
    )


class ClosureRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closure"), choices=ClosureReason.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the supervisor needs to know. Required for “Other reason”."),
    )


class ReasonForm(forms.Form):
    """One required reason: rejecting a closure, reopening a case, declining a transfer."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class TransferForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Organisation taking the case on"), queryset=Organisation.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The receiving organisation reads it before accepting."),
    )
    override_reason = forms.CharField(
        label=_("Vital-interest override: why the transfer cannot wait for consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when the person's life or safety is at stake and their consent cannot be "
            "asked. The reason is kept in the audit log."
        ),
    )

    def __init__(self, *args, case: Case, may_override: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = Organisation.objects.filter(
            is_active=True
        ).exclude(pk=case.organisation_id)
        if not may_override:
            del self.fields["override_reason"]


class HtcdsImportForm(forms.Form):
    """A CSV of cases keyed by HTCDS 2.0 field names: read here, checked by the import."""

    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.file_name = ""
        self.fields["file"].help_text = _(
            "UTF-8, separated by commas or semicolons, at most %(size)d MB and %(rows)d rows. "
            "The header names the columns with the HTCDS 2.0 field names listed below."
        ) % {"size": htcds.MAX_BYTES // (1024 * 1024), "rows": htcds.MAX_ROWS}

    def clean_file(self) -> list[list[str]]:
        """The rows of the file, once it is known to be a CSV of a size Corridor takes."""
        upload = self.cleaned_data["file"]
        self.file_name = upload.name or ""
        if upload.size > htcds.MAX_BYTES:  # before reading it into memory
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB: split it into smaller files.")
                % {"size": htcds.MAX_BYTES // (1024 * 1024)}
            )
        try:
            return htcds.read_csv(upload.read())
        except htcds.FileProblem as problem:
            raise forms.ValidationError(str(problem)) from None
