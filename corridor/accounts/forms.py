from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from corridor.accounts import totp
from corridor.accounts.models import Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint


class UserForm(forms.ModelForm):
    """The fields an administrator sets on an account; choices narrowed to what they may give."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "organisation", "role", "assigned_points"]
        widgets = {"assigned_points": forms.CheckboxSelectMultiple}

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("No role (no access)"))] + [
            (role.value, role.label) for role in by.roles_it_may_grant()
        ]
        organisations = Organisation.objects.filter(is_active=True)
        if by.role == Role.ORGANISATION_ADMINISTRATOR:
            organisations = organisations.filter(pk=by.organisation_id)
            self.fields["organisation"].empty_label = None
        self.fields["organisation"].queryset = organisations
        self.fields["assigned_points"].queryset = FlowMonitoringPoint.objects.all()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("role") and not cleaned.get("organisation"):
            self.add_error("organisation", _("A user with a role belongs to an organisation."))
        if cleaned.get("role") == Role.ENUMERATOR and not cleaned.get("assigned_points"):
            self.add_error(
                "assigned_points", _("Assign at least one flow monitoring point to an enumerator.")
            )
        return cleaned


class NewUserForm(UserForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    temporary_password = forms.CharField(
        label=_("Temporary password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The user must change it at their first login."),
    )

    class Meta(UserForm.Meta):
        fields = ["username", *UserForm.Meta.fields]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("The username %(username)s is already taken.") % {"username": username}
            )
        return username


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "is_active"]


class ApiTokenForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none())
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the system using it."),
    )

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.visible_to(by).filter(is_active=True).exclude(role="")
        )


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("The 6 digits your authenticator app shows for Corridor."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )
    # Where to go once the code is accepted; checked by the view before use.
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_code(self) -> str:
        code = totp.normalise(self.cleaned_data["code"])
        if len(code) != totp.DIGITS or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(_("Type the 6 digits shown by the app."))
        return code
