from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.search import services, sources


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every registered source (or the ones named); "
        "embeddings follow in the background."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help="Source names, e.g. kb.article.")

    def handle(self, *args: object, **options: object) -> None:
        names = list(options.get("sources") or []) or [
            source.name for source in sources.all_sources()
        ]
        for name in names:
            try:
                count = services.source_reindex(str(name))
            except sources.UnknownSourceError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{name}: {count} documents indexed")
