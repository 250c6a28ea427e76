"""Import articles from a folder of Markdown files with front matter, or a JSON lines file.

Everything is checked first; with any problem nothing is imported and every problem is listed.
The format is described in docs/knowledge-base.md and madoguchi/kb/formats.py.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.kb import formats, imports
from madoguchi.kb.management.brand_option import add_brand_argument, brand_from


class Command(BaseCommand):
    help = "Import articles (Markdown with front matter, or JSON lines) into a knowledge base."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A folder, a .md, .jsonl or .zip file.")
        parser.add_argument(
            "--kb", required=True, help="The knowledge base's slug; created if missing."
        )
        add_brand_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            parsed = formats.parse_files(formats.files_at(path))
        except formats.ArchiveRefusedError as refused:
            raise CommandError(f"Nothing was imported: {refused}") from refused
        problems = parsed.errors
        if not problems and not parsed.entries:
            raise CommandError(f"{path} holds no articles (.md or .jsonl files).")
        if not problems:
            try:
                result = imports.articles_import(
                    brand=brand_from(options), kb_slug=options["kb"], entries=parsed.entries
                )
            except imports.ImportRefusedError as refused:
                problems = refused.problems
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing was imported: {len(problems)} problem(s).")
        self.stdout.write(
            f"Imported into {options['kb']}: {result.created} created, {result.updated} "
            f"updated, {result.unchanged} unchanged."
        )
