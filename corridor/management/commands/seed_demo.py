from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from corridor.accounts import demo as accounts_demo
from corridor.flows import demo as flows_demo


class Command(BaseCommand):
    help = (
        "Load the synthetic demo data (idempotent). Its passwords are public: not for production."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts' passwords are public.",
        )

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts whose passwords are public, and DEBUG is off, so "
                "this looks like a production server. Refusing. Use --force on a test server."
            )
        logins = accounts_demo.seed()
        # After the accounts: the flow records name demo.info and demo.enumerator.
        flows_summary = flows_demo.seed()
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(flows_summary)
            self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
            for username, password, role in logins:
                self.stdout.write(f"  {username:<18} {password:<16} {role}")
