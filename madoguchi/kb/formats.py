"""The import and export formats of articles: Markdown files with front matter, and JSON lines.

A Markdown file starts with YAML front matter between two `---` lines:

    ---
    id: reset-password          (the article's id in the other system: its external id)
    lang: ja                    (en or ja)
    title: パスワードの再設定
    slug: password-reset        (optional; made from the title otherwise)
    category: account           (optional category and section slugs)
    section: sign-in
    tags: [password, login]     (optional)
    description: …              (optional meta description)
    visibility: organisations   (optional: public, signed_in, organisations, segments or
    organisations: [acme]        internal, with the organisations' slugs or the segments'
    ---                          names it needs; the knowledge base's default otherwise)
    The body, in Markdown.

A JSON lines file holds one article translation per line with the same keys, the body under
"body". Both formats hold one language per entry: the entries sharing an id are one article.
Parsing collects every problem with its file and line, so one run reports them all.
"""

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from madoguchi.kb.models import Visibility

ID_MAX = 200
# A longer article is a mistake (a log, a dump), and rendering 10 MB of Markdown takes a minute.
BODY_MAX = 1_000_000


@dataclass(frozen=True)
class Entry:
    """One article translation read from a file."""

    id: str
    lang: str
    title: str
    body: str
    slug: str = ""
    category: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    visibility: str = ""
    organisations: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    origin: str = ""


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def parse_files(files: Iterable[tuple[str, bytes]]) -> Parsed:
    """Read (name, bytes) pairs: *.md files with front matter, *.jsonl files of entries."""
    parsed = Parsed()
    for name, data in files:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            parsed.errors.append(
                _("%(file)s: not valid UTF-8 (byte %(offset)s).")
                % {"file": name, "offset": error.start}
            )
            continue
        if name.endswith(".jsonl"):
            _jsonl(name, text, parsed)
        else:
            _markdown(name, text, parsed)
    _check_together(parsed)
    return parsed


def _jsonl(name: str, text: str, parsed: Parsed) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            parsed.errors.append(
                _("%(where)s: not valid JSON (%(reason)s).") % {"where": where, "reason": error.msg}
            )
            continue
        _entry(where, data, parsed)


def _markdown(name: str, text: str, parsed: Parsed) -> None:
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        parsed.errors.append(
            _("%(file)s: front matter missing (start with a --- line).") % {"file": name}
        )
        return
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    if end is None:
        parsed.errors.append(
            _("%(file)s: front matter is not closed by a --- line.") % {"file": name}
        )
        return
    try:
        data = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        parsed.errors.append(
            _("%(file)s:%(line)s: broken front matter.") % {"file": name, "line": line}
        )
        return
    if not isinstance(data, dict):
        parsed.errors.append(_("%(file)s: front matter must be key: value lines.") % {"file": name})
        return
    data["body"] = "\n".join(lines[end + 1 :]).strip("\n")
    _entry(name, data, parsed)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _names(value: Any) -> tuple[str, ...]:
    """A list of names, or one comma-separated string of them (tags, slugs)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (_text(v) for v in value) if t)


def _entry(where: str, data: Any, parsed: Parsed) -> None:
    if not isinstance(data, dict):
        parsed.errors.append(
            _("%(where)s: expected an object with id, title, body and lang.") % {"where": where}
        )
        return
    entry = Entry(
        id=_text(data.get("id")),
        lang=_text(data.get("lang")) or "en",
        title=_text(data.get("title")),
        body=data.get("body") if isinstance(data.get("body"), str) else "",
        slug=_text(data.get("slug")),
        category=_text(data.get("category")),
        section=_text(data.get("section")),
        tags=_names(data.get("tags")),
        description=_text(data.get("description") or data.get("meta_description")),
        visibility=_text(data.get("visibility")),
        organisations=_names(data.get("organisations")),
        segments=_names(data.get("segments")),
        origin=where,
    )
    problems = list(_problems(entry))
    parsed.errors.extend(f"{where}: {problem}" for problem in problems)
    if not problems:
        parsed.entries.append(entry)


def _problems(entry: Entry) -> Iterator[str]:
    if not entry.id:
        yield _("the id is missing.")
    elif len(entry.id) > ID_MAX:
        yield _("the id is longer than %(max)s characters.") % {"max": ID_MAX}
    if not entry.title:
        yield _("the title is missing.")
    elif len(entry.title) > 200:
        yield _("the title is longer than 200 characters.")
    if entry.lang not in _languages():
        yield _("unknown language “%(lang)s” (use %(known)s).") % {
            "lang": entry.lang,
            "known": ", ".join(sorted(_languages())),
        }
    if len(entry.body) > BODY_MAX:
        yield _("the body is longer than %(max)s characters.") % {"max": f"{BODY_MAX:,}"}
    if entry.section and not entry.category:
        yield _("a section needs a category.")
    yield from _visibility_problems(entry)


def _visibility_problems(entry: Entry) -> Iterator[str]:
    if entry.visibility and entry.visibility not in Visibility.values:
        yield _("unknown visibility “%(visibility)s” (use %(known)s).") % {
            "visibility": entry.visibility,
            "known": ", ".join(Visibility.values),
        }
    elif entry.visibility == Visibility.ORGANISATIONS and not entry.organisations:
        yield _("visibility “organisations” needs the organisations (their slugs).")
    elif entry.visibility == Visibility.SEGMENTS and not entry.segments:
        yield _("visibility “segments” needs the segments (their names).")


def _check_together(parsed: Parsed) -> None:
    """Refuse the same id twice in one language, and one slug for two articles."""
    seen: dict[tuple[str, str], str] = {}
    slugs: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in parsed.entries:
        key = (entry.id, entry.lang)
        if key in seen:
            parsed.errors.append(
                _("%(where)s: id “%(id)s” in %(lang)s is already in %(first)s.")
                % {"where": entry.origin, "id": entry.id, "lang": entry.lang, "first": seen[key]}
            )
        seen.setdefault(key, entry.origin)
        if entry.slug:
            first = slugs.setdefault((entry.lang, entry.slug), (entry.id, entry.origin))
            if first[0] != entry.id:
                parsed.errors.append(
                    _("%(where)s: slug “%(slug)s” is already used by %(first)s.")
                    % {"where": entry.origin, "slug": entry.slug, "first": first[1]}
                )


def _fields(entry: Entry, *, leave: tuple[str, ...]) -> dict[str, Any]:
    """The entry's stated fields as plain data (lists, not tuples), without those to leave."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in asdict(entry).items()
        if name not in ("origin", *leave) and value not in ("", ())
    }


def to_jsonl(entries: Iterable[Entry]) -> Iterator[str]:
    """Yield one JSON line per entry (without its origin)."""
    for entry in entries:
        data = _fields(entry, leave=())
        data["tags"] = list(entry.tags)
        yield json.dumps(data, ensure_ascii=False) + "\n"


def to_markdown(entry: Entry) -> str:
    """Return the entry as a Markdown file with front matter."""
    front = _fields(entry, leave=("body",))
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n{entry.body}\n"


MARKDOWN_SUFFIXES = (".md", ".markdown")
ZIP_MAX_FILES = 50_000
ZIP_MAX_BYTES = 500 * 1024 * 1024


def files_at(path: Path) -> list[tuple[str, bytes]]:
    """Return the importable files at path: a folder of Markdown files, a .jsonl, .md or .zip."""
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in (*MARKDOWN_SUFFIXES, ".jsonl")
        )
        return [(str(p.relative_to(path)), p.read_bytes()) for p in found]
    if path.suffix == ".zip":
        return files_in_zip(path.read_bytes())
    return [(path.name, path.read_bytes())]


class ArchiveRefusedError(ValueError):
    """A ZIP archive that cannot be read, or that would unpack to more than an import takes."""


def files_in_zip(data: bytes) -> list[tuple[str, bytes]]:
    """Return the Markdown and JSON lines files inside a ZIP archive (folders flattened).

    The unpacked sizes are added up from the archive's directory before anything is unpacked,
    so a small archive that expands to gigabytes (a ZIP bomb) is refused without filling memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info
                for info in archive.infolist()
                if info.filename.endswith((*MARKDOWN_SUFFIXES, ".jsonl"))
                and not info.filename.startswith("__MACOSX/")
            ][:ZIP_MAX_FILES]
            if sum(info.file_size for info in members) > ZIP_MAX_BYTES:
                raise ArchiveRefusedError(
                    _("The ZIP archive unpacks to more than %(limit)s MB.")
                    % {"limit": ZIP_MAX_BYTES // (1024 * 1024)}
                )
            members.sort(key=lambda info: info.filename)
            return [(info.filename, archive.read(info)) for info in members]
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ArchiveRefusedError(_("The ZIP archive is damaged and cannot be read.")) from error


def markdown_file_name(entry: Entry) -> str:
    """Return a safe file name for an entry: its id and language."""
    stem = re.sub(r"[^\w.-]+", "-", entry.id).strip(".-") or "article"
    return f"{stem[:150]}.{entry.lang}.md"
