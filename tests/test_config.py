"""config.yaml as an operator gets it wrong: every mistake is refused with the file and the key or line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG_NAME, Config, ConfigError, load_config, parse_config


def write(tmp_path: Path, text: str | bytes, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str | bytes) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:"), message  # the operator sees which file
    assert "\n" not in message  # one line, fit for a log or a terminal
    return message


# --- missing, empty, not a file ---------------------------------------------------------


def test_explicit_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_config(missing)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(str(missing))


def test_missing_default_file_means_defaults_resolved_against_cwd(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source is None
    assert config.corpus.path == tmp_path / "corpus"
    assert config.answers == Config().answers
    # Naming the default file explicitly behaves the same (a fresh checkout without one runs).
    assert load_config(DEFAULT_CONFIG_NAME).corpus.path == tmp_path / "corpus"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file_is_all_defaults(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    config = load_config(path)
    assert config.source == path.resolve()
    assert config.corpus.path == tmp_path / "corpus"
    assert config.discord == Config().discord


def test_a_directory_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path / "config.yaml")


def test_not_utf8(tmp_path: Path) -> None:
    message = refused(tmp_path, "corpus:\n  path: caf\xe9\n".encode("latin-1"))
    assert "UTF-8" in message


# --- not YAML, not a mapping ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, line",
    [
        ("corpus:\n  path: corpus\nanswers:\n  top: [3\n", 5),  # unclosed flow list (reported at the end)
        ("corpus:\n\tpath: corpus\n", 2),  # a tab for indentation
        ("corpus:\n  path: corpus\n   on_error: skip\n", 3),  # bad indentation
        ("answers: {top: 3\n", 2),
        ("discord:\n  example_questions:\n    - \"unterminated\n", 4),
    ],
)
def test_not_yaml_names_the_line(tmp_path: Path, text: str, line: int) -> None:
    message = refused(tmp_path, text)
    assert f"line {line}," in message and "not valid YAML" in message


@pytest.mark.parametrize(
    "text, opened",
    [
        ("corpus:\n  path: corpus\ndiscord:\n  admin_user_ids: [1, 2\n  ephemeral: true\n", "line 4, column 19"),
        ("discord:\n  example_questions:\n    - \"Who is it?\n    - Another\n", "line 3, column 7"),
    ],
)
def test_an_unclosed_bracket_or_quote_says_where_it_was_opened(tmp_path: Path, text: str, opened: str) -> None:
    # YAML notices only at the end of the file; the operator needs the line that opened it.
    message = refused(tmp_path, text)
    assert f"starts at {opened}" in message, message


def test_python_tags_are_refused_not_executed(tmp_path: Path) -> None:
    message = refused(tmp_path, "corpus: !!python/object/apply:os.system ['echo hacked']\n")
    assert "not valid YAML" in message


@pytest.mark.parametrize(
    "text, kind",
    [("- corpus\n- answers\n", "a list"), ("just words\n", "a string"), ("42\n", "a number")],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    message = refused(tmp_path, text)
    assert f"expected a mapping of settings at the top level, got {kind}" in message


@pytest.mark.parametrize("section", ["corpus", "answers", "discord", "logging"])
def test_a_section_that_is_a_list(tmp_path: Path, section: str) -> None:
    message = refused(tmp_path, f"{section}:\n  - a\n  - b\n")
    assert f"'{section}' must be a mapping of settings, got a list" in message


def test_an_empty_section_is_its_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "discord:\nanswers:\n"))
    assert config.discord == Config().discord and config.answers == Config().answers


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    # YAML itself would silently keep the second one, and the first edit would be lost.
    message = refused(tmp_path, "answers:\n  top: 1\ncorpus:\n  path: a\nanswers:\n  top: 2\n")
    assert "line 5," in message and "'answers' appears twice" in message
    message = refused(tmp_path, "corpus:\n  path: a\n  path: b\n")
    assert "line 3," in message and "'path' appears twice" in message


def test_yaml_anchors_and_merge_keys_still_work(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "corpus:\n  <<: {on_error: skip}\n  path: docs\n"))
    assert config.corpus.on_error == "skip" and config.corpus.path == tmp_path / "docs"


# --- unknown keys, wrong types, out of range -----------------------------------------------


@pytest.mark.parametrize(
    "text, key",
    [
        ("corpuss:\n  path: x\n", "corpuss"),
        ("corpus:\n  pth: x\n", "corpus.pth"),
        ("answers:\n  min_coverage: 0.5\n  minimum_coverage: 0.4\n", "answers.minimum_coverage"),
        ("discord:\n  admins: [1]\n", "discord.admins"),
        ("ranking:\n  K1: 1.2\n", "ranking.K1"),
        ("source: /etc/passwd\n", "source"),  # internal field, not a setting
    ],
)
def test_unknown_keys_are_named_with_their_dotted_path(tmp_path: Path, text: str, key: str) -> None:
    message = refused(tmp_path, text)
    assert f"unknown setting '{key}'" in message
    section = key.rsplit(".", 1)[0] + "." if "." in key else ""
    # The message lists what is allowed there, so a typo is easy to fix.
    assert "known: " + section in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("answers:\n  top: three\n", "'answers.top' must be a whole number, got 'three'"),
        ("answers:\n  top: 2.5\n", "'answers.top' must be a whole number, got 2.5"),
        ("answers:\n  top: true\n", "'answers.top' must be a whole number, got True"),
        ("answers:\n  top:\n", "'answers.top' must be a whole number, got None"),
        ("ranking:\n  k1: fast\n", "'ranking.k1' must be a number, got 'fast'"),
        ("ranking:\n  k1: .nan\n", "'ranking.k1' must be a number, got nan"),
        ("discord:\n  ephemeral: 'yes'\n", "'discord.ephemeral' must be true or false, got 'yes'"),
        ("discord:\n  ephemeral: 1\n", "'discord.ephemeral' must be true or false, got 1"),
        ("discord:\n  admin_user_ids: 1234\n", "'discord.admin_user_ids' must be a list, got a number"),
        ("discord:\n  admin_user_ids: [12, abc]\n", "'discord.admin_user_ids[1]' must be a whole number, got 'abc'"),
        ("corpus:\n  extensions: .md\n", "'corpus.extensions' must be a list, got a string"),
        ("corpus:\n  path: ''\n", "'corpus.path' must be a path, got ''"),
        ("corpus:\n  path: [a, b]\n", "'corpus.path' must be a path, got ['a', 'b']"),
        ("corpus:\n  on_error: ignore\n", "'corpus.on_error' must be one of fail, skip; got 'ignore'"),
        ("logging:\n  level: info\n", "'logging.level' must be one of DEBUG, INFO, WARNING, ERROR; got 'info'"),
        ("ranking:\n  variant: bm25\n", "'ranking.variant' must be one of okapi, l, plus; got 'bm25'"),
    ],
)
def test_wrong_types_name_the_key_and_the_value(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(tmp_path, text)


@pytest.mark.parametrize(
    "text, key, bounds",
    [
        ("answers:\n  top: -1\n", "answers.top", "between 1 and 25"),
        ("answers:\n  top: 0\n", "answers.top", "between 1 and 25"),
        ("answers:\n  top: 1000000000000000000000\n", "answers.top", "between 1 and 25"),
        ("answers:\n  min_coverage: -0.1\n", "answers.min_coverage", "between 0.0 and 1.0"),
        ("answers:\n  min_coverage: 1.5\n", "answers.min_coverage", "between 0.0 and 1.0"),
        ("corpus:\n  max_file_mb: -5\n", "corpus.max_file_mb", "between 0.001 and 4096"),
        ("corpus:\n  max_file_mb: 0\n", "corpus.max_file_mb", "between 0.001 and 4096"),
        ("passages:\n  max_chars: -600\n", "passages.max_chars", "between 80 and 100000"),
        ("ranking:\n  k1: .inf\n", "ranking.k1", "between 0.01 and 10.0"),
        ("ranking:\n  b: -0.75\n", "ranking.b", "between 0.0 and 1.0"),
        ("discord:\n  cooldown_seconds: -30\n", "discord.cooldown_seconds", "between 0.0 and 86400"),
        ("discord:\n  cooldown_questions: 0\n", "discord.cooldown_questions", "between 1 and 1000"),
        ("discord:\n  admin_user_ids: [-42]\n", "discord.admin_user_ids[0]", "at least 1"),
        ("discord:\n  dev_guild_ids: [0]\n", "discord.dev_guild_ids[0]", "at least 1"),
        ("insights:\n  retention_days: -1\n", "insights.retention_days", "between 0 and 36500"),
    ],
)
def test_out_of_range_numbers(tmp_path: Path, text: str, key: str, bounds: str) -> None:
    message = refused(tmp_path, text)
    assert f"'{key}' must be {bounds}" in message


def test_boundaries_are_accepted(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "answers:\n  top: 25\n  min_coverage: 0\nranking:\n  b: 1\ndiscord:\n  cooldown_seconds: 0\n")
    )
    assert config.answers.top == 25 and config.answers.min_coverage == 0.0
    assert config.ranking.b == 1.0 and isinstance(config.ranking.b, float)
    assert config.discord.cooldown_seconds == 0.0


def test_every_range_in_the_config_is_enforced() -> None:
    """Every numeric setting with a range refuses values just outside it (no field forgotten)."""
    import dataclasses

    checked = 0
    for section in dataclasses.fields(Config):
        cls = type(getattr(Config(), section.name))
        if not dataclasses.is_dataclass(cls):
            continue
        for f in dataclasses.fields(cls):
            lo, hi = f.metadata.get("min"), f.metadata.get("max")
            if lo is None or isinstance(f.default, tuple):
                continue
            step = 1 if isinstance(f.default, int) else 0.5
            for bad in [lo - step] + ([hi + step] if hi is not None else []):
                with pytest.raises(ConfigError, match=rf"'{section.name}\.{f.name}' must be"):
                    parse_config(f"{section.name}:\n  {f.name}: {bad}\n")
                checked += 1
    assert checked >= 10


# --- the token ------------------------------------------------------------------------------

SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.fake-token-value-never-shown"


@pytest.mark.parametrize(
    "text, key",
    [
        (f"token: {SECRET}\n", "token"),
        (f"discord:\n  token: {SECRET}\n", "discord.token"),
        (f"discord:\n  ephemeral: true\n  token: '{SECRET}'\n", "discord.token"),
        (f"DISCORD_TOKEN: {SECRET}\n", "DISCORD_TOKEN"),
        (f"discord:\n  bot_token: {SECRET}\n", "discord.bot_token"),
        (f"Token: {SECRET}\ncorpus:\n  path: x\n", "Token"),
    ],
)
def test_a_token_in_the_file_is_refused_without_echoing_it(tmp_path: Path, text: str, key: str) -> None:
    message = refused(tmp_path, text)
    assert f"'{key}' must not be stored in the config file" in message
    assert "DISCORD_TOKEN environment variable" in message
    assert SECRET not in message
    assert "GhIjKl" not in message  # not even a piece of it


def test_the_token_check_comes_before_any_other_complaint(tmp_path: Path) -> None:
    # An unknown key error lists the keys, a type error echoes the value: neither may show the token.
    message = refused(tmp_path, f"corpus:\n  pth: x\ntoken: {SECRET}\n")
    assert "DISCORD_TOKEN" in message and SECRET not in message


def test_the_shipped_config_is_valid_and_has_no_token() -> None:
    from .conftest import CONFIG

    config = load_config(CONFIG)
    assert config.source == CONFIG.resolve()
    assert "token:" not in CONFIG.read_text(encoding="utf-8").replace("DISCORD_TOKEN", "")


def test_extensions_are_normalised_and_never_empty() -> None:
    from bot.config import ConfigError, parse_config

    assert parse_config("corpus:\n  extensions: [md, .TXT]\n").corpus.extensions == (".md", ".txt")
    with pytest.raises(ConfigError, match="corpus.extensions"):
        parse_config("corpus:\n  extensions: []\n")


def test_discord_question_limit_cannot_exceed_the_engines() -> None:
    from bot.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="discord.max_question_length.*answers.max_question_chars"):
        parse_config("discord:\n  max_question_length: 1000\n")
    assert parse_config("discord:\n  max_question_length: 1000\nanswers:\n  max_question_chars: 1000\n")


# --- discord.channels: per-channel modes ----------------------------------------------------


def test_channels_map_ids_to_modes_and_unlisted_channels_reply(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "discord:\n  channels:\n    123: {mode: thread}\n    '456':\n      mode: forum\n    789:\n"))
    channels = config.discord.channels
    assert {i: c.mode for i, c in channels.items()} == {123: "thread", 456: "forum", 789: "reply"}
    # The documents key has its place next to mode (used by document scoping, issue 13 item 2).
    assert channels[123].documents is None
    assert load_config(write(tmp_path, "")).discord.channels == {}
    assert not load_config(write(tmp_path, "")).discord.user_install
    assert not load_config(write(tmp_path, "")).discord.message_content_intent


def test_a_channel_may_name_documents(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "discord:\n  channels:\n    123:\n      mode: thread\n      documents: [huawei-5g-canada-china]\n"))
    assert config.discord.channels[123].documents == ("huawei-5g-canada-china",)
    guilds = load_config(write(tmp_path, "discord:\n  guilds:\n    '42': {documents: [a, b]}\n")).discord.guilds
    assert {i: g.documents for i, g in guilds.items()} == {42: ("a", "b")}
    assert load_config(write(tmp_path, "")).discord.guilds == {}


# --- settings from the environment ------------------------------------------------------


def test_story_bot_config_names_the_file_and_the_command_line_wins(tmp_path: Path, monkeypatch) -> None:
    named = write(tmp_path, "answers:\n  top: 7\n", name="prod.yaml")
    given = write(tmp_path, "answers:\n  top: 2\n", name="given.yaml")
    monkeypatch.chdir(tmp_path)  # no ./config.yaml here: without the variable, all defaults
    assert load_config(environ={}).answers.top == Config().answers.top
    assert load_config(environ={"STORY_BOT_CONFIG": str(named)}).answers.top == 7
    assert load_config(environ={"STORY_BOT_CONFIG": "prod.yaml"}).source == named.resolve()
    assert load_config(given, environ={"STORY_BOT_CONFIG": str(named)}).answers.top == 2
    assert load_config(environ={"STORY_BOT_CONFIG": "  "}).answers.top == Config().answers.top  # blank: unset


def test_story_bot_config_naming_a_missing_file_says_where_the_name_came_from(tmp_path: Path) -> None:
    for name, problem in (("gone.yaml", "file not found"), (str(tmp_path), "is a directory")):
        with pytest.raises(ConfigError) as caught:
            load_config(environ={"STORY_BOT_CONFIG": name})
        assert str(caught.value).startswith("environment variable STORY_BOT_CONFIG: ") and problem in str(caught.value)
    # Even the default name: the operator asked for that file, so its absence is an error.
    with pytest.raises(ConfigError, match="STORY_BOT_CONFIG: .*config.yaml: file not found"):
        load_config(environ={"STORY_BOT_CONFIG": str(tmp_path / DEFAULT_CONFIG_NAME)})


def test_variables_override_the_file_and_blank_ones_do_not(tmp_path: Path) -> None:
    path = write(tmp_path, "logging:\n  level: WARNING\ndiscord:\n  shard_count: 2\n")
    environ = {"SHARD_COUNT": " 8 ", "SHARD_IDS": "4-6,7", "LOG_LEVEL": "debug"}
    config = load_config(path, environ=environ)
    assert (config.discord.shard_count, config.discord.shard_ids, config.logging.level) == (8, (4, 5, 6, 7), "DEBUG")
    kept = load_config(path, environ={"SHARD_COUNT": "", "LOG_LEVEL": " "})
    assert (kept.discord.shard_count, kept.discord.shard_ids, kept.logging.level) == (2, None, "WARNING")
    assert load_config(path, environ={"SHARD_IDS": "[0, 1]"}).discord.shard_ids == (0, 1)


def test_database_url_overrides_insights_database_and_never_shows_its_password(tmp_path: Path) -> None:
    path = write(tmp_path, "insights:\n  enabled: true\n")
    url = "postgresql://bot:s3cret-pw@db.example:5432/story"
    database = load_config(path, environ={"DATABASE_URL": url}).insights.database
    assert database == url
    for bad, scheme in (
        ("mysql://bot:s3cret-pw@db/story", "'mysql' URL"),
        ("s3cret-pw", "no URL"),
        ("bot:s3cret-pw@db://story", "no URL"),  # not a scheme: never shown
    ):
        with pytest.raises(ConfigError) as caught:
            load_config(path, environ={"DATABASE_URL": bad})
        message = str(caught.value)
        assert message.startswith("environment variable DATABASE_URL: must be a postgresql:// URL"), message
        assert scheme in message and "s3cret-pw" not in message


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"SHARD_COUNT": "0"}, "environment variable SHARD_COUNT: 'discord.shard_count' must be between 1 and"),
        ({"SHARD_COUNT": "four"}, "environment variable SHARD_COUNT: 'discord.shard_count' must be a whole number, got 'four'"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,x"}, "environment variable SHARD_IDS: 'discord.shard_ids[1]' must be a whole number"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "-1"}, "environment variable SHARD_IDS: 'discord.shard_ids[0]' must be at least 0, got -1"),
        ({"SHARD_IDS": "0,1"}, "environment variable SHARD_IDS: 'discord.shard_ids' needs 'discord.shard_count'"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "2-5"}, "environment variable SHARD_IDS: 'discord.shard_ids' has 4, but shards are numbered 0 to 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "1,1"}, "environment variable SHARD_IDS: 'discord.shard_ids' lists shard 1 twice"),
        ({"LOG_LEVEL": "verbose"}, "environment variable LOG_LEVEL: 'logging.level' must be one of DEBUG, INFO, WARNING, ERROR; got 'VERBOSE'"),
    ],
)
def test_bad_overrides_are_refused_naming_the_variable_and_key(tmp_path: Path, environ: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, ""), environ=environ)
    assert str(caught.value).startswith(expected), caught.value
    assert "\n" not in str(caught.value)


def test_an_override_that_clashes_with_the_file_names_both(tmp_path: Path) -> None:
    path = write(tmp_path, "discord:\n  shard_ids: [4, 5]\n  shard_count: 8\n")
    assert load_config(path, environ={}).discord.shard_ids == (4, 5)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"SHARD_COUNT": "4"})
    message = str(caught.value)
    assert message.startswith(f"{path}: 'discord.shard_ids' has 4, but shards are numbered 0 to 3"), message
    assert "from environment variable SHARD_COUNT" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("discord:\n  channels:\n    123: {mode: threads}\n", "'discord.channels.123.mode' must be one of reply, thread, forum; got 'threads'"),
        ("discord:\n  channels:\n    123: {mod: thread}\n", "unknown setting 'discord.channels.123.mod' (known: discord.channels.123.mode"),
        ("discord:\n  channels:\n    123: thread\n", "'discord.channels.123' must be a mapping of settings, got a string"),
        ("discord:\n  channels: [123]\n", "'discord.channels' must be a mapping of ids to settings, got a list"),
        ("discord:\n  channels:\n    general: {mode: thread}\n", "'discord.channels.general': the keys of 'discord.channels' must be Discord ids"),
        ("discord:\n  channels:\n    -5: {mode: thread}\n", "'discord.channels.-5': the keys of 'discord.channels' must be Discord ids"),
        ("discord:\n  channels:\n    123: {documents: story}\n", "'discord.channels.123.documents' must be a list, got a string"),
        ("discord:\n  guilds:\n    42: {documents: story}\n", "'discord.guilds.42.documents' must be a list, got a string"),
        ("discord:\n  guilds:\n    42: {mode: thread}\n", "unknown setting 'discord.guilds.42.mode' (known: discord.guilds.42.documents)"),
        ("discord:\n  guilds:\n    newsroom: {documents: [a]}\n", "'discord.guilds.newsroom': the keys of 'discord.guilds' must be Discord ids"),
        ("discord:\n  user_install: 'yes'\n", "'discord.user_install' must be true or false, got 'yes'"),
        ("discord:\n  message_content_intent: 1\n", "'discord.message_content_intent' must be true or false, got 1"),
    ],
)
def test_channel_mistakes_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(tmp_path, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("discord:\n  shard_ids: [0]\n", "'discord.shard_ids' needs 'discord.shard_count'"),
        ("discord:\n  shard_count: 2\n  shard_ids: [2]\n", "'discord.shard_ids' has 2, but shards are numbered 0 to 1"),
        ("discord:\n  shard_count: 2\n  shard_ids: []\n", "'discord.shard_ids' lists no shard"),
        ("discord:\n  shard_count: 0\n", "'discord.shard_count' must be between 1 and"),
        ("discord:\n  shard_ids: 3\n", "'discord.shard_ids' must be a list, got a number"),
    ],
)
def test_shard_keys_in_the_file_are_checked_like_every_key(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(tmp_path, text)


def test_shards_default_to_one_unsharded_client() -> None:
    config = parse_config("")
    assert config.discord.shard_count is None and config.discord.shard_ids is None
    both = parse_config("discord:\n  shard_count: 8\n  shard_ids: [0, 1, 2, 3]\n").discord
    assert (both.shard_count, both.shard_ids) == (8, (0, 1, 2, 3))
