from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from madoguchi.tickets import sla


class Command(BaseCommand):
    help = "Add Japan's national holidays of a year to a business-hours calendar (offline)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("calendar", help="The calendar's name, as in the admin.")
        parser.add_argument(
            "--year", type=int, action="append", help="A year (repeatable); default: this and next."
        )

    def handle(self, *, calendar: str, year: list[int] | None, **options: object) -> None:
        found = sla.calendar_named(calendar)
        if found is None:
            raise CommandError(f"No business-hours calendar is named {calendar!r}.")
        this_year = timezone.localdate().year
        for chosen in year or [this_year, this_year + 1]:
            try:
                added = sla.japanese_holidays_add(found, year=chosen)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{chosen}: added {added} holidays to {found.name}.")
