"""Filling Corridor's shipped forms as ODK Collect would, for the tests.

`instance_xml` takes the form version's XForm, copies its main instance (every question, with
its default) and sets the answers by question name, then adds meta/instanceID (and
meta/deprecatedID for an edit), as ODK Collect sends a finalised form. `send` stores it as the
OpenRosa endpoint does and processes it.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from xml.etree import ElementTree

from corridor.accounts.models import User
from corridor.collect import instance, processing
from corridor.collect.models import CollectForm, FormVersion, Submission
from corridor.collect.xlsforms import loading

XFORMS = "http://www.w3.org/2002/xforms"


def load_forms(admin: User) -> dict[str, FormVersion]:
    """The shipped forms loaded as `manage.py load_collect_forms` does, by form_id."""
    loading.load_shipped_forms(by=admin)
    return {form.form_id: form.current_version for form in CollectForm.objects.all()}


def _local(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def instance_xml(
    version: FormVersion, answers: dict[str, str], instance_id: str = "", deprecated_id: str = ""
) -> str:
    root = instance.parse(version.xform)
    model_instance = root.find(f".//{{{XFORMS}}}model/{{{XFORMS}}}instance")
    data = copy.deepcopy(next(iter(model_instance)))
    unknown = set(answers)
    for element in data.iter():
        element.tag = _local(element)
        if element.tag in answers and not len(element):
            element.text = str(answers[element.tag])
            unknown.discard(element.tag)
    assert not unknown, f"no such question in the form: {unknown}"
    meta = data.find("meta")
    meta.find("instanceID").text = instance_id or f"uuid:{uuid.uuid4()}"
    if deprecated_id:
        ElementTree.SubElement(meta, "deprecatedID").text = deprecated_id
    return ElementTree.tostring(data, encoding="unicode")


def send(
    version: FormVersion,
    user: User,
    answers: dict[str, str],
    *,
    replaces: Submission | None = None,
) -> Submission:
    """Store a filled form as the OpenRosa endpoint does, then process it."""
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = instance_xml(
        version, answers, instance_id, replaces.instance_id if replaces is not None else ""
    )
    if replaces is not None:
        replaces.state = "replaced"
        replaces.save(update_fields=["state"])
    submission = Submission.objects.create(
        form=version.form,
        version=version,
        instance_id=instance_id,
        xml=xml,
        xml_hash=hashlib.sha256(xml.encode()).hexdigest(),
        replaces=replaces,
        submitted_by=user,
    )
    processing.process(submission)
    submission.refresh_from_db()
    return submission
