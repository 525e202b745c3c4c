"""The corpus folder as it really is on a server: missing, empty, unreadable, odd files, huge files."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.engine import CorpusError, Engine
from bot.engine.documents import load_corpus, parse_document

from ..conftest import write_corpus

GOOD = "---\ntitle: Good news\nsource: Wire\n---\nThe council met on Monday.\n\nIt approved the bridge.\n"
ROOT = os.name == "posix" and os.geteuid() == 0


def failure(directory: Path, **kwargs) -> str:
    with pytest.raises(CorpusError) as caught:
        load_corpus(directory, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- the folder ------------------------------------------------------------------------------


def test_missing_folder_names_it_and_the_setting(tmp_path: Path) -> None:
    message = failure(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in message and "corpus.path" in message


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "corpus").write_text("text", encoding="utf-8")
    assert "not a directory" in failure(tmp_path / "corpus")


def test_empty_folder(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {})
    message = failure(directory)
    assert str(directory) in message and "no documents" in message


def test_folder_with_only_other_file_types(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"notes.pdf": b"%PDF-1.4", "image.png": b"\x89PNG", ".hidden.md": GOOD})
    assert "no documents" in failure(directory)


@pytest.mark.skipif(ROOT, reason="root can read a chmod 000 folder")
def test_unreadable_folder(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD})
    directory.chmod(0)
    try:
        assert "not readable" in failure(directory)
    finally:
        directory.chmod(0o755)


@pytest.mark.skipif(ROOT, reason="root can read a chmod 000 folder")
def test_unreadable_subfolder_is_not_silently_left_out(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD, "more/b.md": GOOD})
    (directory / "more").chmod(0)
    try:
        message = failure(directory)
        assert "more" in message and "cannot list" in message
    finally:
        (directory / "more").chmod(0o755)


def test_unlistable_subfolder_is_an_error(tmp_path: Path, monkeypatch) -> None:
    """As root chmod cannot make a folder unreadable, so os.walk's error is injected."""
    directory = write_corpus(tmp_path, {"a.md": GOOD, "more/b.md": GOOD})
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "more":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    message = failure(directory)
    assert str(directory / "more") in message and "cannot list folder (Permission denied)" in message


# --- one bad file ----------------------------------------------------------------------------


@pytest.mark.skipif(ROOT, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD, "b.md": GOOD})
    (directory / "b.md").chmod(0)
    try:
        message = failure(directory)
        assert "b.md: cannot read (Permission denied)" in message
    finally:
        (directory / "b.md").chmod(0o644)


def test_unreadable_file_injected(tmp_path: Path, monkeypatch) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD, "b.md": GOOD})
    real_open = Path.open

    def open_(self, *args, **kwargs):
        if self.name == "b.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    assert failure(directory).endswith("b.md: cannot read (Permission denied)")
    corpus = load_corpus(directory, on_error="skip")
    assert [d.id for d in corpus.documents] == ["a"]
    assert [(p.path.name, p.problem) for p in corpus.skipped] == [("b.md", "cannot read (Permission denied)")]


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file, not text"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary file, not text"),
        ("A story.".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
        (b"", "empty file"),
        (b"   \n\n\t\n", "empty file"),
        (b"---\ntitle: Only a title\n---\n", "no text (the file has no paragraphs)"),
        (b"# Just a heading\n", "no text (the file has no paragraphs)"),
    ],
)
def test_bad_file_is_named_with_its_problem(tmp_path: Path, content: bytes, problem: str) -> None:
    directory = write_corpus(tmp_path, {"good.md": GOOD, "bad.md": content})
    assert failure(directory) == f"{directory / 'bad.md'}: {problem}"


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    text = "First paragraph.\n\nSecond paragraph.\n\nCaf\xe9 au lait.\n".encode("latin-1")
    directory = write_corpus(tmp_path, {"latin.md": text})
    message = failure(directory)
    assert message.startswith(f"{directory / 'latin.md'}: not valid UTF-8 (line 5,"), message


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"good.md": GOOD})
    (directory / os.fsdecode(b"caf\xe9.md")).write_text(GOOD, encoding="utf-8")
    message = failure(directory)
    assert "caf\\udce9.md: file name is not valid UTF-8; rename the file" in message
    message.encode("utf-8")  # printable on any terminal and in a Discord message
    corpus = load_corpus(directory, on_error="skip")
    assert [d.id for d in corpus.documents] == ["good"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_does_not_hang_the_load(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"good.md": GOOD})
    os.mkfifo(directory / "pipe.md")
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(_try(lambda: load_corpus(directory))), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading the corpus blocked on a FIFO"
    assert isinstance(result[0], CorpusError) and "pipe.md: not a regular file" in str(result[0])


def _try(action):
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 (the test inspects it)
        return exc


# --- front matter, titles, paragraphs --------------------------------------------------------


@pytest.mark.parametrize(
    "text, problem",
    [
        ("---\ntitle: Unclosed\n\nThe body.\n", "front matter starts with '---' but has no closing '---' line"),
        ("---\ntitle: [broken\n---\nThe body.\n", "front matter is not valid YAML (line 3)"),
        ("---\ntitle: a: b\n---\nThe body.\n", "front matter is not valid YAML (line 2)"),
        ("---\ntitle: T\nauthor: Someone\n---\nThe body.\n", "unknown front matter key 'author'"),
        ("---\n- a list\n---\nThe body.\n", "front matter must be a mapping"),
        ("---\ntitle: {nested: map}\n---\nThe body.\n", "front matter 'title' must be text"),
    ],
)
def test_broken_front_matter(tmp_path: Path, text: str, problem: str) -> None:
    directory = write_corpus(tmp_path, {"story.md": text})
    message = failure(directory)
    assert message.startswith(f"{directory / 'story.md'}: {problem}"), message


def test_front_matter_title_and_paragraph_numbers() -> None:
    doc = parse_document(
        "---\ntitle: From front matter\nsource: CTV News\nurl: https://example.com/s\ndate: 2019-01-10\n---\n"
        "# A heading that is not a paragraph\n\nFirst.\n\nSecond,\nover two lines.\n\n\n\nThird.\n",
        "story",
    )
    assert doc.title == "From front matter"  # front matter wins over the heading
    assert (doc.source, doc.url, doc.date) == ("CTV News", "https://example.com/s", "2019-01-10")
    # Numbered from 1 as a reader counts them: heading and front matter excluded, extra blank lines ignored.
    assert dict(enumerate(doc.paragraphs, start=1)) == {1: "First.", 2: "Second,\nover two lines.", 3: "Third."}


def test_heading_becomes_the_title_without_front_matter() -> None:
    doc = parse_document("#   The Bridge Vote  \n\nThe council met.\n", "bridge")
    assert doc.title == "The Bridge Vote" and doc.paragraphs == ("The council met.",)


def test_title_falls_back_to_the_file_name() -> None:
    assert parse_document("Text only.\n", "city-council_minutes").title == "city council minutes"


def test_a_heading_later_in_the_text_stays_a_paragraph() -> None:
    doc = parse_document("Intro.\n\n# Section\n\nBody.\n", "d")
    assert doc.paragraphs == ("Intro.", "# Section", "Body.")


def test_markdown_rules_are_not_counted_as_paragraphs() -> None:
    doc = parse_document("One.\n\n---\n\nTwo.\n\n* * *\n\nThree.\n\n___\n", "d")
    assert doc.paragraphs == ("One.", "Two.", "Three.")


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff---\r\ntitle: T\r\n---\r\nOne.\r\n\r\nTwo.\r\n",  # BOM and Windows line endings
        "---\ntitle: T\n...\nOne.\n\nTwo.\n",  # YAML's own end marker
        "---\ntitle: T\n---\n\n\nOne.\n  \t\nTwo.",  # blank lines with spaces, no final newline
        "---\r\ntitle: T\r\n---\rOne.\r\rTwo.\r",  # old Mac line endings
    ],
)
def test_line_endings_and_markers(text: str) -> None:
    doc = parse_document(text, "d")
    assert doc.title == "T" and doc.paragraphs == ("One.", "Two.")


def test_empty_front_matter_is_allowed() -> None:
    assert parse_document("---\n---\nBody.\n", "d").paragraphs == ("Body.",)


def test_duplicate_ids_are_refused_naming_both(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"story.md": GOOD, "story.txt": GOOD})
    message = failure(directory)
    assert "story.txt" in message and "same document id 'story' as story.md" in message
    corpus = load_corpus(directory, on_error="skip")
    assert [d.path.name for d in corpus.documents] == ["story.md"]
    assert "rename one of them" in corpus.skipped[0].problem


def test_ids_are_relative_paths_so_subfolders_do_not_clash(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"2019/story.md": GOOD, "2020/story.md": GOOD, "Upper.MD": GOOD})
    # Files of a folder come before its subfolders', each in name order: stable across reloads.
    assert [d.id for d in load_corpus(directory).documents] == ["Upper", "2019/story", "2020/story"]


# --- on_error ---------------------------------------------------------------------------------


def test_on_error_fail_stops_at_the_broken_file(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD, "b.md": b"\x00\x01", "c.md": GOOD})
    assert failure(directory, on_error="fail").endswith("b.md: binary file, not text")


def test_on_error_skip_serves_the_rest_and_lists_every_problem(tmp_path: Path) -> None:
    directory = write_corpus(
        tmp_path, {"a.md": GOOD, "b.md": b"\x00\x01", "c.md": "", "d.md": "---\nauthor: x\n---\nBody.\n", "e.md": GOOD}
    )
    corpus = load_corpus(directory, on_error="skip")
    assert [d.id for d in corpus.documents] == ["a", "e"]
    assert [(p.path.name, p.problem.split(" (")[0]) for p in corpus.skipped] == [
        ("b.md", "binary file, not text"),
        ("c.md", "empty file"),
        ("d.md", "unknown front matter key 'author'"),
    ]
    assert str(corpus.skipped[0]) == f"{directory / 'b.md'}: binary file, not text"


def test_on_error_skip_with_nothing_left_is_still_an_error(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": b"", "b.md": b"\x00"})
    message = failure(directory, on_error="skip")
    assert "no documents" in message and "2 file(s) skipped" in message and "a.md: empty file" in message


def test_engine_load_names_the_file_through_the_config(make_corpus) -> None:
    config = make_corpus({"a.md": GOOD, "bad.md": b"\xff\xfe\x00"})
    with pytest.raises(CorpusError, match=r"bad\.md: UTF-16 text"):
        Engine.load(config)
    config.write_text("corpus:\n  path: corpus\n  on_error: skip\n", encoding="utf-8")
    engine = Engine.load(config)
    assert engine.documents == 1 and engine.index.corpus.skipped[0].path.name == "bad.md"


def test_a_missing_corpus_through_the_config_names_the_resolved_folder(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("corpus:\n  path: stories\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"{tmp_path / 'stories'}: corpus directory not found"):
        Engine.load(tmp_path / "config.yaml")
    with pytest.raises(ConfigError):
        Engine.load(tmp_path / "other.yaml")


# --- symlinks ---------------------------------------------------------------------------------


def test_a_symlink_loop_does_not_hang_the_walk(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD, "sub/b.md": GOOD})
    (directory / "sub" / "loop").symlink_to(directory, target_is_directory=True)
    (directory / "self").symlink_to(directory / "self")  # a link to itself
    started = time.perf_counter()
    corpus = load_corpus(directory)
    assert time.perf_counter() - started < 5
    assert [d.id for d in corpus.documents] == ["a", "sub/b"]


def test_a_file_symlink_loop_or_dangling_link_is_a_named_problem(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"a.md": GOOD})
    (directory / "loop.md").symlink_to(directory / "loop.md")
    (directory / "gone.md").symlink_to(tmp_path / "deleted.md")
    corpus = load_corpus(directory, on_error="skip")
    assert [d.id for d in corpus.documents] == ["a"]
    problems = {p.path.name: p.problem for p in corpus.skipped}
    assert problems["loop.md"] == "cannot read (Too many levels of symbolic links)"
    assert problems["gone.md"] == "cannot read (No such file or directory)"


def test_a_symlinked_file_is_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text(GOOD, encoding="utf-8")
    directory = write_corpus(tmp_path, {})
    (directory / "linked.md").symlink_to(elsewhere)
    assert load_corpus(directory).documents[0].paragraphs == ("The council met on Monday.", "It approved the bridge.")


# --- size ---------------------------------------------------------------------------------------


def _write_megabytes(path: Path, megabytes: int) -> None:
    paragraph = ("The minister said the network would be reviewed before any decision was made. " * 6).strip()
    block = ("\n\n".join([paragraph] * 200) + "\n\n").encode("utf-8")
    with path.open("wb") as out:
        out.write(b"---\ntitle: A very long report\n---\n")
        written = 0
        while written < megabytes * 1_000_000:
            out.write(block)
            written += len(block)


def test_a_50_mb_document_loads_under_the_default_limit(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {})
    _write_megabytes(directory / "report.md", 50)
    started = time.perf_counter()
    corpus = load_corpus(directory)  # the default max_bytes matches corpus.max_file_mb: 64
    elapsed = time.perf_counter() - started
    doc = corpus.documents[0]
    assert doc.title == "A very long report"
    assert len(doc.paragraphs) > 100_000
    # Reading and splitting 50 MB takes well under a second on the dev machine (2 cores);
    # a generous bound catches an accidental quadratic step, not a slow machine.
    assert elapsed < 20, f"{elapsed:.1f} s to read 50 MB"


def test_a_document_over_the_limit_is_refused_by_name(tmp_path: Path) -> None:
    directory = write_corpus(tmp_path, {"small.md": GOOD})
    _write_megabytes(directory / "report.md", 3)
    message = failure(directory, max_bytes=2_000_000)
    assert message.startswith(f"{directory / 'report.md'}: too large (3.0 MB; corpus.max_file_mb allows 2 MB)")
    corpus = load_corpus(directory, max_bytes=2_000_000, on_error="skip")
    assert [d.id for d in corpus.documents] == ["small"]


def test_the_size_limit_comes_from_the_config(make_corpus) -> None:
    config = make_corpus({"a.md": GOOD}, "corpus:\n  path: corpus\n  max_file_mb: 0.0001\n")
    with pytest.raises(ConfigError, match="max_file_mb"):
        load_config(config)
    config = make_corpus({"a.md": GOOD * 20}, "corpus:\n  path: corpus\n  max_file_mb: 0.001\n")
    with pytest.raises(CorpusError, match=r"a\.md: too large .* allows 0\.001 MB"):
        Engine.load(config)


def test_a_file_that_grows_during_the_read_is_refused(tmp_path: Path, monkeypatch) -> None:
    """Files appearing or changing while a reload reads them: the limit holds on what is read."""
    directory = write_corpus(tmp_path, {"a.md": GOOD})
    real_stat = Path.stat

    def small_stat(self, *args, **kwargs):
        result = real_stat(self, *args, **kwargs)
        if self.name == "a.md":  # stat() saw the file before it grew
            return os.stat_result((result.st_mode, *result[1:6], 10, *result[7:]))
        return result

    monkeypatch.setattr(Path, "stat", small_stat)
    message = failure(directory, max_bytes=50)
    assert "a.md: too large (over" in message


def test_a_file_that_disappears_between_listing_and_reading(tmp_path: Path, monkeypatch) -> None:
    from bot.engine import documents

    directory = write_corpus(tmp_path, {"a.md": GOOD, "b.md": GOOD})
    real_files = documents.corpus_files

    def listing_then_delete(*args, **kwargs):
        found = real_files(*args, **kwargs)
        (directory / "b.md").unlink()
        return found

    monkeypatch.setattr(documents, "corpus_files", listing_then_delete)
    assert failure(directory).endswith("b.md: cannot read (No such file or directory)")


def test_linked_folders_are_followed_once(tmp_path) -> None:
    from bot.engine.documents import load_corpus

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "old-story.md").write_text("An archived paragraph.\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "story.md").write_text("A paragraph.\n", encoding="utf-8")
    (corpus / "linked").symlink_to(archive, target_is_directory=True)
    (corpus / "sub" / "loop").symlink_to(corpus, target_is_directory=True)
    loaded = load_corpus(corpus)
    assert sorted(d.id for d in loaded.documents) == ["linked/old-story", "story"]
    assert {d.title for d in loaded.documents} == {"old story", "story"}


def test_front_matter_opener_may_have_trailing_spaces() -> None:
    from bot.engine.documents import parse_document

    doc = parse_document("--- \ntitle: X\n---\n\nBody text here.\n", "d")
    assert doc.title == "X" and doc.paragraphs == ("Body text here.",)
