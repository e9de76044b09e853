"""Input of the collection forms pages: uploading an XLSForm or a media file, assigning."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User
from corridor.collect import services, xlsform
from corridor.collect.models import CollectForm

KEEP = ""


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm file"),
        help_text=_(
            "An Excel file (.xlsx or .xls) with a “survey” sheet and a “settings” sheet giving "
            "form_id and version. Uploading a file whose form_id is already known adds a new "
            "version of that form."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        required=False,
        help_text=_("For a new form; a new version keeps the purpose of its form."),
    )
    holds_personal_data = forms.TypedChoiceField(
        label=_("Holds personal data"),
        required=False,
        coerce=lambda value: value == "yes",
        empty_value=None,
        help_text=_(
            "For a new form. Its raw submissions are then shown only to the roles that may see "
            "personal data, and every view of them is audited."
        ),
    )

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.may_hold_personal_data = services.may_hold_personal_data(by)
        purposes = services.purposes_for(by)
        self.fields["purpose"].choices = [
            (KEEP, _("The form's own (Other form for a new form)")),
            *((purpose.value, purpose.label) for purpose in purposes),
        ]
        if self.may_hold_personal_data:
            self.fields["holds_personal_data"].choices = [
                (KEEP, _("The form's own (yes for a new form, no for flow monitoring)")),
                ("yes", _("Yes")),
                ("no", _("No")),
            ]
        else:
            # Information officers see no personal data, so their forms hold none.
            self.fields["holds_personal_data"].choices = [("no", _("No"))]
            self.fields["holds_personal_data"].initial = "no"
            self.fields["holds_personal_data"].help_text = _(
                "Forms you manage hold no personal data; an administrator manages the others."
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > xlsform.MAX_XLSFORM_BYTES:
            raise forms.ValidationError(
                _("The file is too big for an XLSForm (at most %(limit)s MB).")
                % {"limit": xlsform.MAX_XLSFORM_BYTES // (1024 * 1024)}
            )
        return upload

    def clean_purpose(self) -> str | None:
        return self.cleaned_data["purpose"] or None

    def clean_holds_personal_data(self) -> bool | None:
        if not self.may_hold_personal_data:
            return False
        return self.cleaned_data["holds_personal_data"]


class MediaForm(forms.Form):
    file = forms.FileField(
        label=_("Media file"),
        help_text=_("One of the files the form uses, with exactly the name the form gives it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > services.MAX_MEDIA_BYTES:
            raise forms.ValidationError(
                _("The file is too big (at most %(limit)s MB).")
                % {"limit": services.MAX_MEDIA_BYTES // (1024 * 1024)}
            )
        return upload


class AssignmentForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every account with one of these roles may download and fill the form."),
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Accounts that may fill the form whatever their role."),
    )

    def __init__(self, *args, by: User, form: CollectForm, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "roles": list(form.role_assignments.values_list("role", flat=True)),
                "users": list(form.assigned_users.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = (
            services.assignable_users(by)
            .select_related("organisation")
            .order_by("last_name", "first_name", "username")
        )
        self.fields["users"].label_from_instance = _user_label


def _user_label(user: User) -> str:
    name = user.get_full_name() or user.get_username()
    organisation = user.organisation.acronym if user.organisation_id else ""
    parts = [part for part in (user.get_role_display(), organisation) if part]
    return f"{name} ({user.get_username()}; {', '.join(parts)})"
