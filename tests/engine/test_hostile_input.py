"""Whatever people type: the engine answers or abstains, never raises, never echoes a live mention,
and takes time linear in the input (no regular expression or step that blows up on crafted text)."""

from __future__ import annotations

import json
import re
import time
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Answer, Engine
from bot.engine.analysis import Analyzer, fold
from bot.engine.answering import answer
from bot.engine.attribution import needs_attribution, speaker_names
from bot.engine.documents import parse_document
from bot.engine.expectations import Expects, expected, supplies
from bot.engine.passages import sentence_spans, split_paragraph
from bot.presentation import Reply, escape_markdown, render, shorten

from ..conftest import CONFIG

HOSTILE = {
    "empty": "",
    "whitespace": " \t\n \u3000\u00a0 ",
    "one character": "?",
    "one letter": "M",
    "punctuation only": "?!.,;:'\"()[]{}<>-–—…",
    "max question length": "Why was Meng Wanzhou arrested " + "and why " * 59,
    "4000 characters (longest DM)": ("Who decides on banning Huawei? " * 130)[:4000],
    "emoji": "🤔 who is Meng Wanzhou 🇨🇦🔥👨‍👩‍👧",
    "zero-width": "Who\u200b is\u200c Meng\u200d Wan\u2060zhou\ufeff?",
    "right-to-left": "מי עצר את מנג וואנג'ואו? من اعتقل منغ وانتشو؟ \u202eHuawei\u202c",
    "combining marks": "Whǫ̸̧̛̗̰ ḭ̷̛s M̵͎̈́e̴͈͠n̶̰̓g̸̱̈́" + "\u0301" * 300,
    "NUL and control characters": "Who\x00 is\x01\x02\x1b[31m Meng\x7f\x08?\r\n\x0c",
    "markdown": "**Who** _is_ ~~Meng~~ `Wanzhou` > quote\n# heading\n- list\n1. item [link](http://x)",
    "code fence": "```python\nimport os; os.system('rm -rf /')\n```\nWho is Meng?",
    "spoiler": "||Who was arrested?|| ||@everyone||",
    "@everyone": "@everyone who is Meng Wanzhou?",
    "@here": "@here @here when was Meng arrested?",
    "user mention": "<@123456789012345678> <@!123> who is Kovrig?",
    "role mention": "<@&456456456456456456> which countries banned Huawei?",
    "channel mention": "<#789789789789789789> what did Huawei say?",
    "slash command mention": "</ask:123456789> hello",
    "url": "https://discord.gg/invite http://evil.example/?q=<@&1> who is Meng?",
    "masked link": "[click](https://evil.example) Huawei",
    "other language": "¿Quién arrestó a Meng Wanzhou en Vancouver?",
    "chinese": "孟晚舟为什么被捕？华为",
    "surrogate-free astral": "𝕎𝕙𝕠 𝕚𝕤 𝕄𝕖𝕟𝕘 𝕎𝕒𝕟𝕫𝕙𝕠𝕦?",
    "full-width": "Ｗｈｏ ｉｓ Ｍｅｎｇ？",
    "only stop words": "the and of to a in is it",
    "regex metacharacters": r".*+?^$()[]{}|\ (a+)+$ (?:x)",
    "apostrophe storm": "a'" * 250,
    "long word": "Huawei" * 700,
}

_UNESCAPED_AT = re.compile(r"@(everyone|here)\b")
_MENTION = re.compile(r"<(@[!&]?|#|/)[\w:]*\d+>")


def live_mentions(text: str) -> list[str]:
    """Mentions Discord would act on: an @everyone/@here or <@…> whose first character is not escaped."""
    found = []
    for pattern in (_UNESCAPED_AT, _MENTION):
        for match in pattern.finditer(text):
            backslashes = len(text[: match.start()]) - len(text[: match.start()].rstrip("\\"))
            if backslashes % 2 == 0:
                found.append(match.group())
    return found


def test_the_mention_detector_detects() -> None:
    """The check below is only worth something if it flags what Discord would ping."""
    assert live_mentions("hi @everyone") == ["@everyone"]
    assert live_mentions("<@&456> and <#1>") == ["<@&456>", "<#1>"]
    assert live_mentions("\\\\@here") == ["@here"]  # an escaped backslash does not escape the @
    assert live_mentions("\\@here \\<@1>") == []


def check_answer(engine: Engine, question: str) -> tuple[Answer, Reply]:
    result = engine.ask(question)
    assert isinstance(result, Answer)
    assert result.question == question[: engine.config.answers.max_question_chars]
    assert result.abstained or result.matches
    json.dumps(result.to_json(), ensure_ascii=False)  # the --json contract holds for any input
    reply = render(result, engine, engine.config.discord.example_questions)
    assert isinstance(reply, Reply) and reply.body and reply.title
    assert reply.answered == (not result.abstained)
    assert len(reply.body) <= 3800
    for text in (reply.title, reply.body, reply.citation):
        assert live_mentions(text) == [], text
    return result, reply


@pytest.mark.parametrize("question", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_questions_get_an_answer_or_an_abstention(engine: Engine, question: str) -> None:
    check_answer(engine, question)


@pytest.mark.parametrize("question", HOSTILE.values(), ids=HOSTILE.keys())
def test_user_text_shown_back_is_escaped(question: str) -> None:
    shown = escape_markdown(question)
    assert live_mentions(shown) == []
    # Escaping only adds backslashes: the user's words are all still there.
    assert shown.replace("\\", "") == question.replace("\\", "")


def test_noise_abstains_and_a_real_question_inside_noise_still_answers(engine: Engine) -> None:
    for noise in ("", "?", "🤔🤔", "\x00\x01", "@everyone", "<@&456>", "||x||", "```\n```"):
        assert engine.ask(noise).abstained, noise
    result, reply = check_answer(engine, "@everyone ||when was Meng Wanzhou arrested?|| <@&456>")
    assert not result.abstained and result.best.passage.paragraphs == (5, 5)
    assert "\\@everyone" not in reply.body  # the answer quotes the story, not the question


def test_question_length_is_capped_before_analysis(engine: Engine) -> None:
    limit = engine.config.answers.max_question_chars
    long = "Who is Meng Wanzhou? " + "x " * 50_000
    result = engine.ask(long)
    assert len(result.question) == limit
    assert "x" in result.terms and len(result.terms) <= limit // 2


# --- properties over arbitrary text ---------------------------------------------------------------

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
mixed_text = st.text() | st.text(alphabet=st.sampled_from(list("@<>#&|*_~`\\' \n.!?-\u200b🤔Huawei"))) | st.from_regex(
    r"(@everyone|@here|<@&?!?\d{1,19}>|<#\d+>|\|\|[^|]*\|\||```[^`]*```|[A-Z][a-z]+ |\s)+", fullmatch=True
)


@FAST
@given(question=mixed_text)
def test_any_text_gets_an_answer(engine: Engine, question: str) -> None:
    check_answer(engine, question)


@FAST
@given(text=mixed_text)
def test_escaping_neutralises_any_mention(text: str) -> None:
    assert live_mentions(escape_markdown(text)) == []


@FAST
@given(text=st.text())
def test_folding_keeps_offsets_aligned(text: str) -> None:
    """Highlighting slices the original text at token offsets; fold must keep one char per char."""
    assert len(fold(text)) == len(text)
    for token in Analyzer().tokens(text):
        assert 0 <= token.start < token.end <= len(text)


@FAST
@given(text=st.text(min_size=1), limit=st.integers(min_value=5, max_value=400))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text


@FAST
@given(text=st.text(min_size=1))
def test_passages_are_verbatim_slices(text: str) -> None:
    for piece in split_paragraph(text, 80):
        assert piece in text


@FAST
@given(body=st.text())
def test_any_document_text_parses_or_gives_a_reason(body: str) -> None:
    try:
        doc = parse_document(body, "doc")
    except ValueError as exc:
        assert str(exc)
    else:
        assert doc.paragraphs and all(p.strip() == p and p for p in doc.paragraphs)


# --- linear time ------------------------------------------------------------------------------------

ADVERSARIAL = {
    "a'": "a'",
    "'": "'",
    "a-": "a-",
    ".": ".",
    "!?": "!?",
    "a. ": "a. ",
    "Ab ": "Ab ",
    "blank lines": "\n \n",
    "nested punctuation": "(([[{{<<“‘",
    "quotes": "“a",
    "digits": "1,",
    "what does": "what does ",
    "when": "when ",
    "combining": "e\u0301",
    "emoji": "🤔",
    "mentions": "<@&1>@everyone",
}

STEPS: dict[str, Callable[[str], object]] = {}


def _steps() -> dict[str, Callable[[str], object]]:
    if not STEPS:
        engine = Engine.load(CONFIG)
        config = engine.config.answers
        STEPS.update(
            {
                "analysis tokens": engine.index.analyzer.tokens,
                "analysis terms": engine.index.analyzer.terms,
                # Straight to answer(), past the length cap, to check the step itself.
                "answering": lambda s: answer(engine.index, s, top=config.top, min_probability=config.min_probability),
                "expected form": lambda s: [expected(s, config.max_question_chars)] + [supplies(s, e) for e in Expects],
                "attribution": lambda s: (needs_attribution(s), speaker_names(s)),
                "sentences": sentence_spans,
                "passages": lambda s: split_paragraph(s, 600),
                "document": lambda s: parse_document(s + " x", "d"),
                "escaping": escape_markdown,
                "shortening": lambda s: shorten(s, 3800),
            }
        )
    return STEPS


def _best_time(step: Callable[[str], object], text: str, runs: int = 3) -> float:
    """CPU time of this thread, not wall time: other processes on a busy machine do not count."""
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        step(text)
        best = min(best, time.thread_time() - started)
    return best


@pytest.mark.parametrize("step", ["analysis tokens", "analysis terms", "answering", "expected form", "attribution",
                                  "sentences", "passages", "document", "escaping", "shortening"])
def test_steps_are_linear_in_input_length(step: str) -> None:
    """10x the input must cost about 10x the time, not 100x.

    A complexity check, not a speed target: the bound (35x, with a 2 ms floor for the
    small input) is loose enough for a busy CI machine and far below a quadratic's 100x.
    """
    run = _steps()[step]
    slow = []
    for name, unit in ADVERSARIAL.items():
        small = (unit * (10_000 // len(unit) + 1))[:10_000]
        large = (unit * (100_000 // len(unit) + 1))[:100_000]
        run(small)  # warm caches (stems, folded characters)
        t_small = max(_best_time(run, small), 0.002)
        t_large = _best_time(run, large, runs=2)
        if t_large > 35 * t_small:
            slow.append(f"{name!r}: 10k {t_small * 1000:.1f} ms, 100k {t_large * 1000:.1f} ms")
    assert not slow, f"{step} is super-linear on: " + "; ".join(slow)


def test_asking_a_huge_question_is_as_cheap_as_a_short_one(engine: Engine) -> None:
    started = time.perf_counter()
    for unit in ADVERSARIAL.values():
        engine.ask(unit * 100_000)
    # 16 questions of up to 1.6 MB each; the cap makes each cost what a 500-character question does.
    assert time.perf_counter() - started < 10
