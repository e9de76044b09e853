"""Loading the shipped XLSForms into Corridor: `manage.py load_collect_forms` and the demo."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from corridor.accounts.models import Role, User
from corridor.collect import services
from corridor.collect.models import CollectForm, Purpose
from corridor.collect.xlsforms import definitions

# form_id -> (purpose, holds personal data, roles it is assigned to when first loaded).
SHIPPED = {
    definitions.REGISTRY_FORM_ID: (
        Purpose.FLOW_REGISTRY,
        False,
        (Role.ENUMERATOR, Role.INFORMATION_OFFICER),
    ),
    definitions.SURVEY_FORM_ID: (
        Purpose.FLOW_SURVEY,
        False,
        (Role.ENUMERATOR, Role.INFORMATION_OFFICER),
    ),
    definitions.SCREENING_FORM_ID: (Purpose.SCREENING, True, (Role.CASEWORKER,)),
}


def shipped_version(content: bytes) -> str:
    return str(definitions.read_sheets(content)["settings"][0]["version"])


def with_public_key(content: bytes, public_key: str) -> bytes:
    """The XLSForm with `public_key` in its settings sheet, so that phones keep encrypting."""
    workbook = load_workbook(BytesIO(content))
    sheet = workbook["settings"]
    header = [cell.value for cell in sheet[1]]
    if "public_key" in header:
        column = header.index("public_key") + 1
    else:
        column = len(header) + 1
        sheet.cell(row=1, column=column, value="public_key")
    sheet.cell(row=2, column=column, value=public_key)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def load_shipped_forms(*, by: User) -> list[str]:
    """Upload each shipped form whose version is not stored yet; say what was done.

    Roles are assigned only when a form is first loaded: an administrator may change the
    assignment afterwards, and loading a later version keeps it. A form an administrator made
    encrypted gets its key in every later shipped version too.
    """
    said = []
    for filename, (form_id, _builder) in definitions.FORMS.items():
        content = (definitions.FOLDER / filename).read_bytes()
        version = shipped_version(content)
        form = CollectForm.objects.filter(form_id=form_id).first()
        if form is not None and form.versions.filter(version=version).exists():
            said.append(f"{form_id} {version}: already loaded")
            continue
        purpose, personal, roles = SHIPPED[form_id]
        key = getattr(form, "decryption_key", None) if form is not None else None
        if key is not None:
            content = with_public_key(content, key.public_key)
        uploaded = services.upload_form(
            by=by,
            content=content,
            filename=filename,
            purpose=purpose,
            holds_personal_data=personal,
        )
        if form is None:
            services.assign(by=by, form=uploaded.form, roles=roles, users=[])
        said.append(f"{form_id} {version}: loaded")
    return said
