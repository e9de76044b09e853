"""What Corridor makes of a stored submission: a record, a draft case, or a place in the
review queue with the reason. Never raises for a check that fails: the submission waits.

By the form's purpose (docs/collect.md, "From submission to record"):
- flow registry -> a group record, through flows.services.record_group: the same parsers as the
  file import (flows.imports.parse_answers) and the same checks as the web form;
- flow survey -> a survey interview, through flows.services.record_interview, the same way;
- screening -> a draft case: the person registered, the consent given on the phone and the
  screening, all as the sender, in one transaction; a caseworker of the organisation then
  confirms or discards it (cases.services.confirm_draft, discard_draft);
- other forms -> kept as they are.

Everything is done as the account that sent the submission, so its rules apply (an enumerator
records for their own points only, a caseworker for their own organisation). The instanceID is
the record's source record id: the same submission processed twice makes one record.

An edit sent from the phone (meta/deprecatedID, `Submission.replaces`) is applied to what the
earlier submission became: a group record is corrected (flows.services.correct_group, reason
"Edited on the phone", its history kept); an interview is changed in place after the same
checks (interviews are anonymous and have no correction history); a draft case still a draft
gets the new identity, consent and screening, while a confirmed case is not changed from a
phone: the edit goes to review, and the caseworker makes the change on the case page. When the
earlier submission became nothing (it went to review, or its draft was discarded), the edit is
processed as a new submission.

The reasons for review are written in the default language (French), for the reviewers.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.models import AuditEntry
from corridor.audit.services import record as audit
from corridor.cases import services as cases_services
from corridor.cases.models import (
    Case,
    CaseNameWord,
    CaseStatus,
    ConsentLanguage,
    ConsentPurpose,
    GivenBy,
    Identification,
    MigrationStatus,
    Person,
)
from corridor.cases.models import Sex as PersonSex
from corridor.cases.screening import QUESTIONS
from corridor.collect import instance
from corridor.collect.models import FormVersion, Purpose, Submission, SubmissionState
from corridor.flows import checks
from corridor.flows import services as flows_services
from corridor.flows.imports import (
    REGISTRY,
    SURVEY,
    Column,
    Lookup,
    Spec,
    choice,
    country,
    multiple_choice,
    parse_answers,
    parse_date,
    parse_optional_whole,
    parse_text,
    simple,
)
from corridor.flows.models import GroupRecord, Language, SurveyInterview
from corridor.places.models import FlowMonitoringPoint, Region, normalise_place_name

logger = logging.getLogger(__name__)
EDITED_ON_THE_PHONE = "Edited on the phone"


class ToReview(Exception):
    """The submission cannot become a record now; `messages` say why, in plain words."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def process(submission: Submission) -> None:
    """Turn a RECEIVED submission into what its form's purpose says; any other state is left
    as it is (encrypted, incomplete, already processed)."""
    if submission.state != SubmissionState.RECEIVED:
        return
    with translation.override(settings.LANGUAGE_CODE):
        try:
            with transaction.atomic():
                made = _make(submission)
                # In the same transaction: the record and the state that names it, together.
                submission.state = (
                    SubmissionState.KEPT if made is None else SubmissionState.PROCESSED
                )
                submission.record = made or ""
                submission.processed_at = timezone.now()
                submission.save(update_fields=["state", "record", "problem", "processed_at"])
        except ToReview as review:
            _to_review(submission, review.messages)
            return
        except PermissionDenied as error:
            _to_review(submission, [_permission_message(submission, error)])
            return
        except ValidationError as error:
            _to_review(submission, _validation_messages(error, _answers_or_empty(submission)))
            return
        except Exception:  # a bug must not lose the submission: it waits, with the reason
            logger.exception("Processing submission %s failed", submission.pk)
            _to_review(
                submission,
                [_("Corridor could not process this submission (an error on the server).")],
            )
            return


@transaction.atomic
def retry(submission: Submission, by: User) -> Submission:
    """Process a submission of the review queue again, once its cause is fixed (a point added,
    a month unlocked, the sender given the right role). It is still made as its sender."""
    if not Submission.objects.visible_to(by).filter(pk=submission.pk).exists():
        raise PermissionDenied
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.state != SubmissionState.TO_REVIEW:
        raise ValidationError(_("Only a submission waiting for review can be processed again."))
    submission.state = SubmissionState.RECEIVED
    submission.problem = ""
    submission.save(update_fields=["state", "problem"])
    audit(
        actor=by,
        action=AuditEntry.Action.CHANGE,
        object_type="collect.submission",
        object_id=submission.pk,
        details={"retry": True},
    )
    process(submission)
    submission.refresh_from_db()
    return submission


def _to_review(submission: Submission, messages: list[str]) -> None:
    submission.state = SubmissionState.TO_REVIEW
    submission.problem = "\n".join(message for message in messages if message)
    submission.record = ""
    submission.save(update_fields=["state", "problem", "record"])


def _answers(submission: Submission) -> dict[str, str]:
    try:
        root = instance.parse(submission.xml)
        if Submission.version.is_cached(submission):  # as receive leaves it
            version = submission.version
        else:  # not the whole row: the XLSForm and XForm are large
            version = FormVersion.objects.only("hash").get(pk=submission.version_id)
        found = instance.answers(root, _repeats(version.pk, version.hash))
    except instance.InstanceProblem as problem:
        raise ToReview(str(problem)) from None
    return found.by_name()


@lru_cache(maxsize=512)
def _repeats(version_pk: int, version_hash: str) -> frozenset[str]:
    """The repeats of a stored version (which never changes): reading its XForm, large with
    the lists of points and countries, cost more than the rest of a submission. Keyed on the
    hash too, as receive.instance_root is."""
    xform = FormVersion.objects.filter(pk=version_pk).values_list("xform", flat=True).get()
    return frozenset(instance.repeat_paths(xform))


def _answers_or_empty(submission: Submission) -> dict[str, str]:
    try:
        return _answers(submission)
    except ToReview:
        return {}


def _make(submission: Submission) -> str | None:
    """What the submission becomes, as "app.model:pk", or None when it is kept as it is."""
    purpose = submission.form.purpose
    if purpose not in MAKERS:
        return None
    answers = _answers(submission)
    earlier = _earlier_record(submission)
    return MAKERS[purpose](submission, answers, earlier)


def _earlier_record(submission: Submission) -> str:
    """The record the edited submission became, if it became one."""
    replaced = submission.replaces
    return replaced.record if replaced is not None else ""


def _record_id(record: str, model: type) -> int | None:
    label = f"{model._meta.app_label}.{model._meta.model_name}:"
    if record.startswith(label):
        return int(record.removeprefix(label))
    return None


def _label(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


# Messages in plain words.


def _question_message(question: str, value: object, message: str) -> str:
    if value in (None, ""):
        return _("Question “%(question)s” (no answer): %(message)s") % {
            "question": question,
            "message": message,
        }
    return _("Question “%(question)s”, answer “%(value)s”: %(message)s") % {
        "question": question,
        "value": value,
        "message": message,
    }


def _problem_messages(problems: list[checks.Problem]) -> list[str]:
    return [_question_message(p.field, _shown(p.value), p.message) for p in problems]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(getattr(value, "name", value))


def _validation_messages(error: ValidationError, answers: dict[str, str]) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for field, problems in error.message_dict.items():
        for message in problems:
            if field in ("__all__", ""):
                messages.append(message)
            else:
                messages.append(_question_message(field, answers.get(field, ""), message))
    return messages


def _permission_message(submission: Submission, error: PermissionDenied) -> str:
    sender = submission.submitted_by
    role = sender.get_role_display() if sender.role else _("no role")
    said = str(error) if str(error) else ""
    return _(
        "%(user)s (%(role)s) may not make what this form makes (%(purpose)s): "
        "send it from an account whose role may, or change the account's role, then "
        "process it again."
    ) % {"user": sender, "role": role, "purpose": submission.form.get_purpose_display()} + (
        f" {said}" if said else ""
    )


def _parsed(spec: Spec, answers: dict[str, str]) -> dict:
    values, problems = parse_answers(spec, answers)
    if problems:
        raise ToReview(*_problem_messages(problems))
    values.pop("source_record_id", None)
    return values


# Flow monitoring.


def _make_group(submission: Submission, answers: dict[str, str], earlier: str) -> str:
    values = _parsed(REGISTRY, answers)
    by = submission.submitted_by
    pk = _record_id(earlier, GroupRecord)
    existing = GroupRecord.objects.filter(pk=pk).first() if pk else None
    if existing is not None:
        flows_services.correct_group(
            by=by, record=existing, values=values, reason=EDITED_ON_THE_PHONE
        )
        return _label(existing)
    return _flow_entry(submission, GroupRecord, flows_services.record_group, values)


def _make_interview(submission: Submission, answers: dict[str, str], earlier: str) -> str:
    values = _parsed(SURVEY, answers)
    by = submission.submitted_by
    pk = _record_id(earlier, SurveyInterview)
    existing = SurveyInterview.objects.filter(pk=pk).first() if pk else None
    if existing is not None:
        _correct_interview(by, existing, values)
        return _label(existing)
    return _flow_entry(submission, SurveyInterview, flows_services.record_interview, values)


def _flow_entry(submission: Submission, model: type, service: Callable, values: dict) -> str:
    """A new entry whose source record id is the instanceID: one entry per submission."""
    source = submission.instance_id
    try:
        # The service's own atomic block is a savepoint here: a refused insert rolls back to
        # it and the transaction goes on.
        entry = service(by=submission.submitted_by, values={**values, "source_record_id": source})
    except IntegrityError:
        # The same instance processed at the same moment elsewhere: that one made the entry.
        known = model.objects.filter(source_record_id=source).first()
        if known is None:
            raise
        return _label(known)
    return _label(entry)


def _correct_interview(by: User, interview: SurveyInterview, values: dict) -> None:
    """Apply a phone's edit to an interview, with the checks of a new one. Locked months and
    other points are refused as for a group record."""
    if not SurveyInterview.objects.visible_to(by).filter(pk=interview.pk).exists():
        raise PermissionDenied
    context = checks.CheckContext(by)
    if checks.first_of_month(interview.day) in context.locked_months:
        raise ValidationError(
            _("The month %(month)s is published and locked: it must be unlocked first.")
            % {"month": interview.day.strftime("%Y-%m")}
        )
    problems = checks.check_interview(values, context)
    if problems:
        raise ToReview(*_problem_messages(problems))
    for name, value in values.items():
        setattr(interview, name, value)
    interview.save()


# Screening: draft cases.


def _optional_point() -> Lookup:
    return Lookup(
        FlowMonitoringPoint.objects.resolver(),
        _("expected a flow monitoring point known to Corridor (name, code or other spelling)"),
        required=False,
    )


def _region() -> Lookup:
    table = {}
    for region in Region.objects.all():
        table[normalise_place_name(region.code)] = region
        table[normalise_place_name(region.name)] = region
    return Lookup(table, _("expected a region of Djibouti (code such as DJ-OB, or name)"), False)


# The screening form's answers, read with the file imports' parsers. Checks run in the
# services (Person.full_clean, record_consent, screen).
SCREENING = Spec(
    model=Person,
    check=lambda values, context: [],
    columns=[
        Column("consent", simple(parse_text), required=True),
        Column("consent_language", choice(ConsentLanguage, required=True), required=True),
        Column("given_by", choice(GivenBy)),
        Column("child_assent", simple(parse_text)),
        Column("given_name", simple(parse_text)),
        Column("father_name", simple(parse_text)),
        Column("grandfather_name", simple(parse_text)),
        Column("other_names", simple(parse_text)),
        Column("name_in_script", simple(parse_text)),
        Column("sex", choice(PersonSex)),
        Column("birth_date_known", simple(parse_text)),
        Column("birth_date", simple(lambda raw: None if not raw else parse_date(raw))),
        Column("estimated_age", simple(parse_optional_whole)),
        Column("nationality", country()),
        Column("languages", multiple_choice(Language)),
        Column("phone", simple(parse_text)),
        Column("migration_status", choice(MigrationStatus)),
        Column("identified_by", choice(Identification)),
        Column("identified_at_point", _optional_point),
        Column("identified_in_region", _region),
        Column("factors", simple(parse_text)),
        Column("notes", simple(lambda raw: "" if raw is None else str(raw).strip())),
    ],
)
PERSON_FIELDS = (
    "given_name",
    "father_name",
    "grandfather_name",
    "other_names",
    "name_in_script",
    "sex",
    "nationality_id",
    "languages",
    "phone",
    "migration_status",
    "identified_by",
    "identified_at_point",
    "identified_in_region",
)


def _yes(value: object) -> bool | None:
    text = str(value or "").strip().lower()
    return {"yes": True, "no": False}.get(text)


def _screening_answers(answers: dict[str, str]) -> tuple[dict, dict, list[str], str]:
    """The person's values, the consent, the factors and the notes of a screening form."""
    values, problems = parse_answers(SCREENING, answers)
    if problems:
        raise ToReview(*_problem_messages(problems))
    person = {name: values[name] for name in PERSON_FIELDS}
    person["migration_status"] = values.get("migration_status") or MigrationStatus.UNKNOWN
    known = _yes(values.get("birth_date_known"))
    today = timezone.localdate()
    person["birth_date"], person["birth_date_is_estimated"] = None, False
    if known and values.get("birth_date"):
        person["birth_date"] = values["birth_date"]
    elif values.get("estimated_age") is not None:
        # As the web registration does: the middle of the year of birth the age implies.
        person["birth_date"] = datetime.date(today.year - values["estimated_age"], 7, 1)
        person["birth_date_is_estimated"] = True
    codes = str(values.get("factors") or "").split()
    unknown = [code for code in codes if code not in QUESTIONS]
    if unknown:
        raise ToReview(
            _question_message(
                "factors",
                " ".join(unknown),
                _("expected screening codes among: %(codes)s") % {"codes": ", ".join(QUESTIONS)},
            )
        )
    consent = {
        "given": _yes(values.get("consent")),
        "language": values.get("consent_language") or ConsentLanguage.FRENCH,
        "given_by": values.get("given_by") or GivenBy.PERSON,
        "child_assent": _yes(values.get("child_assent")),
    }
    return person, consent, codes, values.get("notes") or ""


def _make_draft_case(submission: Submission, answers: dict[str, str], earlier: str) -> str | None:
    by = submission.submitted_by
    if not by.has_role(*cases_services.WORKS_ON_CASES) or not by.organisation_id:
        raise PermissionDenied
    person_values, consent, factors, notes = _screening_answers(answers)
    if consent["given"] is not True:
        _forget_answers(submission)
        submission.problem = _(
            "The person did not agree to be registered: nothing was registered, and the "
            "answers sent were deleted; only the fact that a form was sent is kept."
        )
        return None
    pk = _record_id(earlier, Case)
    existing = Case.objects.filter(pk=pk).first() if pk else None
    if existing is not None:
        return _edit_draft(by, existing, person_values, consent, factors, notes)
    _person, case = cases_services.register_person(by=by, values=person_values, draft=True)
    _consent_and_screening(by, case, consent, factors, notes)
    return _label(case)


def _forget_answers(submission: Submission) -> None:
    """Someone who refused to be registered leaves no personal data here: the submission keeps
    its form, version and instanceID (a retry is still recognised by its hash), nothing else."""
    sent = instance.envelope(instance.parse(submission.xml))
    submission.xml = (
        f"<{sent.root} id={quoteattr(sent.form_id)} version={quoteattr(sent.version)}>"
        f"<meta><instanceID>{escape(sent.instance_id)}</instanceID></meta></{sent.root}>"
    )
    Submission.objects.filter(pk=submission.pk).update(xml=submission.xml)
    submission.attachments.all().delete()


def _consent_and_screening(
    by: User, case: Case, consent: dict, factors: list[str], notes: str
) -> None:
    cases_services.record_consent(
        by=by,
        case=case,
        purpose=ConsentPurpose.REGISTRATION,
        given=True,
        language=consent["language"],
        given_by=consent["given_by"],
        child_assent=consent["child_assent"],
    )
    cases_services.screen(by=by, case=case, factors=factors, notes=notes)


def _edit_draft(
    by: User, case: Case, person_values: dict, consent: dict, factors: list[str], notes: str
) -> str:
    if case.status != CaseStatus.DRAFT:
        raise ToReview(
            _(
                "This edit from the phone changes case %(code)s, which was already confirmed: "
                "a confirmed case is not changed from a phone. Make the changes on the case "
                "page."
            )
            % {"code": case.code}
        )
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    person = case.person
    for name, value in person_values.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    CaseNameWord.objects.index(person.cases.values_list("pk", flat=True))
    audit(
        actor=by,
        action=AuditEntry.Action.CHANGE,
        object_type="person",
        object_id=person.pk,
        details={"edited_on_the_phone": True, "case": case.pk},
    )
    _consent_and_screening(by, case, consent, factors, notes)
    return _label(case)


MAKERS: dict[str, Callable] = {
    Purpose.FLOW_REGISTRY: _make_group,
    Purpose.FLOW_SURVEY: _make_interview,
    Purpose.SCREENING: _make_draft_case,
}
