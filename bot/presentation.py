"""How an Answer reads: the quote, highlighted and escaped, its citation, or an abstention.

Shared by the Discord embeds, `chat` and `ask`, so what the console shows is what
the bot posts. Knows nothing of discord.py; only of Markdown and length limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the insights log formats spans without loading the engine
    from .engine import Answer, Engine, Match
    from .engine.passages import Passage

# The longest quote any surface shows. Chosen for Discord (an embed description holds
# 4,096 characters, see discord_app/limits.py) and used by `chat` too, so the console
# shows what the bot posts.
QUOTE_LIMIT = 3800

_MARKDOWN = re.compile(r"([\\*_~`|<@\[\]])")
# Indentation is `[^\S\n]*`, not `\s*`: `\s` crosses newlines, which made text of many blank
# lines quadratic to escape (every line start rescanned the rest of the text).
_LINE_START = re.compile(r"^([^\S\n]*)([>#-])", flags=re.MULTILINE)
_NUMBERED = re.compile(r"^([^\S\n]*\d+)\.", flags=re.MULTILINE)
_ELLIPSIS = " …"
_ADJACENT_BOLD = re.compile(r"(?<!\\)\*\*([ \t]+)\*\*")


@dataclass(frozen=True)
class Reply:
    answered: bool
    title: str
    body: str  # Markdown: the quote (with context) or the abstention message
    citation: str = ""
    url: str | None = None

    def as_text(self) -> str:
        parts = [f"**{self.title}**", self.body]
        if self.citation:
            parts.append("— " + self.citation)
        return "\n\n".join(parts)


def escape_markdown(text: str) -> str:
    """Backslash-escape characters Discord would read as formatting, links or mentions."""
    return _escape_line_starts(_escape_characters(text))


def _escape_characters(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _escape_line_starts(text: str) -> str:
    """Lists, headings and quotes only start a line; applied to whole text, not to fragments."""
    return _NUMBERED.sub(r"\1\\.", _LINE_START.sub(r"\1\\\2", text))


def shorten(text: str, limit: int) -> str:
    """Cut to at most `limit` characters at a sentence, else a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    budget = max(limit - len(_ELLIPSIS), 1)
    head = text[:budget]
    sentence = max(head.rfind(". "), head.rfind("? "), head.rfind("! "), head.rfind(".” "))
    if sentence >= budget // 2:
        cut = head[: sentence + 1]
    else:
        space = head.rstrip().rfind(" ")
        cut = head[:space] if space > 0 else head
    return cut.rstrip() + _ELLIPSIS


def highlight(text: str, match_terms: set[str], engine: Engine) -> str:
    """Escape the passage and bold the words whose terms the question matched."""
    out: list[str] = []
    last = 0
    for token in engine.index.analyzer.tokens(text):
        if token.term in match_terms:
            out.append(_escape_characters(text[last : token.start]))
            out.append(f"**{_escape_characters(text[token.start : token.end])}**")
            last = token.end
    out.append(_escape_characters(text[last:]))
    # Adjacent highlights read as one: "**Sarah McIver**", not "**Sarah** **McIver**".
    return _escape_line_starts(_ADJACENT_BOLD.sub(lambda m: m.group(1), "".join(out).replace("****", "")))


def paragraph_span(paragraphs: tuple[int, int]) -> str:
    """"¶5", or "¶3–4" (an en dash) for a span: the one way every surface writes paragraphs."""
    first, last = paragraphs
    return f"¶{first}" if first == last else f"¶{first}–{last}"


def paragraph_label(passage_span: tuple[int, int], total: int, part: Passage | None = None) -> str:
    label = paragraph_span(passage_span)
    if part is not None and part.parts > 1:
        label += f" (part {part.part} of {part.parts})"
    return f"{label} of {total}"


def citation(match: Match) -> str:
    doc = match.document
    bits = [paragraph_label(match.paragraphs, len(doc.paragraphs), match.passage)]
    if doc.source:
        bits.append(doc.source)
    if doc.date:
        bits.append(doc.date)
    return " · ".join(bits)


def quote_block(texts: list[str]) -> str:
    return "\n>\n".join("\n".join("> " + line for line in t.splitlines()) for t in texts)


def render_match(match: Match, engine: Engine, limit: int = QUOTE_LIMIT) -> Reply:
    """The quote fits in `limit` characters; context is cut first, then the passage itself."""
    terms = set(match.matched_terms)
    context = [c.text for c in match.context]
    passage = match.passage.text
    budget_context = [len(c) for c in context]
    budget = len(passage)
    for _ in range(20):
        pieces = [highlight(shorten(c, b), terms, engine) for c, b in zip(context, budget_context) if b > 0]
        pieces.append(highlight(shorten(passage, budget), terms, engine))
        body = quote_block(pieces)
        over = len(body) - limit
        if over <= 0:
            break
        if any(budget_context):
            budget_context = [max(b - over, 0) if b - over > 40 else 0 for b in budget_context]
        else:
            budget = max(budget - over - 8, 20)
    return Reply(True, match.document.title, body, citation(match), match.document.url)


def render_abstention(answer: Answer, engine: Engine, examples: tuple[str, ...] = ()) -> Reply:
    titles = [d.title for d in engine.index.corpus.documents[:3]]
    covers = "; ".join(f"“{escape_markdown(t)}”" for t in titles)
    more = len(engine.index.corpus.documents) - len(titles)
    if more > 0:
        covers += f" and {more} more"
    body = f"I couldn't find an answer to that in the story, so I won't guess. It covers {covers}."
    if examples:
        body += "\nYou could ask, for example: " + " · ".join(f"*{escape_markdown(q)}*" for q in examples[:2])
    return Reply(False, "The story doesn't say", body)


def render(answer: Answer, engine: Engine, examples: tuple[str, ...] = (), match: int = 0, limit: int = QUOTE_LIMIT) -> Reply:
    if answer.abstained or not answer.matches:
        return render_abstention(answer, engine, examples)
    return render_match(answer.matches[min(match, len(answer.matches) - 1)], engine, limit)
