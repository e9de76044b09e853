"""Publish version 1 of the consent texts, read out to a person before their consent is recorded.

The texts are the files corridor/cases/consent_texts/<purpose>.<language>.txt. None has been
reviewed by a native speaker yet. Never edit those files: a recorded consent points at the exact
text shown, and a new database built from these migrations must get the same version 1. A new or
reviewed text is a new version, published by a new data migration (see consent_texts/README.md).
"""

from pathlib import Path

from django.db import migrations

TEXTS_DIR = Path(__file__).resolve().parent.parent / "consent_texts"
PURPOSES = ("registration", "referral_sharing", "law_enforcement", "statistics")
LANGUAGES = ("fr", "en", "ar", "am", "om", "so", "aa")
VERSION = 1


def read_text(purpose, language):
    path = TEXTS_DIR / f"{purpose}.{language}.txt"
    body = path.read_text(encoding="utf-8").strip()
    if not body:
        raise ValueError(f"{path} is empty.")
    return body


def publish(apps, schema_editor):
    ConsentText = apps.get_model("cases", "ConsentText")
    db = schema_editor.connection.alias
    # Read every file first, so that a missing one stops the migration before any row is written.
    bodies = {
        (purpose, language): read_text(purpose, language)
        for purpose in PURPOSES
        for language in LANGUAGES
    }
    for (purpose, language), body in bodies.items():
        ConsentText.objects.using(db).update_or_create(
            purpose=purpose,
            language=language,
            version=VERSION,
            defaults={"body": body, "reviewed_by_native_speaker": False},
        )


def unpublish(apps, schema_editor):
    # Consents recorded against these texts protect them: unapplying then fails, as it should.
    ConsentText = apps.get_model("cases", "ConsentText")
    db = schema_editor.connection.alias
    ConsentText.objects.using(db).filter(
        purpose__in=PURPOSES, language__in=LANGUAGES, version=VERSION
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(publish, unpublish),
    ]
