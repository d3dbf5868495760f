"""`python manage.py seed_demo`: the demo tenants, accounts and data (idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import ACCOUNTS, seed_demo


class Command(BaseCommand):
    help = "Create the demo tenants, accounts, roles and security data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password for every demo account (default: DEMO_PASSWORD)."
        )

    def handle(self, *args, password: str | None = None, **options):
        # DEMO_PASSWORD is read in every mode; only debug falls back to the well-known demo
        # password, so a deployment never gets accounts anyone could guess.
        password = password or settings.DEMO_PASSWORD
        if not password:
            raise CommandError(
                "Refusing to create demo accounts outside debug without a password: "
                "set DEMO_PASSWORD or pass --password."
            )
        done = seed_demo(password)
        self.stdout.write("Seeded: " + ", ".join(done) if done else "Demo data already in place.")
        self.stdout.write("Demo accounts (same password for all):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.email}")
