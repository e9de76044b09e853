"""Upload Corridor's own XLSForms to the forms of field collection (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from corridor.accounts.models import Role, User
from corridor.collect.xlsforms import loading


class Command(BaseCommand):
    help = (
        "Upload the XLSForms shipped in corridor/collect/xlsforms/ whose version is not stored "
        "yet: the flow registry and survey (assigned to enumerators and information officers "
        "when first loaded) and the screening form (assigned to caseworkers). Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as",
            dest="username",
            help="The administrator account that uploads (default: the first active one).",
        )

    def handle(self, *args, username: str | None, **options) -> None:
        administrators = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
        by = (
            administrators.filter(username=username).first()
            if username
            else administrators.order_by("pk").first()
        )
        if by is None:
            raise CommandError(
                "No active administrator account to upload the forms as: create one first, "
                "or name one with --as."
            )
        for line in loading.load_shipped_forms(by=by):
            self.stdout.write(line)
