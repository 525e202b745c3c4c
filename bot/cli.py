"""Command line: `python -m bot ask|chat|check|eval|stats|run|sync|invite`.

Every command answers through the same Engine and the same presentation as the
Discord bot, so what you see here is what the bot would post.
"""

from __future__ import annotations

import argparse
import io
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Callable, Sequence, TextIO

import yaml

from .config import Config, ConfigError, load_config
from .engine import CorpusError, Engine
from .engine.scope import Scope, UnknownDocument, scope_of
from .evaluation import QuestionsError
from .insights import InsightsError
from .presentation import answer_json, answer_line, render

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    if getattr(args, "corpus", None):
        config = dataclasses.replace(config, corpus=dataclasses.replace(config.corpus, path=Path(args.corpus)))
    return config


def _engine(args: argparse.Namespace) -> Engine:
    from .progress import ProgressReporter

    return Engine.load(_config(args), progress=ProgressReporter(stream=sys.stderr))


def one_line(engine: Engine, question: str, top: int | None, documents: Scope = None) -> str:
    return answer_line(engine.ask(question, top, documents))


def _scope(args: argparse.Namespace, engine: Engine) -> Scope:
    """`--document ID` (repeatable): answer only from those documents; an unknown id is a usage error."""
    names = getattr(args, "document", None)
    if not names:
        return None
    try:
        return scope_of(engine.index, names)
    except UnknownDocument as exc:
        raise UsageError(f"--document: {exc}") from None


def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    engine = _engine(args)
    scope = _scope(args, engine)
    if args.batch:
        # Undecodable bytes become U+FFFD: one bad line is a question like any other, not a crash.
        if args.batch == "-":
            stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        else:
            stream = open(args.batch, encoding="utf-8", errors="replace")
        with stream:
            for line in stream:
                question = line.rstrip("\n")
                if args.json:
                    out.write(json.dumps(answer_json(engine.ask(question, args.top, scope)), ensure_ascii=False) + "\n")
                else:
                    out.write(one_line(engine, question, args.top, scope) + "\n")
        return EXIT_OK
    if args.question is None:
        raise UsageError("ask needs a QUESTION or --batch FILE")
    answer = engine.ask(args.question, args.top, scope)
    if args.json:
        out.write(json.dumps(answer_json(answer), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    count = 1 if answer.abstained else min(args.top or 1, len(answer.matches))
    replies = [render(answer, engine, engine.config.discord.example_questions, match=i).as_text() for i in range(count)]
    out.write("\n\n---\n\n".join(replies) + "\n")
    return EXIT_OK


HISTORY_FILE = Path("~/.story_bot_history")  # like ~/.python_history: the operator's own lines, on their machine


def cmd_chat(args: argparse.Namespace, out: TextIO) -> int:
    engine = _engine(args)
    scope = _scope(args, engine)
    within = f" (answering only from {', '.join(sorted(scope))})" if scope is not None else ""
    out.write(
        f"Story bot console: {engine.documents} document(s), {engine.passages} passages{within}. "
        "Ask a question; an empty line or Ctrl-D quits.\n"
    )
    save_history = _line_editing(sys.stdin)
    try:
        while True:
            try:
                question = input("you> ")
            except EOFError:
                break
            except UnicodeDecodeError:
                out.write("bot> I could not read that line (it is not valid text in this terminal's encoding).\n\n")
                continue
            if not question.strip():
                break
            reply = render(engine.ask(question, documents=scope), engine, engine.config.discord.example_questions)
            out.write("bot>\n" + reply.as_text() + "\n\n")
    finally:
        save_history()
    return EXIT_OK


def _line_editing(stdin: TextIO) -> Callable[[], None]:
    """Line editing and history for `chat` on a terminal; returns what saves the history.

    Importing the stdlib's `readline` is what makes `input()` edit lines (arrows,
    Ctrl-A/E, Ctrl-R) and recall earlier ones. Piped input needs none of it, and a
    Python without readline (Windows, some minimal builds) reads plain lines.
    """
    if not stdin.isatty():
        return lambda: None
    try:
        import readline
    except ImportError:
        return lambda: None
    path = HISTORY_FILE.expanduser()
    try:
        readline.read_history_file(path)
    except OSError:  # none yet, or unreadable: start afresh
        pass
    readline.set_history_length(1000)

    def save() -> None:
        try:
            readline.write_history_file(path)
            path.chmod(0o600)  # questions are the operator's own, not the machine's other users'
        except OSError as exc:
            print(f"note: chat history not saved ({path}: {exc.strerror or exc})", file=sys.stderr)

    return save


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from collections import Counter

    from .progress import ProgressReporter

    config = _config(args)
    engine = Engine.load(config, progress=ProgressReporter(stream=sys.stderr))
    index = engine.index
    out.write(f"config: {config.source or '(defaults, no config.yaml)'}\n")
    out.write(f"corpus: {config.corpus.path}\n")
    per_document = Counter(p.document_id for p in index.passages)
    for doc in index.corpus.documents:
        count = per_document[doc.id]
        source = f", {doc.source}" if doc.source else ""
        out.write(f"  {doc.id}: “{doc.title}”{source}: {len(doc.paragraphs)} paragraphs, {count} passages\n")
    out.write(
        f"{engine.documents} document(s), {engine.passages} passages, "
        f"vocabulary {index.vocabulary_size} terms, indexed in {index.build_seconds:.2f} s"
        + (" (postings from the index cache)" if getattr(index, "from_cache", False) else "")
        + "\n"
    )
    cached = _cache_file(config, engine)
    if cached is not None:
        # Run at deploy time (a build step), this leaves the file a fresh start loads instead of analysing.
        out.write(f"cache: {cached} ({'reused' if index.from_cache else 'written'}; start-up loads it)\n")
    if index.corpus.skipped:
        for problem in index.corpus.skipped:
            out.write(f"problem: {problem} (skipped)\n")
        return EXIT_PROBLEM
    out.write("ok\n")
    return EXIT_OK


def _cache_file(config: Config, engine: Engine) -> Path | None:
    """The index cache file just written or reused (the newest), when the corpus is large enough to have one."""
    from .engine.index import SMALL

    if engine.passages <= SMALL or not config.cache_dir.is_dir():
        return None
    files = sorted(config.cache_dir.glob("index-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return files[0] if files else None


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from .evaluation import evaluate, load_questions

    engine = _engine(args)
    report = evaluate(engine, load_questions(Path(args.questions)))
    if args.json:
        out.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        out.write(report.as_text() + "\n")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    """The /stats numbers, offline, straight from the insights database (SQLite or PostgreSQL)."""
    from .insights import InsightsStore, compute_stats, database_location, format_stats, is_postgres_url

    if args.json:
        return _stats_json(args, out)
    config = load_config(args.config)
    location = database_location(config)
    if not config.insights.enabled:
        out.write("note: insights are disabled in config (insights.enabled: false); showing what was kept\n")
    if not is_postgres_url(location) and not Path(location).exists():
        out.write(f"No questions recorded yet (database {location} does not exist).\n")
        return EXIT_OK
    store = InsightsStore.open(config)
    try:
        stats = compute_stats(store)
    finally:
        store.close()
    out.write(f"Insights from {store.location}\n\n" + format_stats(stats) + "\n")
    return EXIT_OK


def _stats_json(args: argparse.Namespace, out: TextIO) -> int:
    """`stats --json`: one JSON object whatever happens, because a script or a monitor reads it.

    Always `enabled` (insights.enabled; null if the config cannot be read), `database`,
    `recorded` (a log exists) and `error` (null, or the one-line problem, also on stderr,
    with exit status 1); the numbers (as /stats shows them) when there is a log.
    """
    from .insights import InsightsStore, compute_stats, database_location, is_postgres_url

    report: dict = {"enabled": None, "database": None, "recorded": False, "error": None}
    try:
        config = load_config(args.config)
        report["enabled"] = config.insights.enabled
        location = database_location(config)
        # A URL is shown only as the store describes it (no password), once it is open.
        report["database"] = "PostgreSQL" if is_postgres_url(location) else location
        if is_postgres_url(location) or Path(location).exists():
            store = InsightsStore.open(config)
            report["database"] = store.location  # as it may be shown: a URL without its password
            try:
                report.update(compute_stats(store).to_json(), recorded=True)
            finally:
                store.close()
    except (ConfigError, InsightsError) as exc:
        report["error"] = str(exc)
    except OSError as exc:
        report["error"] = f"{exc.filename or report['database'] or ''}: {exc.strerror or exc}"
    out.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if report["error"] is not None:
        print(f"error: {report['error']}", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from .discord_app.runner import run

    return run(args.config)


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from .discord_app.runner import sync

    return sync(args.config, out=out)


def cmd_invite(args: argparse.Namespace, out: TextIO) -> int:
    from .discord_app.runner import invite

    return invite(args.app_id, out=out)


class UsageError(Exception):
    pass


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="The story bot: quotes and cites the story.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--config", default=None, help="config file (default: ./config.yaml)")
        sp.add_argument("--corpus", default=None, help="corpus directory (overrides corpus.path)")

    def document(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--document", action="append", metavar="ID",
            help="answer only from this document (its id, as `check` lists them); repeat for several",
        )

    ask = sub.add_parser("ask", help="answer one question (or --batch FILE) the way the bot would")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="machine-readable output (one object per question)")
    ask.add_argument("--top", type=int, default=None, help="number of passages to return")
    ask.add_argument("--batch", metavar="FILE", help="one question per line ('-' for standard input)")
    common(ask)
    document(ask)
    chat = sub.add_parser("chat", help="interactive console showing exactly what the bot would post")
    common(chat)
    document(chat)
    check = sub.add_parser("check", help="validate config and corpus, print what would be served")
    common(check)
    ev = sub.add_parser("eval", help="accuracy and abstention on a questions file")
    ev.add_argument("questions", help="YAML file in the format of dev-questions.yaml")
    ev.add_argument("--json", action="store_true")
    common(ev)
    stats = sub.add_parser("stats", help="questions, answers and feedback from the insights log (like /stats)")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--config", default=None, help="config file (default: ./config.yaml)")
    run = sub.add_parser("run", help="start the Discord bot (token from DISCORD_TOKEN)")
    run.add_argument("--config", default=None)
    sync = sub.add_parser("sync", help="sync the slash commands now, even if unchanged (token from DISCORD_TOKEN)")
    sync.add_argument("--config", default=None)
    invite = sub.add_parser("invite", help="print the URL that adds the bot to a server")
    invite.add_argument("--app-id", default=None, help="the application id (else DISCORD_APPLICATION_ID, else asked with DISCORD_TOKEN)")
    return p


COMMANDS = {"ask": cmd_ask, "chat": cmd_chat, "check": cmd_check, "eval": cmd_eval, "stats": cmd_stats, "run": cmd_run,
            "sync": cmd_sync, "invite": cmd_invite}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = parser().parse_args(argv)
    if getattr(args, "top", None) is not None and args.top < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args, out)
    except (ConfigError, CorpusError, InsightsError, QuestionsError) as exc:
        # Each names the file and the problem: one line, no traceback.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        print(f"error: {exc.filename}: file not found", file=sys.stderr)
        return EXIT_PROBLEM
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback.
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except yaml.YAMLError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        return 130


def main_entry() -> None:
    """Console-script entry point (`story-bot ...`)."""
    sys.exit(main())
