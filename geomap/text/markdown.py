"""Markdown and plain text reduced to the text offsets index.

Markdown loses its markup (headings, emphasis, link targets, images), and
every soft line break inside a paragraph becomes a space.  In plain text a
hard-wrapped line whose sentence goes on in lower case on the next line is
joined to it (the line end becomes a space, one character for one).
"""

from __future__ import annotations

import re

__all__ = ["markdown_to_text", "unwrap_text"]

_MD_RULES = (
    (re.compile(r"^```.*$|^~~~.*$", re.MULTILINE), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their words
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"^\[[^\]]+\]:\s+\S+.*$", re.MULTILINE), ""),  # link definitions
    (re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE), r"\1"),
    (re.compile(r"^ {0,3}(?:=+|-{2,})[ \t]*$", re.MULTILINE), ""),  # setext heading underlines
    (re.compile(r"^ {0,3}>[ \t]?", re.MULTILINE), ""),
    (re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),
    (re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
)


# soft break), unless the next line starts a block (heading, list, quote,
# table, fence, setext underline).
_MD_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n(?=[ \t]{0,3}[^\s#>*+\-|`~=\d])")
# Plain text: a hard-wrapped sentence goes on in lower case on the next line.
# The line end becomes a space, one character for one.
# (The character before the line end is checked by hand: a pattern that starts
# with a look-behind is tried at every position, one that starts with "\n" is not.)
_TEXT_SOFT_BREAK = re.compile(r"\n[ \t]*(\w)")


def unwrap_text(text: str) -> str:
    """Join hard-wrapped lines whose sentence goes on in lower case; length is kept."""

    def join(m: re.Match) -> str:
        at = m.start()
        if not m.group(1).islower() or at == 0 or text[at - 1].isspace() or text[at - 1] in ".!?:;":
            return m.group()
        return " " + m.group()[1:]

    return _TEXT_SOFT_BREAK.sub(join, text)


def markdown_to_text(text: str) -> str:
    text = _MD_SOFT_BREAK.sub(" ", text)
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
