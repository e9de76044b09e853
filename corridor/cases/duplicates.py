"""Finding the same person twice: while registering, and over the whole registry.

The matcher (corridor.cases.matching) works on plain identities; this module feeds it the
registry and turns what it finds into what each user may know: full details of the persons
their organisation works with, only "a likely match is held by organisation X" for the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import combinations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, Role, User
from corridor.audit.services import record, record_many
from corridor.cases.matching import Communities, Identity, Matcher
from corridor.cases.models import (
    AccessRequest,
    Case,
    CaseNameWord,
    CaseStatus,
    DuplicateCandidate,
    DuplicateStatus,
    Person,
)

LIKELY_MATCHES_SHOWN = 5


def identity_of(person: Person) -> Identity:
    return Identity(
        key=person.pk,
        given_name=person.given_name,
        father_name=person.father_name,
        grandfather_name=person.grandfather_name,
        sex=person.sex,
        birth_year=person.birth_date.year if person.birth_date else None,
        age_is_estimated=person.birth_date_is_estimated,
        nationality=person.nationality_id or "",
        other_names=tuple(
            name.strip()
            for name in [*person.other_names.splitlines(), person.name_in_script]
            if name.strip()
        ),
    )


# The name communities last fitted in this process, and when (time.monotonic()).
_communities: tuple[float, Communities] | None = None
COMMUNITIES_KEPT = 600  # seconds a process reuses them while registering


def registry_matcher(*, refit: bool = False) -> Matcher:
    """The matcher over every person not merged into another one.

    Built anew for each use, with the name communities fitted in this process in the last
    COMMUNITIES_KEPT seconds, unless `refit`: fitting them takes seconds on a registry of
    tens of thousands (docs/person-matching.md), and they follow the registry's mix of names,
    which a few new registrations barely move. The nightly batch refits them. A registry of a
    million would need the index itself kept between requests."""
    global _communities
    identities = [identity_of(person) for person in Person.objects.filter(merged_into=None)]
    kept = None
    if not refit and _communities and time.monotonic() - _communities[0] < COMMUNITIES_KEPT:
        kept = _communities[1]
    matcher = Matcher(identities, communities=kept)
    if kept is None:
        _communities = (time.monotonic(), matcher.communities)
    return matcher


def forget_communities() -> None:
    """Fit the name communities again at the next use (tests: one test's registry must not
    shape the next one's scores)."""
    global _communities
    _communities = None


@dataclass
class LikelyMatch:
    person: Person
    probability: float
    visible: bool  # the user's organisation works with this person: details may be shown
    organisations: list[Organisation] = field(default_factory=list)  # holding open cases


def likely_matches(
    *, by: User, values: dict, request: HttpRequest | None = None
) -> list[LikelyMatch]:
    """The persons already registered who are likely the one about to be registered."""
    return _likely(by, identity_of(Person(**{**values, "pk": None})), request)


def likely_matches_of(
    *, by: User, person: Person, request: HttpRequest | None = None
) -> list[LikelyMatch]:
    """The other persons of the registry who are likely this one (a draft from a phone, whose
    person was registered without the desk's check)."""
    return _likely(by, identity_of(person), request)


def _likely(by: User, candidate: Identity, request: HttpRequest | None) -> list[LikelyMatch]:
    # The candidate's own registration, if in the registry, has its key: candidates() skips it.
    found = registry_matcher().candidates(candidate, limit=LIKELY_MATCHES_SHOWN)
    persons = Person.objects.in_bulk([match.key for match in found])
    visible = set(Person.objects.visible_to(by).filter(pk__in=persons).values_list("pk", flat=True))
    holders: dict[int, list[Organisation]] = {}
    open_cases = Case.objects.filter(person_id__in=persons).exclude(
        status__in=[CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED]
    )
    for case in open_cases.select_related("organisation"):
        holders.setdefault(case.person_id, []).append(case.organisation)
    matches = [
        LikelyMatch(
            persons[match.key], match.probability, match.key in visible, holders.get(match.key, [])
        )
        for match in found
    ]
    # Being shown as a likely match is itself something learnt about a person.
    record_many(
        actor=by,
        action="view",
        object_type="person",
        object_ids=[match.person.pk for match in matches],
        details={"as": "likely match while registering"},
        request=request,
    )
    return matches


def find_duplicates() -> int:
    """Fill the registry officer's review queue with the pairs of each group of registrations
    the matcher takes for one person; returns how many new pairs were queued.

    Groups, not pairs alone: a group weighs its whole evidence (one true birth year, one
    grandfather), so a registration without a grandfather's name joins the person whose other
    registrations it fits (F1 0.70 on the development set, against 0.68 for the pairs alone:
    docs/person-matching.md). A group of three is three pairs in the queue; merging the first
    moves the others onto the kept person (merge)."""
    matcher = registry_matcher(refit=True)
    known = set(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id"))
    new = []
    for group in matcher.groups():
        for a, b in combinations(sorted(group), 2):
            if (a, b) not in known:
                known.add((a, b))
                pair = matcher.pair(a, b)
                new.append(
                    DuplicateCandidate(person_a_id=a, person_b_id=b, probability=pair.probability)
                )
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _registry_officer(user: User) -> None:
    if not user.has_role(Role.REGISTRY_OFFICER):
        raise PermissionDenied


@transaction.atomic
def merge(
    *, by: User, candidate: DuplicateCandidate, keep: Person, request: HttpRequest | None = None
) -> Person:
    """One person from two: the other keeps its row, points at the kept one, and its cases
    move over, so every case, consent and referral still reads as it did."""
    _registry_officer(by)
    if keep.pk not in (candidate.person_a_id, candidate.person_b_id):
        raise ValidationError(_("Keep one of the two persons of the pair."))
    other = candidate.person_b if keep.pk == candidate.person_a_id else candidate.person_a
    for person in (keep, other):
        if person.merged_into_id:
            raise ValidationError(
                _(
                    "%(name)s was merged into another person since this pair was queued: "
                    "their other pairs were moved to that person."
                )
                % {"name": person}
            )
    open_statuses = [CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED]
    holders = list(
        Case.objects.filter(person__in=[keep, other])
        .exclude(status__in=open_statuses)
        .values_list("organisation__name", flat=True)
    )
    twice = sorted({name for name in holders if holders.count(name) > 1})
    if twice:
        raise ValidationError(
            _("Both persons have an open case at %(organisations)s: close one of them first.")
            % {"organisations": ", ".join(twice)}
        )
    moved = Case.objects.filter(person=other).update(person=keep)
    CaseNameWord.objects.index(Case.objects.filter(person=keep).values_list("pk", flat=True))
    other.merged_into = keep
    other.save(update_fields=["merged_into"])
    _move_pending_pairs(by, other, keep)
    candidate.status = DuplicateStatus.MERGED
    candidate.decided_by, candidate.decided_at = by, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor=by,
        action="merge",
        object_type="person",
        object_id=keep.pk,
        details={"merged": other.pk, "cases_moved": moved},
        request=request,
    )
    return keep


def _move_pending_pairs(by: User, merged: Person, keep: Person) -> None:
    """The merged person's other pairs in the queue now concern the kept one: the same person
    registered three times makes three pairs, and after the first merge the two left are one.
    A pair that would repeat one already queued is closed as merged, by the same decision."""
    pending = DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).filter(
        models.Q(person_a=merged) | models.Q(person_b=merged)
    )
    for pair in pending:
        a, b = sorted(
            keep.pk if pk == merged.pk else pk for pk in (pair.person_a_id, pair.person_b_id)
        )
        queued = DuplicateCandidate.objects.filter(person_a_id=a, person_b_id=b)
        if a == b or queued.exists():
            pair.status = DuplicateStatus.MERGED
            pair.decided_by, pair.decided_at = by, timezone.now()
            pair.save(update_fields=["status", "decided_by", "decided_at"])
        else:
            pair.person_a_id, pair.person_b_id = a, b
            pair.save(update_fields=["person_a", "person_b"])


@transaction.atomic
def mark_distinct(
    *, by: User, candidate: DuplicateCandidate, request: HttpRequest | None = None
) -> None:
    _registry_officer(by)
    candidate.status = DuplicateStatus.DISTINCT
    candidate.decided_by, candidate.decided_at = by, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor=by,
        action="change",
        object_type="duplicate",
        object_id=candidate.pk,
        details={"status": "distinct"},
        request=request,
    )


@transaction.atomic
def request_access(
    *,
    by: User,
    person: Person,
    organisation: Organisation,
    request: HttpRequest | None = None,
) -> AccessRequest:
    """Ask the organisation that holds a likely match to get in touch: nothing is shared by
    the request itself; the other organisation decides, with the person's consent."""
    if not by.has_role(Role.CASEWORKER, Role.SUPERVISOR) or not by.organisation_id:
        raise PermissionDenied
    access = AccessRequest.objects.create(person=person, organisation=organisation, requested_by=by)
    record(
        actor=by,
        action="access_request",
        object_type="person",
        object_id=person.pk,
        details={"organisation": organisation.pk},
        request=request,
    )
    return access
