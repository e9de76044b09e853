from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from corridor.accounts import demo as accounts_demo
from corridor.accounts.models import User
from corridor.cases import demo as cases_demo
from corridor.collect import keys as collect_keys
from corridor.collect.models import CollectForm, DecryptionKey
from corridor.collect.xlsforms import definitions as collect_definitions
from corridor.collect.xlsforms import loading as collect_forms
from corridor.directory import demo as directory_demo
from corridor.flows import demo as flows_demo
from corridor.referrals import demo as referrals_demo

# Public, like the demo passwords: never a real key's.
DEMO_KEY_PASSPHRASE = "demo-passphrase-not-secret"  # noqa: S105 - public on purpose


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
        # After the accounts: the flow records name demo.info and demo.enumerator, the cases
        # the caseworkers, the referrals the focal points and the services.
        flows_summary = flows_demo.seed()
        services = directory_demo.seed(accounts_demo.service_providers())
        cases_summary = cases_demo.seed()
        referrals_summary = referrals_demo.seed()
        # Corridor's own phone forms, as `manage.py load_collect_forms` loads them.
        demo_admin = User.objects.get(username="demo.admin")
        collect_summary = collect_forms.load_shipped_forms(by=demo_admin)
        # Phones get the screening form only encrypted: the demo gives it a key whose
        # passphrase is public, as the demo passwords are.
        screening = CollectForm.objects.get(form_id=collect_definitions.SCREENING_FORM_ID)
        if not DecryptionKey.objects.filter(form=screening).exists():
            collect_keys.create_form_key(
                by=demo_admin, form=screening, passphrase=DEMO_KEY_PASSPHRASE
            )
        more = len(accounts_demo.ACCOUNTS) - len(logins)
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(flows_summary)
            self.stdout.write(
                f"Accounts demo: {len(accounts_demo.ORGANISATIONS)} organisations, "
                f"{len(accounts_demo.ACCOUNTS)} accounts."
            )
            self.stdout.write(f"Directory demo: {len(services)} services.")
            self.stdout.write(str(cases_summary))
            self.stdout.write(str(referrals_summary))
            self.stdout.write("Collect forms: " + "; ".join(collect_summary))
            self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
            for username, password, role in logins:
                self.stdout.write(f"  {username:<18} {password:<16} {role}")
            self.stdout.write(
                f"  Passphrase of the demo screening form's key: {DEMO_KEY_PASSPHRASE}"
            )
            self.stdout.write(
                f"  ...and {more} more with the same password (and key), one per role an "
                "organisation needs, named <organisation>.<role>: crd.caseworker, "
                "crd.supervisor, crd.focalpoint, crd.orgadmin, ins.partner..."
            )
