"""Documents: the files in corpus/, read into paragraphs with their metadata.

A document is a UTF-8 `.md` or `.txt` file with optional YAML front matter
(title, source, url, date). Paragraphs are the body's blank-line separated
blocks, numbered from 1; front matter and a leading `# Title` line are not
paragraphs, so citations match the paragraph numbers a reader counts.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import re

import yaml

FRONT_MATTER_KEYS = ("title", "source", "url", "date")
_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n\s*")
_RULE = re.compile(r"([-*_])(?:[ \t]*\1){2,}")


class CorpusError(Exception):
    """The corpus cannot be served; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    paragraphs: tuple[str, ...]
    source: str | None = None
    url: str | None = None
    date: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class CorpusProblem:
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}: {self.problem}"


def display_path(path: Path) -> str:
    """The path as printable text: a file name that is not UTF-8 shows its bad bytes as escapes."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    # Files left out under `on_error: skip`, reported to the operator.
    skipped: tuple[CorpusProblem, ...] = field(default=())
    content_hash: str = ""


_FRONT_MATTER_OPENER = re.compile(r"---[ \t]*\n")


def parse_document(text: str, doc_id: str, path: Path | None = None) -> Document:
    """Split one file's text into metadata and paragraphs (raises ValueError with the problem)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    meta: dict[str, object] = {}
    body = text
    opener = _FRONT_MATTER_OPENER.match(text)
    if opener or text.strip() == "---":
        start = opener.end() if opener else len(text)
        end = re.search(r"^(---|\.\.\.)[ \t]*$", text[start:], flags=re.MULTILINE)
        if end is None:
            raise ValueError("front matter starts with '---' but has no closing '---' line")
        raw = text[start : start + end.start()]
        body = text[start + end.end() :]
        try:
            loaded = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark else ""
            raise ValueError(f"front matter is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ValueError("front matter must be a mapping such as 'title: ...'")
        unknown = sorted(set(map(str, loaded)) - set(FRONT_MATTER_KEYS))
        if unknown:
            raise ValueError(f"unknown front matter key '{unknown[0]}' (known: {', '.join(FRONT_MATTER_KEYS)})")
        for key, value in loaded.items():
            if value is not None and not isinstance(value, (str, int, float)) and not hasattr(value, "isoformat"):
                raise ValueError(f"front matter '{key}' must be text")
        meta = {k: str(v) for k, v in loaded.items() if v is not None}

    blocks = [b.strip() for b in _BLANK_LINES.split(body.strip())]
    # A Markdown rule (---, ***, ___) separates paragraphs; a reader does not count it as one.
    blocks = [b for b in blocks if b and not _RULE.fullmatch(b)]
    title = meta.get("title")
    if blocks and re.match(r"#\s+\S", blocks[0]) and "\n" not in blocks[0]:
        heading = blocks.pop(0).lstrip("#").strip()
        title = title or heading
    if not blocks:
        raise ValueError("no text (the file has no paragraphs)")
    return Document(
        id=doc_id,
        title=str(title or doc_id.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")),
        paragraphs=tuple(blocks),
        source=meta.get("source"),  # type: ignore[arg-type]
        url=meta.get("url"),  # type: ignore[arg-type]
        date=meta.get("date"),  # type: ignore[arg-type]
        path=path,
    )


def _too_large(size: int, max_bytes: int, grew: bool = False) -> str:
    over = "over " if grew else ""
    return f"too large ({over}{size / 1e6:.1f} MB; corpus.max_file_mb allows {max_bytes / 1e6:g} MB)"


def read_document(path: Path, doc_id: str, max_bytes: int) -> Document:
    """Read one file; raises ValueError naming the problem (not the path, the caller adds it)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or device would block the reload forever on read.
            raise ValueError("not a regular file")
        if info.st_size > max_bytes:
            raise ValueError(_too_large(info.st_size, max_bytes))
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise ValueError(f"cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise ValueError(_too_large(len(data), max_bytes, grew=True))
    if not data.strip():
        raise ValueError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 text; save it as UTF-8")
    if b"\x00" in data[:8192]:
        raise ValueError("binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"not valid UTF-8 (line {line}, byte {exc.start})") from None
    return parse_document(text, doc_id, path)


def corpus_files(directory: Path, extensions: tuple[str, ...]) -> list[Path]:
    """Files that are documents, in a stable order; hidden files and folders are ignored.

    Linked folders are followed (an operator may link an archive in), each real folder
    once, so a symlink loop cannot trap the walk. A subfolder that cannot be listed is
    an error: its documents would silently vanish.
    """
    found: list[Path] = []
    visited: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(directory, onerror=_raise_unlistable, followlinks=True):
        try:
            info = os.stat(root)
        except OSError as exc:
            raise CorpusError(f"{display_path(Path(root))}: cannot list folder ({exc.strerror or exc})") from None
        if (info.st_dev, info.st_ino) in visited:
            dirs[:] = []
            continue
        visited.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in extensions:
                found.append(Path(root) / name)
    return found


def _raise_unlistable(error: OSError) -> None:
    raise CorpusError(f"{display_path(Path(error.filename))}: cannot list folder ({error.strerror or error})")


def load_corpus(
    directory: Path,
    extensions: tuple[str, ...] = (".md", ".txt"),
    on_error: str = "fail",
    max_bytes: int = 64_000_000,
) -> Corpus:
    """Load every document under `directory`.

    With on_error="fail" the first broken file raises CorpusError, so a reload keeps
    the old index instead of quietly serving less; with "skip" it is reported.
    """
    import hashlib

    if not directory.exists():
        raise CorpusError(f"{directory}: corpus directory not found (set corpus.path in config.yaml)")
    if not directory.is_dir():
        raise CorpusError(f"{directory}: corpus.path is not a directory")
    if not os.access(directory, os.R_OK | os.X_OK):
        raise CorpusError(f"{directory}: corpus directory is not readable")
    documents: list[Document] = []
    skipped: list[CorpusProblem] = []
    seen: dict[str, Path] = {}
    digest = hashlib.sha256()
    for path in corpus_files(directory, extensions):
        doc_id = path.relative_to(directory).with_suffix("").as_posix()
        try:
            if doc_id != doc_id.encode("utf-8", "replace").decode("utf-8"):
                raise ValueError("file name is not valid UTF-8; rename the file")
            if doc_id in seen:
                raise ValueError(f"same document id '{doc_id}' as {seen[doc_id].name}; rename one of them")
            document = read_document(path, doc_id, max_bytes)
        except ValueError as exc:
            problem = CorpusProblem(path, str(exc))
            if on_error == "fail":
                raise CorpusError(str(problem)) from None
            skipped.append(problem)
            continue
        seen[doc_id] = path
        documents.append(document)
        digest.update(doc_id.encode() + b"\0")
        digest.update(repr((document.title, document.source, document.url, document.date)).encode())
        for paragraph in document.paragraphs:
            digest.update(paragraph.encode("utf-8") + b"\0")
    if not documents:
        detail = f"; {len(skipped)} file(s) skipped: " + "; ".join(map(str, skipped[:3])) if skipped else ""
        raise CorpusError(
            f"{directory}: no documents (add .md or .txt files{detail})"
        )
    return Corpus(tuple(documents), tuple(skipped), digest.hexdigest())
