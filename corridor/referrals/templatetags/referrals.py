"""The referrals of a case, on the case's page."""

from __future__ import annotations

from django import template

from corridor.cases.models import Case
from corridor.referrals.models import Referral

register = template.Library()


@register.inclusion_tag("referrals/_case_referrals.html", takes_context=True)
def case_referrals(context: template.Context, case: Case) -> dict:
    """The case's referrals the user sees, with a link to refer again.

    Not audited on their own: the rows show the service, status and dates, no field of the
    person, and the case page that includes them records its own view.
    """
    user = context["request"].user
    referrals = (
        Referral.objects.visible_to(user)
        .filter(case=case)
        .with_overdue()
        .select_related("service", "to_organisation")
        .order_by("-late", "-sent_at", "-id")
    )
    return {"case": case, "referrals": referrals}
