from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User
from corridor.flows import checks
from corridor.flows.aggregates import FlowFilter
from corridor.flows.models import GroupRecord, ImportBatch, KindOfFlow, SurveyInterview
from corridor.places.models import Country, FlowMonitoringPoint, Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT_INPUT = forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})


class FlowEntryForm(forms.ModelForm):
    """Shared by groups and interviews: the user's points, today's date, the shared checks."""

    check = staticmethod(checks.check_group)

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        points = FlowMonitoringPoint.objects.active_on(timezone.localdate())
        if by.role == Role.ENUMERATOR:
            points = by.assigned_points.all()
        self.fields["point"].queryset = points
        self.fields["day"].widget = DATE_INPUT
        if not self.instance.pk:
            self.initial.setdefault("day", timezone.localdate())
            self.initial.setdefault("nationality", "ET")
            if points.count() == 1:
                self.initial.setdefault("point", points.first())

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors or not isinstance(cleaned.get("day"), datetime.date):
            return cleaned
        for problem in self.check(cleaned, checks.CheckContext(self.by)):
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)
        return cleaned


class GroupRecordForm(FlowEntryForm):
    class Meta:
        model = GroupRecord
        fields = [
            "day",
            "observation_period",
            "point",
            "kind_of_flow",
            "nationality",
            "origin_country",
            "origin_region",
            "previous_country",
            "previous_place",
            "next_destination",
            "final_destination_country",
            "transport",
            "reason",
            *GroupRecord.COUNT_FIELDS,
            *GroupRecord.VULNERABILITY_FIELDS,
        ]
        widgets = {name: COUNT_INPUT for name in GroupRecord.COUNT_FIELDS}
        widgets |= {name: COUNT_INPUT for name in GroupRecord.VULNERABILITY_FIELDS}


class CorrectionForm(GroupRecordForm):
    reason_for_correction = forms.CharField(
        label=_("Reason for the correction"), max_length=300, widget=forms.TextInput
    )


class SurveyInterviewForm(FlowEntryForm):
    check = staticmethod(checks.check_interview)

    class Meta:
        model = SurveyInterview
        fields = [
            "day",
            "point",
            "sex",
            "age",
            "marital_status",
            "nationality",
            "origin_region",
            "languages",
            "education",
            "employment_before",
            "reason_for_leaving",
            "intended_destination",
            "journey_days",
            "payment_means",
            "incidents",
            "needs",
            "aware_of_risks",
            "intention_if_blocked",
            "sends_remittances",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in SurveyInterview.MULTIPLE_CHOICE.items():
            self.fields[name] = forms.MultipleChoiceField(
                label=SurveyInterview._meta.get_field(name).verbose_name,
                choices=choices.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def clean(self) -> dict:
        # Multiple answers are kept as space-separated codes, as XLSForm sends them.
        for name in SurveyInterview.MULTIPLE_CHOICE:
            if name in self.cleaned_data:
                self.cleaned_data[name] = " ".join(self.cleaned_data[name])
        return super().clean()


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of data"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8, comma or semicolon) or Excel XLSX, first sheet; see the columns below."
        ),
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class UnlockForm(MonthForm):
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=300)


class DashboardForm(forms.Form):
    """The dashboard's filters; the default period is the last complete month."""

    start = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    end = forms.DateField(label=_("To"), widget=DATE_INPUT, required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.filter(country="DJ"), required=False
    )
    point = forms.ModelChoiceField(
        label=_("Flow monitoring point"), queryset=FlowMonitoringPoint.objects.all(), required=False
    )
    kind_of_flow = forms.ChoiceField(
        label=_("Kind of flow"), choices=[("", _("All")), *KindOfFlow.choices], required=False
    )
    nationality = forms.ModelChoiceField(
        label=_("Nationality"), queryset=Country.objects.all(), required=False
    )

    def flow_filter(self) -> FlowFilter:
        data = self.cleaned_data if self.is_valid() else {}
        first_of_this_month = timezone.localdate().replace(day=1)
        end = data.get("end") or first_of_this_month - datetime.timedelta(days=1)
        start = data.get("start") or end.replace(day=1)
        if start > end:
            start, end = end, start
        return FlowFilter(
            start=start,
            end=end,
            region=data.get("region"),
            point=data.get("point"),
            kind_of_flow=data.get("kind_of_flow") or "",
            nationality=data["nationality"].code if data.get("nationality") else "",
        )
