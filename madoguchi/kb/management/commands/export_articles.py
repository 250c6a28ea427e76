"""Export a knowledge base's published articles in the import formats (JSON lines or Markdown)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.kb import formats, selectors
from madoguchi.kb.management.brand_option import add_brand_argument, brand_from


class Command(BaseCommand):
    help = "Export the published articles of a knowledge base (JSON lines or Markdown files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="A .jsonl file, a folder for Markdown, or - (stdout).")
        parser.add_argument("--kb", required=True, help="The knowledge base's slug.")
        add_brand_argument(parser)
        parser.add_argument("--format", choices=["jsonl", "markdown"], default="")

    def handle(self, *args: Any, **options: Any) -> None:
        kb = brand_from(options).knowledge_bases.filter(slug=options["kb"]).first()
        if kb is None:
            raise CommandError(f"There is no knowledge base {options['kb']}.")
        output = options["output"]
        chosen = options["format"] or (
            "jsonl" if output == "-" or output.endswith(".jsonl") else "markdown"
        )
        entries = selectors.export_entries(kb)
        if chosen == "jsonl":
            written = self._jsonl(output, entries)
        else:
            written = self._markdown(Path(output), entries)
        self.stderr.write(f"Exported {written} article translation(s).")

    def _jsonl(self, output: str, entries: Any) -> int:
        if output == "-":
            lines = list(formats.to_jsonl(entries))
            for line in lines:
                self.stdout.write(line, ending="")
            return len(lines)
        written = 0
        with open(output, "w", encoding="utf-8") as stream:
            for line in formats.to_jsonl(entries):
                stream.write(line)
                written += 1
        return written

    def _markdown(self, folder: Path, entries: Any) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for entry in entries:
            (folder / formats.markdown_file_name(entry)).write_text(
                formats.to_markdown(entry), encoding="utf-8"
            )
            written += 1
        return written
