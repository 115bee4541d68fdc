"""A griffe extension for the API reference (``mkdocs.yml``): our docstrings are written
for ``help()`` and doctest, in Google style with Sphinx roles; this turns them into the
Markdown mkdocstrings renders.

- ``:func:`~riskprofile.score``` and the other roles become inline code (``score``);
- a paragraph of ``>>>`` lines (a doctest) becomes a fenced Python block, so that its
  output lines are not read as Markdown (``['KZ-AKT']`` is not a link).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|data|meth|attr|mod|exc|obj|const|py:\w+):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    target = match.group(2)
    shown = target.rsplit(".", 1)[-1] if match.group(1) else target
    return f"`{shown}`"


def _fence_doctests(text: str) -> str:
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>") and (i == 0 or not lines[i - 1].strip()):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += [f"{indent}```python", *block, f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class Docstrings(griffe.Extension):
    """Rewrites every docstring once it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _fence_doctests(_ROLE.sub(_role, obj.docstring.value))
