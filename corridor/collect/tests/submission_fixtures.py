"""Forms, versions and submissions written straight into the database, for the tests of the
submission pages, the review queue and the exports.

The XForm is written by hand, as pyxform writes them: a group, a repeat, a select whose choices
are in a secondary instance, a photo, and labels in French (the form's default) and English.
Names are synthetic and look it.
"""

from __future__ import annotations

import hashlib
import uuid

from corridor.accounts.models import User
from corridor.collect.models import Attachment, CollectForm, FormVersion, Submission

# (path, French label, English label, control, bind type); paths are below /data.
QUESTIONS_V1 = [
    ("place/town", "Ville", "Town", "select1", "string"),
    ("place/remark", "Remarque", "Remark", "input", "string"),
    ("household_size", "Taille du ménage", "Household size", "input", "int"),
    ("member/member_name", "Prénom", "First name", "input", "string"),
    ("member/member_age", "Âge", "Age", "input", "int"),
    ("photo", "Photo du lieu", "Photo of the place", "upload", "binary"),
]
# Version 2 drops the remark and asks for a contact after the household size.
QUESTIONS_V2 = [
    ("place/town", "Ville", "Town", "select1", "string"),
    ("household_size", "Taille du ménage", "Household size", "input", "int"),
    ("contact", "Contact", "Contact", "input", "string"),
    ("member/member_name", "Prénom", "First name", "input", "string"),
    ("member/member_age", "Âge", "Age", "input", "int"),
    ("photo", "Photo du lieu", "Photo of the place", "upload", "binary"),
]
GROUPS = {"place": ("Lieu", "Place"), "member": ("Membre du ménage", "Household member")}
TOWNS = [("obock_ville", "Obock-ville", "Obock town"), ("fantaherou", "Fantaherou", "Fantaherou")]


def _control(path: str, control: str) -> str:
    extra = ' mediatype="image/*"' if control == "upload" else ""
    items = ""
    if control == "select1":
        items = (
            "<itemset nodeset=\"instance('town')/root/item\">"
            '<value ref="name"/><label ref="jr:itext(itextId)"/></itemset>'
        )
    return (
        f'<{control} ref="/data/{path}"{extra}>'
        f"<label ref=\"jr:itext('/data/{path}:label')\"/>{items}</{control}>"
    )


def xform(form_id: str = "household", version: str = "1", questions: list | None = None) -> str:
    questions = QUESTIONS_V1 if questions is None else questions

    def texts(language: int) -> str:
        found = [
            f'<text id="/data/{group}:label"><value>{labels[language]}</value></text>'
            for group, labels in GROUPS.items()
        ]
        found += [
            f'<text id="/data/{q[0]}:label"><value>{q[1 + language]}</value></text>'
            for q in questions
        ]
        found += [
            f'<text id="town-{n}"><value>{town[1 + language]}</value></text>'
            for n, town in enumerate(TOWNS)
        ]
        return "".join(found)

    paths = [q[0] for q in questions]
    place = "".join(f"<{p.split('/')[1]}/>" for p in paths if p.startswith("place/"))
    member = "".join(f"<{p.split('/')[1]}/>" for p in paths if p.startswith("member/"))
    top = [p for p in paths if "/" not in p]
    # The form's order: the place group, the top questions, the repeat, then the photo.
    before = [p for p in top if p != "photo"]
    after = [p for p in top if p == "photo"]
    instance = (
        f"<place>{place}</place>"
        + "".join(f"<{p}/>" for p in before)
        + f'<member jr:template="">{member}</member><member>{member}</member>'
        + "".join(f"<{p}/>" for p in after)
        + "<meta><instanceID/></meta>"
    )
    kinds = {q[0]: q[3] for q in questions}
    body = (
        '<group ref="/data/place"><label ref="jr:itext(\'/data/place:label\')"/>'
        + "".join(_control(p, kinds[p]) for p in paths if p.startswith("place/"))
        + "</group>"
        + "".join(_control(p, kinds[p]) for p in before)
        + '<group ref="/data/member"><label ref="jr:itext(\'/data/member:label\')"/>'
        + '<repeat nodeset="/data/member">'
        + "".join(_control(p, kinds[p]) for p in paths if p.startswith("member/"))
        + "</repeat></group>"
        + "".join(_control(p, kinds[p]) for p in after)
    )
    binds = "".join(f'<bind nodeset="/data/{q[0]}" type="{q[4]}"/>' for q in questions)
    towns = "".join(
        f"<item><itextId>town-{n}</itextId><name>{town[0]}</name></item>"
        for n, town in enumerate(TOWNS)
    )
    return (
        '<?xml version="1.0"?><h:html xmlns="http://www.w3.org/2002/xforms" '
        'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms"><h:head><h:title>Ménages</h:title><model>'
        f'<itext><translation lang="Français (fr)" default="true()">{texts(0)}</translation>'
        f'<translation lang="English (en)">{texts(1)}</translation></itext>'
        f'<instance><data id="{form_id}" version="{version}">{instance}</data></instance>'
        f'<instance id="town"><root>{towns}</root></instance>{binds}</model></h:head>'
        f"<h:body>{body}</h:body></h:html>"
    )


# A form as some tools write it: no translations, one question without a label.
PLAIN_XFORM = (
    '<?xml version="1.0"?><h:html xmlns="http://www.w3.org/2002/xforms" '
    'xmlns:h="http://www.w3.org/1999/xhtml"><h:head><h:title>Plain</h:title><model>'
    '<instance><data id="plain" version="1"><size/><unlabelled/><meta><instanceID/></meta>'
    "</data></instance></model></h:head><h:body>"
    '<input ref="/data/size"><label>Group size</label></input>'
    '<input ref="/data/unlabelled"/></h:body></h:html>'
)


def make_form(
    by: User, *, form_id: str = "household", personal: bool = True, title: str = "Ménages test"
) -> CollectForm:
    return CollectForm.objects.create(
        form_id=form_id, title=title, holds_personal_data=personal, created_by=by
    )


def make_version(
    form: CollectForm, by: User, *, version: str = "1", text: str | None = None
) -> FormVersion:
    text = text if text is not None else xform(form.form_id, version)
    return FormVersion.objects.create(
        form=form,
        version=version,
        xlsform=b"",
        xlsform_name=f"{form.form_id}.xlsx",
        xform=text,
        hash="md5:" + hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
        uploaded_by=by,
    )


def instance_xml(
    form_id: str = "household",
    version: str = "1",
    *,
    instance_id: str,
    town: str = "obock_ville",
    remark: str = "Test remark",
    size: str = "2",
    members: tuple[tuple[str, str], ...] = (("Test-Prenom-Un", "34"), ("Test-Prenom-Deux", "9")),
    photo: str = "",
    contact: str | None = None,
) -> str:
    remark_xml = f"<remark>{remark}</remark>" if version == "1" else ""
    contact_xml = f"<contact>{contact}</contact>" if contact is not None else ""
    member_xml = "".join(
        f"<member><member_name>{name}</member_name><member_age>{age}</member_age></member>"
        for name, age in members
    )
    return (
        f'<data xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"<place><town>{town}</town>{remark_xml}</place><household_size>{size}</household_size>"
        f"{contact_xml}{member_xml}<photo>{photo}</photo>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    )


def make_submission(
    version: FormVersion,
    by: User,
    *,
    state: str = "processed",
    problem: str = "",
    xml: str | None = None,
    replaces: Submission | None = None,
    record: str = "",
    **answers,
) -> Submission:
    instance_id = answers.pop("instance_id", None) or f"uuid:{uuid.uuid4()}"
    xml = (
        xml
        if xml is not None
        else instance_xml(version.form.form_id, version.version, instance_id=instance_id, **answers)
    )
    return Submission.objects.create(
        form=version.form,
        version=version,
        instance_id=instance_id,
        xml=xml,
        xml_hash=hashlib.sha256(xml.encode()).hexdigest(),
        state=state,
        problem=problem,
        replaces=replaces,
        record=record,
        submitted_by=by,
    )


def attach(submission: Submission, filename: str, content: bytes, content_type: str) -> Attachment:
    return Attachment.objects.create(
        submission=submission,
        filename=filename,
        content=content,
        content_type=content_type,
        size=len(content),
    )
