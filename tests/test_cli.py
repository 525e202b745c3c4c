"""`python -m bot` as an operator runs it: broken files give one clear line, never a traceback;
`ask --json` keeps its contract; batch, chat and eval work from pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import CONFIG, ROOT, STORY, shared_file

TEAM_QUESTIONS = ROOT / "tests" / "data" / "story-questions.yaml"
SETTINGS_VARIABLES = ("STORY_BOT_CONFIG", "DATABASE_URL", "SHARD_COUNT", "SHARD_IDS", "LOG_LEVEL")
GOOD = "---\ntitle: Bridge\n---\nThe council approved the new bridge on Monday.\n\nThe mayor said it opens in 2026.\n"


def bot(
    *args: str, stdin: str | bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` in a fresh process; `env` adds variables (the settings ones start unset)."""
    base = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env = {**base, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    env.pop("DISCORD_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess) -> str:
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    return errors[0]


# --- check with broken files ------------------------------------------------------------------


@pytest.mark.parametrize(
    "config_text, expected",
    [
        ("corpus:\n  path: [unclosed\n", "config.yaml: line 3, column 1: not valid YAML"),
        ("- corpus\n- answers\n", "config.yaml: expected a mapping of settings at the top level, got a list"),
        ("corpus:\n  pth: corpus\n", "config.yaml: unknown setting 'corpus.pth'"),
        ("answers:\n  top: many\n", "config.yaml: 'answers.top' must be a whole number, got 'many'"),
        ("answers:\n  min_coverage: -1\n", "config.yaml: 'answers.min_coverage' must be between 0.0 and 1.0, got -1"),
        ("discord:\n  token: abc.def.ghi\n", "config.yaml: 'discord.token' must not be stored in the config file"),
        ("corpus:\n  path: nowhere\n", "nowhere: corpus directory not found"),
    ],
)
def test_check_with_a_broken_config(tmp_path: Path, config_text: str, expected: str) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(config_text, encoding="utf-8")
    result = bot("check", "--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 1
    line = one_line_error(result)
    assert str(tmp_path) in line and expected in line, line
    assert "abc.def.ghi" not in result.stderr.decode() + result.stdout.decode()


@pytest.mark.parametrize(
    "files, expected",
    [
        ({}, "corpus: no documents"),
        ({"a.md": GOOD, "b.md": b"\x89PNG\x00\x00"}, "corpus/b.md: binary file, not text"),
        ({"a.md": GOOD, "b.md": b"Caf\xe9\n"}, "corpus/b.md: not valid UTF-8 (line 1"),
        ({"a.md": GOOD, "b.md": b""}, "corpus/b.md: empty file"),
        ({"a.md": "---\ntitle: x\n\nNo end.\n"}, "corpus/a.md: front matter starts with '---' but has no closing"),
        ({"a.md": "---\nauthor: x\n---\nBody.\n"}, "corpus/a.md: unknown front matter key 'author'"),
    ],
)
def test_check_with_a_broken_corpus(make_corpus, files: dict, expected: str) -> None:
    config = make_corpus(files)
    line = one_line_error(bot("check", "--config", str(config)))
    assert f"{config.parent}/{expected}" in line, line


def test_check_with_a_missing_config_file(tmp_path: Path) -> None:
    line = one_line_error(bot("check", "--config", str(tmp_path / "absent.yaml")))
    assert line == f"error: {tmp_path / 'absent.yaml'}: file not found"


def test_check_lists_skipped_files_and_fails(make_corpus) -> None:
    config = make_corpus({"a.md": GOOD, "b.md": b""}, "corpus:\n  path: corpus\n  on_error: skip\n")
    result = bot("check", "--config", str(config))
    out = result.stdout.decode()
    assert result.returncode == 1 and "Traceback" not in result.stderr.decode()
    assert "a: “Bridge”: 2 paragraphs" in out
    assert f"problem: {config.parent / 'corpus' / 'b.md'}: empty file (skipped)" in out
    assert "ok" not in out.splitlines()


def test_check_ok(make_corpus) -> None:
    config = make_corpus({"a.md": GOOD})
    result = bot("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[-1] == "ok"


def test_run_without_a_token_says_what_to_set() -> None:
    result = bot("run")
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in one_line_error(result)


def test_run_with_a_broken_config_refuses_before_connecting(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("answers:\n  top: -3\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "fake.token.value-for-tests"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(tmp_path / "config.yaml")],
        capture_output=True, env=env, timeout=60, cwd=ROOT,
    )
    assert result.returncode != 0
    line = one_line_error(result)
    assert "answers.top" in line and str(tmp_path / "config.yaml") in line
    assert "fake.token.value-for-tests" not in result.stderr.decode() + result.stdout.decode()


# --- ask --json contract ----------------------------------------------------------------------

PASSAGE_KEYS = {"document", "title", "source", "paragraphs", "text", "score", "matched_terms", "context"}


def story_paragraphs() -> list[str]:
    body = STORY.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    return [p.strip() for p in body.split("\n\n") if p.strip() and not p.startswith("# ")]


def test_ask_json_contract_when_answered() -> None:
    result = bot("ask", "--json", "--top", "3", "When was Meng Wanzhou arrested?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"question", "answered", "coverage", "passages"}
    assert data["question"] == "When was Meng Wanzhou arrested?"
    assert data["answered"] is True
    assert isinstance(data["coverage"], float) and 0 <= data["coverage"] <= 1
    passages = data["passages"]
    assert 1 <= len(passages) <= 3
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True), "passages must come best first"
    paragraphs = story_paragraphs()
    for p in passages:
        assert set(p) == PASSAGE_KEYS
        assert isinstance(p["document"], str) and isinstance(p["title"], str)
        assert isinstance(p["score"], float)
        first, last = p["paragraphs"]
        assert isinstance(first, int) and 1 <= first <= last <= len(paragraphs)
        assert p["text"] in paragraphs[first - 1], "text must be verbatim from the document"
        assert all(isinstance(t, str) for t in p["matched_terms"])
        for c in p["context"]:
            assert c["text"] in paragraphs[c["paragraphs"][0] - 1]
    assert passages[0]["paragraphs"] == [5, 5]
    assert "Dec. 1" in passages[0]["text"]


@pytest.mark.parametrize("question", ["What is the capital of Peru?", "", "@everyone", "\u200b"])
def test_ask_json_when_not_answered_has_no_passages(question: str) -> None:
    result = bot("ask", "--json", question)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answered"] is False and data["passages"] == []
    assert data["question"] == question


def test_ask_without_a_question_is_a_usage_error() -> None:
    result = bot("ask")
    assert result.returncode == 2 and "QUESTION" in one_line_error(result)


def test_ask_top_must_be_positive() -> None:
    result = bot("ask", "--top", "0", "Who is Meng?")
    assert result.returncode == 2 and "--top" in one_line_error(result)


# --- batch from stdin --------------------------------------------------------------------------


def test_ask_batch_from_stdin_one_line_per_answer() -> None:
    questions = ["When was Meng Wanzhou arrested?", "What is the capital of Peru?", "", "Who is Michael Kovrig?"]
    result = bot("ask", "--batch", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == len(questions)
    assert lines[0].startswith("[huawei-5g-canada-china ¶5] ")
    assert lines[1] == lines[2] == "[no answer] The story doesn't say."
    assert lines[3].startswith("[huawei-5g-canada-china ¶7] ") and "Kovrig" in lines[3]


def test_ask_batch_json_lines_match_single_asks() -> None:
    questions = ["Who is Sarah McIver?", "Which countries banned Huawei from 5G?", "Nokia?"]
    result = bot("ask", "--batch", "-", "--json", stdin="\n".join(questions))  # no final newline
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["question"] for r in records] == questions
    for question, record in zip(questions, records):
        single = json.loads(bot("ask", "--json", question).stdout)
        assert single == record


def test_ask_batch_with_hostile_lines_keeps_going() -> None:
    lines = ["\x00\x01\x02", "@everyone <@&1>", "||spoiler||", "```", "a'" * 3000, "Who is Meng Wanzhou?"]
    result = bot("ask", "--batch", "-", "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(records) == len(lines)
    assert records[-1]["answered"] is True
    assert not any(r["answered"] for r in records[:4])


def test_ask_batch_missing_file() -> None:
    line = one_line_error(bot("ask", "--batch", "/nonexistent/questions.txt"))
    assert line == "error: /nonexistent/questions.txt: file not found"


# --- chat ----------------------------------------------------------------------------------------


def test_chat_with_piped_input_answers_then_quits_on_empty_line() -> None:
    result = bot("chat", stdin="When was Meng Wanzhou arrested?\nWhat is the capital of Peru?\n\nWho is Kovrig?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("Story bot console: 1 document(s)")
    assert out.count("bot>") == 2  # the empty line ended the session before the third question
    first, second = out.split("bot>")[1:]
    assert "**Meng Wanzhou**" in first and "Dec. 1" in first and "¶5 of 12 · CTV News" in first
    assert "The story doesn't say" in second
    assert "Kovrig" not in out


def test_chat_ends_cleanly_at_end_of_input() -> None:
    result = bot("chat", stdin="Who is Sarah McIver?")
    assert result.returncode == 0 and "Traceback" not in result.stderr.decode()
    assert result.stdout.decode().count("bot>") == 1 and "McIver" in result.stdout.decode()


# --- eval ------------------------------------------------------------------------------------------


def _check_eval(questions_file: Path) -> None:
    data = yaml.safe_load(questions_file.read_text(encoding="utf-8"))
    answerable = len(data.get("answerable") or [])
    unanswerable = len(data.get("off_topic") or []) + len(data.get("near_miss") or [])
    result = bot("eval", str(questions_file), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["answerable"] == answerable and report["unanswerable"] == unanswerable
    for key in ("top1", "answered_correctly", "abstention"):
        assert 0.0 <= report[key] <= 1.0
    wrong = round(answerable * (1 - report["answered_correctly"])) + round(unanswerable * (1 - report["abstention"]))
    assert len(report["misses"]) == wrong  # every miss is listed, nothing else
    text = bot("eval", str(questions_file)).stdout.decode()
    assert text.startswith(f"answerable: top-1 {round(report['top1'] * answerable)}/{answerable} ")
    assert f"abstained {round(report['abstention'] * unanswerable)}/{unanswerable}" in text


def test_eval_on_the_shared_dev_questions() -> None:
    _check_eval(shared_file("story", "dev-questions.yaml"))


def test_eval_counts_right_and_wrong_answers_exactly(tmp_path: Path) -> None:
    """Known outcomes on the bundled story: the report must count them, not just agree with itself."""
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "answerable:\n"
        "  - {q: 'When was Meng Wanzhou arrested?', gold: [5]}\n"  # right: ¶5
        "  - {q: 'Who is Michael Kovrig?', gold: [7]}\n"  # right: ¶7
        "  - {q: 'When was Meng Wanzhou arrested?', gold: [1]}\n"  # wrong gold: the answer is ¶5
        "off_topic:\n"
        "  - 'What is the capital of Peru?'\n"  # declined: right
        "  - 'Who is Michael Kovrig?'\n"  # answered although listed as off-topic: a miss
        ,
        encoding="utf-8",
    )
    result = bot("eval", str(questions), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["answerable"], report["unanswerable"]) == (3, 2)
    assert report["top1"] == pytest.approx(2 / 3) and report["answered_correctly"] == pytest.approx(2 / 3)
    assert report["abstention"] == pytest.approx(1 / 2)
    assert len(report["misses"]) == 2
    assert report["misses"][0].startswith("'When was Meng Wanzhou arrested?': gold ¶1, best ¶5 (answered")
    assert report["misses"][1].startswith("'Who is Michael Kovrig?' (off_topic): answered ¶7 of huawei-5g-canada-china")
    text = bot("eval", str(questions)).stdout.decode()
    assert text.startswith("answerable: top-1 2/3 (67%), answered correctly 2/3 (67%)\n")
    assert "unanswerable: abstained 1/2 (50%)" in text


def test_eval_on_the_team_questions() -> None:
    _check_eval(TEAM_QUESTIONS)


def test_eval_with_a_missing_questions_file() -> None:
    assert one_line_error(bot("eval", "/nonexistent/q.yaml")) == "error: /nonexistent/q.yaml: file not found"


def test_the_story_config_is_what_the_cli_uses_by_default() -> None:
    result = bot("check", cwd=ROOT)
    assert result.returncode == 0 and f"config: {CONFIG}" in result.stdout.decode()


@pytest.mark.parametrize(
    "text, problem",
    [
        ("- just\n- a list\n", "expected a mapping with 'answerable'"),
        ("answerable:\n  - {q: \"Who\"}\n", "each 'answerable' item needs q:"),
        ("answerable:\n  - {q: \"Who\", gold: [five]}\n", "each 'answerable' item needs q:"),
        ("answerable: [1, 2]\n", "each 'answerable' item needs q:"),
        ("answerable:\n  - {q: [unclosed\n", "line 3: not valid YAML"),
    ],
)
def test_eval_with_a_malformed_questions_file(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    line = one_line_error(bot("eval", str(tmp_path / "q.yaml")))
    assert line.startswith(f"error: {tmp_path / 'q.yaml'}: ") and problem in line, line


def test_ask_batch_writes_a_span_of_paragraphs_as_the_citation_does() -> None:
    result = bot("ask", "--batch", "-", stdin="What can Beijing request from these organizations?\n")
    assert result.stdout.decode().startswith("[huawei-5g-canada-china ¶3–4] ")  # en dash, as in "¶3–4 of 12"


def test_ask_batch_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """A bad line is answered like any other (its bad bytes shown as �), not a traceback."""
    data = b"Who is Michael Kovrig?\n\xff\xfe caf\xe9\nWhen was Meng Wanzhou arrested?\n"
    (tmp_path / "q.txt").write_bytes(data)
    for result in (bot("ask", "--batch", "-", stdin=data), bot("ask", "--batch", str(tmp_path / "q.txt"))):
        assert result.returncode == 0 and "Traceback" not in result.stderr.decode()
        lines = result.stdout.decode().splitlines()
        assert len(lines) == 3
        assert lines[0].startswith("[huawei-5g-canada-china ¶7]") and lines[2].startswith("[huawei-5g-canada-china ¶5]")
        assert lines[1] == "[no answer] The story doesn't say."


def test_eval_gold_can_name_its_document(tmp_path) -> None:
    from bot.engine import Engine
    from bot.evaluation import evaluate, load_questions

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("Zebras live in Africa.\n\nLions hunt zebras.\n", encoding="utf-8")
    (corpus / "b.md").write_text("Penguins live in Antarctica.\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("corpus:\n  path: corpus\n", encoding="utf-8")
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "answerable:\n"
        "  - {q: 'Where do penguins live?', gold: [1], doc: b}\n"
        "  - {q: 'Where do penguins live?', gold: [1], doc: a}\n",
        encoding="utf-8",
    )
    report = evaluate(Engine.load(config), load_questions(questions))
    assert report.ranked_first == 1 and len(report.misses) == 1


# --- settings from the environment ---------------------------------------------------------------


def test_check_reads_the_config_story_bot_config_names(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "bridge.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "prod.yaml").write_text("corpus:\n  path: corpus\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = bot("check", cwd=elsewhere, env={"STORY_BOT_CONFIG": str(tmp_path / "prod.yaml")})
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert f"config: {tmp_path / 'prod.yaml'}" in out and "bridge: “Bridge”" in out
    # --config still wins over the variable.
    result = bot("check", "--config", str(CONFIG), cwd=elsewhere, env={"STORY_BOT_CONFIG": str(tmp_path / "prod.yaml")})
    assert result.returncode == 0 and f"config: {CONFIG}" in result.stdout.decode()


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"STORY_BOT_CONFIG": "/nonexistent/prod.yaml"}, "error: environment variable STORY_BOT_CONFIG: /nonexistent/prod.yaml: file not found"),
        ({"SHARD_IDS": "0-3"}, "error: environment variable SHARD_IDS: 'discord.shard_ids' needs 'discord.shard_count'"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "error: environment variable SHARD_IDS: 'discord.shard_ids' has 2, but shards are numbered 0 to 1"),
        ({"LOG_LEVEL": "loud"}, "error: environment variable LOG_LEVEL: 'logging.level' must be one of DEBUG, INFO, WARNING, ERROR; got 'LOUD'"),
        ({"DATABASE_URL": "sqlite:///tmp/pw-in-here"}, "error: environment variable DATABASE_URL: must be a postgresql:// URL, got a 'sqlite' URL"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(env: dict, expected: str) -> None:
    for args in (("check",), ("ask", "When was Meng Wanzhou arrested?")):
        result = bot(*args, env=env)
        line = one_line_error(result)
        assert line.startswith(expected), line
        assert "pw-in-here" not in result.stderr.decode() + result.stdout.decode()


def test_ask_answers_with_valid_overrides_set() -> None:
    env = {"SHARD_COUNT": "4", "SHARD_IDS": "0,1", "LOG_LEVEL": "warning"}
    result = bot("ask", "--json", "When was Meng Wanzhou arrested?", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answered"] is True


# --- stats --json ----------------------------------------------------------------------------------


def _stats_json(tmp_path: Path, config_text: str) -> tuple[subprocess.CompletedProcess, dict]:
    (tmp_path / "config.yaml").write_text(config_text, encoding="utf-8")
    result = bot("stats", "--json", "--config", str(tmp_path / "config.yaml"))
    return result, json.loads(result.stdout)  # JSON on stdout in every case


def test_stats_json_without_a_database(tmp_path: Path) -> None:
    result, data = _stats_json(tmp_path, "data_dir: data\n")
    assert result.returncode == 0, result.stderr
    assert data == {"enabled": True, "database": str(tmp_path / "data" / "insights.sqlite3"), "recorded": False, "error": None}
    assert not (tmp_path / "data").exists()  # looking does not create it


def test_stats_json_with_insights_disabled(tmp_path: Path) -> None:
    result, data = _stats_json(tmp_path, "data_dir: data\ninsights:\n  enabled: false\n")
    assert result.returncode == 0 and data["enabled"] is False and data["recorded"] is False and data["error"] is None


def test_stats_json_with_an_unreadable_database(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "insights.sqlite3").write_bytes(b"not a database " * 300)
    result, data = _stats_json(tmp_path, "data_dir: data\n")
    assert result.returncode == 1 and data["enabled"] is True
    assert "insights.sqlite3" in data["error"] and one_line_error(result) == f"error: {data['error']}"


def test_stats_json_with_a_broken_config(tmp_path: Path) -> None:
    result, data = _stats_json(tmp_path, "insights:\n  enabld: true\n")
    assert result.returncode == 1 and data["enabled"] is None and data["database"] is None
    assert "unknown setting 'insights.enabld'" in data["error"] and str(tmp_path / "config.yaml") in data["error"]


def test_stats_json_with_a_log_has_the_numbers(tmp_path: Path) -> None:
    import time

    from bot.config import load_config
    from bot.insights import InsightsStore, QuestionRecord

    (tmp_path / "config.yaml").write_text("data_dir: data\n", encoding="utf-8")
    store = InsightsStore.open(load_config(tmp_path / "config.yaml", environ={}))
    record = QuestionRecord(
        "a1", "slash", True, user_id=1, question="q", document_id="story", paragraphs=(5, 5), part=1, score=3.0,
        asked_at=time.time(),
    )
    store.write([record])
    store.close()
    result, data = _stats_json(tmp_path, "data_dir: data\n")
    assert result.returncode == 0, result.stderr
    assert data["recorded"] is True and data["error"] is None and data["enabled"] is True
    assert data["today"]["questions"] == 1 and data["today"]["answered"] == 1


# --- chat on a terminal: line editing and history ----------------------------------------------------


class Terminal:
    """`python -m bot ARGS` on a pseudo-terminal, typed at like a person would."""

    def __init__(self, home: Path, *args: str) -> None:
        import pty

        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
        env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8", HOME=str(home), TERM="xterm", INPUTRC="/dev/null")
        self.process = subprocess.Popen(
            [sys.executable, *args], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, close_fds=True
        )
        os.close(slave)
        self.master = master
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 60) -> bytes:
        import select
        import time

        deadline = time.monotonic() + timeout
        start = len(self.seen)
        while marker not in self.seen[start:]:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"no {marker!r} within {timeout} s; the terminal shows {self.seen[-2000:]!r}")
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the process closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"ended before {marker!r}; the terminal shows {self.seen[-2000:]!r}")
            self.seen += chunk
        return self.seen[start:]

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode("utf-8"))

    def close(self) -> int:
        try:
            code = self.process.wait(timeout=30)
        finally:
            os.close(self.master)
        return code


CTRL_A, CTRL_D, CTRL_P = "\x01", "\x04", "\x10"


def test_chat_on_a_terminal_edits_lines_and_remembers_them(tmp_path: Path) -> None:
    first = Terminal(tmp_path, "-m", "bot", "chat")
    first.read_until(b"you> ")
    # Type the end of the question, jump to the start of the line (Ctrl-A) and type its beginning.
    first.type(f"Meng Wanzhou arrested?{CTRL_A}When was \r")
    answer = first.read_until(b"you> ")
    assert b"Dec. 1" in answer and b"5 of 12" in answer, answer  # the edited line was the question asked
    first.type("\r")  # an empty line quits
    assert first.close() == 0
    history = tmp_path / ".story_bot_history"
    assert "When was Meng Wanzhou arrested?" in history.read_text(encoding="utf-8")
    assert history.stat().st_mode & 0o077 == 0  # the operator's alone

    second = Terminal(tmp_path, "-m", "bot", "chat")
    second.read_until(b"you> ")
    second.type(f"{CTRL_P}\r")  # the previous line, from the last session
    assert b"Dec. 1" in second.read_until(b"you> ")
    second.type(CTRL_D)
    assert second.close() == 0


def test_chat_on_a_terminal_without_readline_still_answers(tmp_path: Path) -> None:
    # As on a Python built without readline: plain lines, no history file, no error.
    script = "import sys; sys.modules['readline'] = None; from bot.cli import main; sys.exit(main(['chat']))"
    terminal = Terminal(tmp_path, "-c", script)
    terminal.read_until(b"you> ")
    terminal.type("When was Meng Wanzhou arrested?\r")
    assert b"Dec. 1" in terminal.read_until(b"you> ")
    terminal.type("\r")
    assert terminal.close() == 0
    assert b"Traceback" not in terminal.seen and not (tmp_path / ".story_bot_history").exists()


def test_run_start_up_logs_no_warning_an_operator_cannot_act_on() -> None:
    # Discord cannot be reached from the tests (or refuses the fake token): either way the client
    # was created and start-up logged, which is where discord.py warns about voice.
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(PYTHONPATH=str(ROOT), DISCORD_TOKEN="fake.token.value-for-tests", LOG_LEVEL="DEBUG")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, env=env, timeout=120, cwd=ROOT)
    stderr = result.stderr.decode("utf-8", "replace")
    assert "bot.discord_app.runner: starting: 1 document(s)" in stderr, stderr  # got as far as the client
    assert "logging in using static token" in stderr, stderr
    assert " DEBUG " in stderr  # LOG_LEVEL overrode logging.level (INFO in config.yaml)
    assert "voice will NOT be supported" not in stderr and "PyNaCl" not in stderr and "davey" not in stderr
    assert [line for line in stderr.splitlines() if " WARNING " in line] == []
    assert "Traceback" not in stderr and "fake.token.value-for-tests" not in stderr
