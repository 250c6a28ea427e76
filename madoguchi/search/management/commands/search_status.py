from django.core.management.base import BaseCommand, CommandParser

from madoguchi.search.selectors import index_status


class Command(BaseCommand):
    help = "Report whether the search index and the embedding backlog are complete."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Exit with status 1 while the index is incomplete."
        )

    def handle(self, *args: object, check: bool = False, **options: object) -> None:
        status = index_status()
        self.stdout.write(f"documents indexed:   {status.documents}")
        self.stdout.write(f"documents embedded:  {status.embedded}")
        self.stdout.write(f"embedding backlog:   {status.backlog}")
        self.stdout.write(f"model available:     {'yes' if status.model_available else 'no'}")
        self.stdout.write(f"documents missing:   {status.missing}")
        self.stdout.write(f"documents left over: {status.left_over}")
        if status.complete:
            self.stdout.write("complete")
        elif not status.in_step:
            self.stdout.write("incomplete: run `manage.py search_reindex` to rebuild the index")
        else:
            self.stdout.write("incomplete: the worker is embedding")
        if check and not status.complete:
            raise SystemExit(1)
