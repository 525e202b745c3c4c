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
    from .engine.decision import Confidence
    from .engine.explanation import Explanation
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
    body: str  # Markdown: the quote (with context, the answering sentence underlined) or the abstention message
    citation: str = ""
    url: str | None = None
    confidence: str = ""  # "high", "medium" or "low" for an answer; "" otherwise
    answer_sentence: str | None = None  # the sentence of the quote that answers (verbatim)

    @property
    def footer(self) -> str:
        """The citation, and how sure the bot is: "¶5 of 12 · CTV News · confidence: high"."""
        if not self.confidence:
            return self.citation
        return " · ".join(p for p in (self.citation, f"confidence: {self.confidence}") if p)

    def as_text(self) -> str:
        parts = [f"**{self.title}**", self.body]
        if self.footer:
            parts.append("— " + self.footer)
        return "\n\n".join(parts)


# What people read about an abstention, by the engine's decision.Abstention value (the
# engine only says which kind it was; keyed by value so this module needs no engine import).
ABSTENTION_REASONS = {
    "nomatch": "No passage contains any of your question's words.",
    "vague": "Your question doesn't say what it is about: its words are too general to find a passage.",
    "name": "Your question names something the story never mentions, so the story is not about it.",
    "form": "Your question asks for a time or a number (“when”, “how many”, “how old”), and no passage that matches it has one.",
    "unlikely": "The best passage matches too little of your question for me to be confident it answers it.",
}


def abstention_reason(answer: Answer) -> str:
    """Why the bot did not answer, in a sentence ("" when it answered); names the unknown names."""
    if answer.abstention is None:
        return ""
    if answer.abstention.value == "name" and answer.unknown:
        return f"The story never mentions {', '.join(answer.unknown)}, so it is not about what you asked."
    return ABSTENTION_REASONS[answer.abstention.value]


def decision_lines(explanation: "Explanation", answered: bool) -> list[str]:
    """The answer decision's signals and probability, for "Why this?" (Markdown lines)."""
    lines = []
    if answered:
        lines.append(
            f"This passage holds **{explanation.coverage:.0%}** of the question's weight "
            f"({explanation.matched:.0%} of its terms; its best sentence {explanation.sentence:.0%})."
        )
    if explanation.probability is not None:
        word = explanation.confidence.value if explanation.confidence and answered else ""
        lines.append(
            f"Weighing these signals (and the meaning of your question next to the passage's), the chance that it answers "
            f"was **{explanation.probability:.0%}**; I answer from {explanation.min_probability:.0%}"
            + (f" (confidence: {word})." if word else ".")
        )
    return lines


def answer_line(answer: Answer) -> str:
    """One line per answer (`ask --batch`): "[document ¶5] (confidence: high) the quote", or the abstention."""
    if answer.abstained or not answer.matches:
        closest = "; ".join(f"{m.document.id} {paragraph_span(m.paragraphs)}" for m in answer.nearest)
        return "[no answer] The story doesn't say." + (f" (closest, not an answer: {closest})" if closest else "")
    m = answer.matches[0]
    span = paragraph_span(m.paragraphs)  # with the context that names a quote's speaker
    text = " ".join(c.text for c in m.context) + " " + m.passage.text
    confidence = f" (confidence: {answer.confidence.value})" if answer.confidence else ""
    return f"[{m.document.id} {span}]{confidence} " + " ".join(text.split())


def answer_json(answer: Answer) -> dict[str, object]:
    """`--json` for one question: the engine's contract plus the reason in words."""
    data = answer.to_json()
    data["reason"] = abstention_reason(answer)
    return data


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


def highlight(text: str, match_terms: set[str], engine: Engine, sentence: tuple[int, int] | None = None) -> str:
    """Escape the passage, bold the words whose terms the question matched, underline the answering sentence."""
    out: list[str] = []
    last = 0
    marks = sorted({sentence[0]: "__", sentence[1]: "__"}.items()) if sentence and sentence[1] > sentence[0] else []

    def upto(end: int) -> None:
        nonlocal last
        while marks and marks[0][0] <= end:
            at, mark = marks.pop(0)
            out.append(_escape_characters(text[last:at]) + mark)
            last = at
        out.append(_escape_characters(text[last:end]))
        last = end

    for token in engine.index.analyzer.tokens(text):
        if token.term in match_terms:
            upto(token.start)
            if marks and marks[0][0] < token.end:  # a mark never falls inside a word; keep it outside
                marks[0] = (token.end, marks[0][1])
            out.append(f"**{_escape_characters(text[token.start : token.end])}**")
            last = token.end
    upto(len(text))
    while marks:
        out.append(marks.pop(0)[1])
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


def render_match(
    match: Match,
    engine: Engine,
    limit: int = QUOTE_LIMIT,
    sentence: tuple[int, int] | None = None,
    confidence: "Confidence | None" = None,
) -> Reply:
    """The quote fits in `limit` characters; context is cut first, then the passage itself.

    `sentence` (offsets in the passage) is underlined while the passage is quoted whole.
    """
    terms = set(match.matched_terms)
    context = [c.text for c in match.context]
    passage = match.passage.text
    budget_context = [len(c) for c in context]
    budget = len(passage)
    for _ in range(20):
        pieces = [highlight(shorten(c, b), terms, engine) for c, b in zip(context, budget_context) if b > 0]
        shown = shorten(passage, budget)
        # The sentence is marked while the passage is quoted whole and has more than it.
        whole = sentence is not None and passage[: sentence[0]].strip() == "" and passage[sentence[1] :].strip() == ""
        pieces.append(highlight(shown, terms, engine, sentence if shown == passage and not whole else None))
        body = quote_block(pieces)
        over = len(body) - limit
        if over <= 0:
            break
        if any(budget_context):
            budget_context = [max(b - over, 0) if b - over > 40 else 0 for b in budget_context]
        else:
            budget = max(budget - over - 8, 20)
    answer_sentence = passage[sentence[0] : sentence[1]] if sentence else None
    word = confidence.value if confidence else ""
    return Reply(True, match.document.title, body, citation(match), match.document.url, word, answer_sentence)


NOT_AN_ANSWER = "Not an answer"
NEAREST_HEADING = "Closest in the story (not an answer)"


def nearest_label(match: Match, answer: Answer) -> str:
    """"¶7", or "¶7 of “Title”" when an abstention's nearest passages come from several documents.
    The span is the one its citation will show (with the paragraph before that names a quote's speaker)."""
    span = paragraph_span(match.paragraphs)
    if len({m.document.id for m in answer.nearest}) > 1:
        return f"{span} of “{match.document.title}”"
    return span


def nearest_topic(match: Match, engine: Engine, words: int = 3) -> str:
    """What a nearest passage shares with the question, as the passage writes it ("Meng's arrest")."""
    seen: dict[str, str] = {}
    text = match.passage.text
    for token in engine.index.analyzer.tokens(text):
        if token.term in match.matched_terms and token.term not in seen:
            seen[token.term] = text[token.start : token.end]
            if len(seen) == words:
                break
    return ", ".join(seen.values())


def render_abstention(answer: Answer, engine: Engine, examples: tuple[str, ...] = ()) -> Reply:
    """The story doesn't say: plainly first, then why, what it covers (within the scope), and the
    nearest passages by paragraph (each one shown only on request, and labelled as not an answer)."""
    documents = [d for d in engine.index.corpus.documents if answer.documents is None or d.id in answer.documents]
    titles = [d.title for d in documents[:3]]
    covers = "; ".join(f"“{escape_markdown(t)}”" for t in titles)
    more = len(documents) - len(titles)
    if more > 0:
        covers += f" and {more} more"
    reason = abstention_reason(answer)
    body = f"I couldn't find an answer to that in the story, so I won't guess. {escape_markdown(reason)} It covers {covers}."
    if answer.nearest:
        body += f"\n{NEAREST_HEADING}: " + ", ".join(escape_markdown(nearest_label(m, answer)) for m in answer.nearest) + "."
    if examples:
        body += "\nYou could ask, for example: " + " · ".join(f"*{escape_markdown(q)}*" for q in examples[:2])
    return Reply(False, "The story doesn't say", body)


def unknown_story(story: str, titles: list[str]) -> str:
    """/ask's story: names no document the bot answers from where it was asked."""
    shown = "; ".join(f"“{escape_markdown(t)}”" for t in titles[:10])
    more = f" and {len(titles) - 10} more" if len(titles) > 10 else ""
    return (
        f"“{escape_markdown(story)}” is not one of the stories I answer from here. "
        f"Pick one from the list as you type; here I answer from {shown}{more}."
    )


def render_nearest(match: Match, engine: Engine, limit: int = QUOTE_LIMIT) -> Reply:
    """One of an abstention's nearest passages: quoted and cited like any passage, but titled and
    introduced as not an answer, with no confidence (it was not accepted as one)."""
    intro = "The story does not answer your question. This is the passage closest to it, for you to judge:"
    quoted = render_match(match, engine, max(limit - len(intro) - 2, 200))
    title = f"{NOT_AN_ANSWER}: the closest passage in “{match.document.title}”"
    return Reply(False, title, f"*{intro}*\n{quoted.body}", quoted.citation, quoted.url)


def render(answer: Answer, engine: Engine, examples: tuple[str, ...] = (), match: int = 0, limit: int = QUOTE_LIMIT) -> Reply:
    """The reply for one of the answer's matches (0: the answer, with its sentence and confidence)."""
    if answer.abstained or not answer.matches:
        return render_abstention(answer, engine, examples)
    index = min(match, len(answer.matches) - 1)
    if index == 0:
        return render_match(answer.matches[0], engine, limit, answer.sentence, answer.confidence)
    return render_match(answer.matches[index], engine, limit)
