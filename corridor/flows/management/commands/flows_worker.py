import time

from django.core.management.base import BaseCommand

from corridor.flows import worker


class Command(BaseCommand):
    help = "Check and import uploaded flow monitoring files in the background."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Process the queue, then stop.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls.")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        while True:
            done = worker.run_pending()
            if done:
                self.stdout.write(f"Processed {done} file(s).")
            if once:
                return
            time.sleep(interval)
