"""Reading a filled form (an XForm instance) safely, and what it holds.

Every XML that comes from outside goes through `parse`: defusedxml refuses a document type
declaration, entities and external references, so an entity-expansion ("billion laughs") or an
external-entity attack is refused before anything is expanded or fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _


class InstanceProblem(ValueError):
    """The XML cannot be read as a filled form; the message says why, for the sender."""


def parse(xml: bytes | str) -> Element:
    try:
        return fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InstanceProblem(
            _("The XML declares a document type or entities, which are refused.")
        ) from None
    except ParseError as error:
        raise InstanceProblem(_("The XML is malformed: %(error)s.") % {"error": error}) from None


def local_name(element: Element) -> str:
    """The tag without its namespace: "{http://openrosa.org/xforms}meta" -> "meta"."""
    return element.tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


@dataclass
class Envelope:
    """What identifies a submission: its form, the form's version, its instance."""

    root: str
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str = ""
    encrypted: bool = False


def envelope(root: Element) -> Envelope:
    meta = _child(root, "meta")
    instance_id = deprecated_id = ""
    if meta is not None:
        found = _child(meta, "instanceID")
        instance_id = (found.text or "").strip() if found is not None else ""
        found = _child(meta, "deprecatedID")
        deprecated_id = (found.text or "").strip() if found is not None else ""
    return Envelope(
        root=local_name(root),
        form_id=root.get("id", ""),
        version=root.get("version", ""),
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        encrypted=root.get("encrypted", "").lower() == "yes",
    )


def repeat_paths(xform: str) -> set[str]:
    """The repeats of a form, as paths below the instance root ("household/member")."""
    paths = set()
    for element in parse(xform).iter():
        if local_name(element) == "repeat" and element.get("nodeset"):
            # "/data/household/member" -> "household/member"
            paths.add(element.get("nodeset").strip("/").split("/", 1)[-1])
    return paths


@dataclass
class Answers:
    """The answers of one instance: `values` by path below the root ("group/question"), and
    each repeat's occurrences as lists of {relative path: value}."""

    values: dict[str, str] = field(default_factory=dict)
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def by_name(self) -> dict[str, str]:
        """Values by question name (the last part of the path), which XLSForm keeps unique."""
        return {path.rsplit("/", 1)[-1]: value for path, value in self.values.items()}


def answers(root: Element, repeats: set[str] = frozenset()) -> Answers:
    found = Answers()

    def walk(element: Element, path: str, into: dict[str, str], prefix: str) -> None:
        for child in element:
            child_path = f"{path}/{local_name(child)}" if path else local_name(child)
            if child_path in repeats:
                occurrence: dict[str, str] = {}
                walk(child, child_path, occurrence, child_path + "/")
                found.repeats.setdefault(child_path, []).append(occurrence)
            elif len(child):
                walk(child, child_path, into, prefix)
            else:
                into[child_path.removeprefix(prefix)] = (child.text or "").strip()

    walk(root, "", found.values, "")
    return found
