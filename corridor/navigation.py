"""The menu: one list of entries, each shown only to the users whose work needs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role
from corridor.assistance.models import reads_report, records_distributions
from corridor.collect.phones import may_open_phone_page
from corridor.collect.services import manages_forms
from corridor.directory.models import reads_directory
from corridor.referrals.figures import sees_figures


@dataclass(frozen=True)
class MenuEntry:
    label: Promise
    url_name: str
    shown_to: Callable


def _enters_flow_data(user) -> bool:
    return user.has_role(Role.ENUMERATOR, Role.INFORMATION_OFFICER)


MENU = [
    MenuEntry(_("Home"), "home", lambda user: True),
    MenuEntry(
        _("Dashboard"),
        "flows:dashboard",
        lambda u: u.has_role(Role.ENUMERATOR, Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER),
    ),
    MenuEntry(_("New group"), "flows:group_create", _enters_flow_data),
    MenuEntry(_("Groups recorded"), "flows:group_list", _enters_flow_data),
    MenuEntry(_("New interview"), "flows:interview_create", _enters_flow_data),
    MenuEntry(_("Imports"), "flows:import_create", _enters_flow_data),
    MenuEntry(_("Data quality"), "flows:quality", lambda u: u.has_role(Role.INFORMATION_OFFICER)),
    MenuEntry(_("Collection forms"), "collect:form_list", manages_forms),
    # Senders see their own submissions there; reviewers (administrators, information
    # officers) also the review queue. A menu entry costs no query, so no count here.
    MenuEntry(
        _("Submissions"),
        "collect:submission_index",
        lambda u: u.has_role(Role.ADMINISTRATOR, Role.INFORMATION_OFFICER, Role.ENUMERATOR),
    ),
    MenuEntry(
        _("Review queue"),
        "collect:review_queue",
        lambda u: u.has_role(Role.ADMINISTRATOR, Role.INFORMATION_OFFICER),
    ),
    MenuEntry(_("Form keys"), "collect:key_list", lambda u: u.has_role(Role.ADMINISTRATOR)),
    MenuEntry(
        _("Cases"), "cases:case_list", lambda u: u.has_role(Role.CASEWORKER, Role.SUPERVISOR)
    ),
    MenuEntry(
        _("Requests from other organisations"),
        "cases:access_request_list",
        lambda u: u.has_role(Role.CASEWORKER, Role.SUPERVISOR),
    ),
    MenuEntry(
        _("Closures to decide"), "cases:closure_requests", lambda u: u.has_role(Role.SUPERVISOR)
    ),
    MenuEntry(
        _("Transfers received"),
        "cases:transfer_list",
        lambda u: u.has_role(Role.CASEWORKER, Role.SUPERVISOR),
    ),
    MenuEntry(
        _("Possible duplicates"),
        "cases:duplicate_list",
        lambda u: u.has_role(Role.REGISTRY_OFFICER),
    ),
    MenuEntry(_("Service directory"), "directory:service_list", reads_directory),
    MenuEntry(
        _("Referrals received"), "referrals:inbox", lambda u: u.has_role(Role.SERVICE_FOCAL_POINT)
    ),
    MenuEntry(
        _("Referrals sent"),
        "referrals:sent",
        lambda u: u.has_role(Role.CASEWORKER, Role.SUPERVISOR),
    ),
    MenuEntry(
        _("Notifications"),
        "referrals:notifications",
        lambda u: u.has_role(Role.CASEWORKER, Role.SUPERVISOR, Role.SERVICE_FOCAL_POINT),
    ),
    MenuEntry(_("Referral mechanism figures"), "referrals:figures", sees_figures),
    MenuEntry(_("Distributions"), "assistance:distribution_list", records_distributions),
    MenuEntry(_("Mobile assistance report"), "assistance:report", reads_report),
    MenuEntry(
        _("Fields shared by default"),
        "referrals:shared_field_defaults",
        lambda u: u.has_role(Role.ADMINISTRATOR),
    ),
    MenuEntry(
        _("Flow monitoring points"), "places:point_list", lambda u: u.can_read_reference_data
    ),
    MenuEntry(
        _("Countries and regions"), "places:country_list", lambda u: u.can_edit_reference_data
    ),
    MenuEntry(_("My phones"), "collect:phone_list", may_open_phone_page),
    MenuEntry(_("Users"), "accounts:user_list", lambda user: user.can_manage_users),
    MenuEntry(_("API tokens"), "accounts:token_list", lambda user: user.can_manage_users),
    MenuEntry(
        _("Organisations"), "accounts:organisation_list", lambda u: u.can_edit_reference_data
    ),
    MenuEntry(
        _("Audit log"), "audit:entry_list", lambda u: u.has_role(Role.DATA_PROTECTION_OFFICER)
    ),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "menu": [
            {
                "label": entry.label,
                "url": reverse(entry.url_name),
                "current": current == entry.url_name,
            }
            for entry in MENU
            if entry.shown_to(user)
        ]
    }
