"""PyYAML's parse errors in the analyst's words, each with the fix and a better position.

PyYAML reports what its parser expected (``expected <block end>, but found '<block
mapping start>'``); an analyst needs what is wrong with the line and what to type
instead. :func:`explain` recognises the common mistakes - indentation that matches no
sibling, a tab, an unclosed quote or bracket, a missing colon or a missing space after
one, ``: `` inside an unquoted value, text after a closing quote, an escape double
quotes do not know (``"\\d"``), a second document, an alias with no anchor - and falls
back to PyYAML's own words, cleaned of its grammar names, for the rest.
"""

from __future__ import annotations

import re

import yaml

__all__ = ["explain"]

_QUOTE_RULE = (
    "put the whole value in single quotes ('...'), doubling any ' inside it, or write "
    "it as a block (|) on the lines below"
)
_TOKENS = {
    "<block end>": "the end of the indented block",
    "<block mapping start>": "a new 'key: value' line",
    "<block sequence start>": "a new '- ' item",
    "<block entry>": "a '- ' item",
    "<scalar>": "a value",
    "<stream end>": "the end of the file",
    "<document start>": "'---'",
    "'?'": "a line",
}
_SIMPLE_KEY = re.compile(r"\s*(?:-\s+)?[\w.$-]+:")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous_content_line(lines: list[str], index: int) -> int | None:
    """The 0-based index of the nearest line above ``index`` with content."""
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _same_level(lines: list[str], index: int) -> int | None:
    """The nearest line above ``index`` indented as much as it (its sibling, if any)."""
    indent = _indent(lines[index])
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent(lines[i]) == indent:
            return i
        if _indent(lines[i]) < indent:
            return None
    return None


def _plain(message: str) -> str:
    for token, words in _TOKENS.items():
        message = message.replace(token, words)
    return message


def _at(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int | None, int | None]:
    """A plain sentence with the fix for a YAML error, and the 1-based line and column it
    is best shown at."""
    problem = exc.problem or ""
    context = exc.context or ""
    lines = _lines(text)
    pm, cm = exc.problem_mark, exc.context_mark
    line_no, column = _at(pm or cm)
    here = lines[pm.line] if pm is not None and pm.line < len(lines) else ""

    if "'\\t'" in problem or "tab character" in problem:
        return (
            "a tab character: YAML indents with spaces only; replace the tab with spaces "
            "(2 per level)",
            line_no,
            column,
        )
    if context.startswith("while scanning a") and "quoted scalar" in context and cm:
        quote = text[cm.index] if cm.index < len(text) else '"'
        if "unknown escape character" in problem:
            char = problem.rsplit(" ", 1)[-1]
            return (
                f"\\{char.strip(chr(39))} is not an escape double quotes know (a regex "
                f"backslash?): {_QUOTE_RULE}, where a backslash is just a backslash",
                line_no,
                column - 1 if column and column > 1 else column,  # at the backslash
            )
        if "end of stream" in problem or "document separator" in problem:
            inside = "''" if quote == "'" else '\\"'
            return (
                f"the quote {quote} opened here is never closed: end the value with {quote} "
                f"(a {quote} inside the value is written {inside})",
                *_at(cm),
            )
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing, what = (
            ("[", "]", "list") if "sequence" in context else ("{", "}", "mapping")
        )
        found = problem.rsplit("but got ", 1)[-1]
        if cm is not None and (found == "'<stream end>'" or (pm and pm.line != cm.line)):
            return (
                f"the {what} opened with {opening!r} here is never closed: end it with "
                f"{closing!r} (an inline {what} must close on its own line, or on "
                "further lines indented more than its key)",
                *_at(cm),
            )
        if found in ("']'", "'}'"):
            opened = f" (line {cm.line + 1}, column {cm.column + 1})" if cm else ""
            return (
                f"{found} closes a {what} opened with {opening!r}{opened}: close it with "
                f"{closing!r} instead",
                line_no,
                column,
            )
        if found == "':'":
            return (
                f"a ':' inside an inline {what}: separate items with ',' and quote any value "
                "that holds ': '",
                line_no,
                column,
            )
        return (
            f"expected ',' between the items of the inline {what} opened with {opening!r}, "
            f"or {closing!r} to close it",
            line_no,
            column,
        )
    if "simple key" in context and "expected ':'" in problem and cm is not None:
        key_line = lines[cm.line] if cm.line < len(lines) else ""
        if re.match(r"\s*(?:-\s+)?[\w.$-]+:\S", key_line):
            name = key_line.strip().lstrip("- ").split(":", 1)[0]
            return (
                f"no space after the ':' of {name!r}: write '{name}: value' (a space after "
                "the colon)",
                *_at(cm),
            )
        return (
            "this line is not 'key: value': add ':' and a space after the key, or indent "
            "the line under the key it continues",
            *_at(cm),
        )
    if pm is not None and (
        "mapping values are not allowed" in problem or "expected <block end>" in problem
    ):
        previous = _previous_content_line(lines, pm.line)
        above = lines[previous].lstrip(" ") if previous is not None else ""
        if previous is not None and re.match(r"-[^\s-]", above):
            return (
                f"no space after the '-' of a list item: write '- {above[1:].strip()}'",
                previous + 1,
                _indent(lines[previous]) + 1,
            )
    if "mapping values are not allowed" in problem and pm is not None:
        previous = _previous_content_line(lines, pm.line)
        if (
            re.fullmatch(r"\s*(?:-\s+)?[\w.$-]+", here[: pm.column])
            and previous is not None
            and _indent(here) > _indent(lines[previous])
        ):
            return (
                f"this line is indented more ({_indent(here)} spaces) than the line "
                f"before it ({_indent(lines[previous])}): keys of one mapping start in the "
                "same column; indent it like its siblings",
                line_no,
                _indent(here) + 1,
            )
        return (f"': ' inside a value that is not quoted: {_QUOTE_RULE}", line_no, column)
    if "expected <block end>" in problem and pm is not None:
        before = here[: pm.column].rstrip()
        if problem.endswith("'<scalar>'") and before.endswith(("'", '"')) and ":" in before:
            return (
                f"text after the closing quote: a value that starts with a quote ends with "
                f"it; {_QUOTE_RULE}",
                line_no,
                column,
            )
        previous = _previous_content_line(lines, pm.line)
        level = _same_level(lines, pm.line)
        if level is not None:
            item = lines[level].lstrip(" ").startswith("- ")
            if item != here.lstrip(" ").startswith("- "):
                what, other = ("'key: value' line", "'- ' item") if item else ("'- ' item", "key")
                return (
                    f"this {what} is at the level of the {other} on line {level + 1}: a list "
                    "and a mapping cannot share a level; indent it under the "
                    f"{'item' if item else 'key'} it belongs to",
                    line_no,
                    _indent(here) + 1,
                )
        if previous is not None:
            spaces = "1 space" if _indent(here) == 1 else f"{_indent(here)} spaces"
            return (
                f"this line is indented {spaces}, which matches none of the "
                f"lines it follows (line {previous + 1} is indented "
                f"{_indent(lines[previous])}): indent it as far as the key or '- ' item it "
                "belongs with",
                line_no,
                _indent(here) + 1,
            )
    if "another document" in problem:
        return (
            "a second document ('---') in the file: a profile file holds one profile; move "
            "the second into a file of its own",
            line_no,
            column,
        )
    if "undefined alias" in problem:
        name = problem.rsplit(" ", 1)[-1].strip("'")
        return (
            f"*{name} refers to an anchor &{name} that is not defined above it: a value "
            f"starting with * is an alias; quote it ('*{name}') if you mean the text",
            line_no,
            column,
        )
    if "duplicate anchor" in context:
        first = f" (first at line {cm.line + 1})" if cm else ""
        return (f"anchor defined twice{first}: give each anchor its own name", line_no, column)
    match = re.fullmatch(r"found character '(.+)' that cannot start any token", problem)
    if match:
        return (
            f"a value cannot start with {match[1]!r} unquoted: {_QUOTE_RULE}",
            line_no,
            column,
        )
    return (f"not valid YAML: {_plain(problem or context)}", line_no, column)
