"""What the SQL translator works with: :class:`_Q` (a translated sub-expression: its
kind, SQL expression, error and undecided masks, or a constant), the reason a condition
cannot be translated (:class:`Untranslatable`) and small helpers on SQL Booleans.

Every mask here (``error``, ``undecided``, a truth value) is a SQL Boolean that is
never NULL: SQL's three-valued logic is not rule-engine's, so a NULL is turned into
TRUE or FALSE where it arises (``COALESCE``), never left to ``AND``/``OR``/``NOT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlglot import exp

from riskprofile.engines._translating import KIND_OF_TYPE
from riskprofile.engines._translating import Untranslatable as Untranslatable
from riskprofile.model.shipment import field_catalogue

_NO = object()

TRUE: exp.Expression = exp.true()
FALSE: exp.Expression = exp.false()


@cache
def field_kinds() -> dict[str, tuple[str, str | None, bool]]:
    """Each field's kind, number flavor and whether it may be null."""
    return {spec.name: (*KIND_OF_TYPE[spec.type], spec.nullable) for spec in field_catalogue()}


# A custom field's rule-engine type (riskprofile.profiles.custom_field_types) -> its
# catalogue type: the type its frame column has (riskprofile.model._extra).
_CUSTOM_TYPES = {"STRING": "string", "FLOAT": "float", "DATETIME": "date", "BOOLEAN": "boolean",
                 "ARRAY": "list[string]"}  # fmt: skip


def custom_field_type(result_type: Any) -> str | None:
    """The catalogue type of a custom field (``x_<name>``) whose rule-engine type is
    ``result_type`` (text: ``string``, number: ``float``, date: ``date``, bool:
    ``boolean``, list: ``list[string]``), or None."""
    return _CUSTOM_TYPES.get(getattr(result_type, "name", ""))


def nn(e: exp.Expression) -> exp.Expression:
    """``e`` with NULL read as FALSE."""
    if _never_null(e):
        return e
    return exp.Coalesce(this=e, expressions=[FALSE])


def _never_null(e: exp.Expression) -> bool:
    """Whether the Boolean ``e`` is known never to be NULL (built here from such parts)."""
    if isinstance(e, exp.Paren):
        return _never_null(e.this)
    if isinstance(e, exp.Boolean | exp.Exists | exp.Is):
        return True
    if isinstance(e, exp.Coalesce):
        return is_false(e.expressions[-1])
    if isinstance(e, exp.Not):
        return _never_null(e.this)
    if isinstance(e, exp.And | exp.Or):
        return _never_null(e.this) and _never_null(e.expression)
    return False


def is_false(e: exp.Expression | None) -> bool:
    return e is None or (isinstance(e, exp.Boolean) and not e.this)


def is_true(e: exp.Expression | None) -> bool:
    return isinstance(e, exp.Boolean) and bool(e.this)


def any_(*es: exp.Expression | None) -> exp.Expression | None:
    """``a OR b OR ...`` of never-NULL masks, where None means FALSE."""
    present: list[exp.Expression] = []
    for e in es:
        if is_false(e):
            continue
        assert e is not None
        if is_true(e):
            return TRUE
        if not any(e == p for p in present):
            present.append(e)
    if not present:
        return None
    out = present[0]
    for e in present[1:]:
        out = exp.Or(this=_p(out), expression=_p(e))
    return out


def both(a: exp.Expression | None, b: exp.Expression | None) -> exp.Expression | None:
    """``a AND b`` of never-NULL masks, where None means FALSE."""
    if is_false(a) or is_false(b):
        return None
    assert a is not None
    assert b is not None
    if is_true(a):
        return b
    if is_true(b):
        return a
    return exp.And(this=_p(a), expression=_p(b))


def and_(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """``a AND b`` of never-NULL Booleans."""
    return both(a, b) or FALSE


def or_(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """``a OR b`` of never-NULL Booleans."""
    return any_(a, b) or FALSE


def not_(e: exp.Expression) -> exp.Expression:
    """``NOT e`` of a never-NULL Boolean."""
    if isinstance(e, exp.Boolean):
        return exp.Boolean(this=not e.this)
    if isinstance(e, exp.Not):
        inner: exp.Expression = e.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        return inner
    return exp.Not(this=_p(e))


def _p(e: exp.Expression) -> exp.Expression:
    if isinstance(e, exp.Column | exp.Boolean | exp.Paren | exp.Anonymous | exp.Coalesce):
        return e
    return exp.Paren(this=e)


def when(
    condition: exp.Expression, then: exp.Expression, otherwise: exp.Expression
) -> exp.Expression:
    """``CASE WHEN condition THEN then ELSE otherwise END`` (``condition`` never NULL)."""
    if is_true(condition):
        return then
    if is_false(condition):
        return otherwise
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=otherwise)


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=_p(e), expression=exp.Null())


def boolean(value: bool) -> exp.Expression:
    return TRUE if value else FALSE


@dataclass(frozen=True)
class _Q:
    """A translated sub-expression.

    ``kind`` is what rule-engine sees: bool, num, str, dt, list (a list field), listish
    (a comprehension's count), null, const (a constant collection or other constant),
    method (``starts_with``/``ends_with`` awaiting its call). ``expr`` is the SQL value
    (NULL where rule-engine's value is None); ``const`` a constant's value;
    ``error``/``undecided`` never-NULL masks (None: never). Numbers have a ``flavor``:
    int (BIGINT), float (DOUBLE, meaning ``Decimal(repr(x))``), dec (DECIMAL(38, 18)).
    ``ctx`` is "row" for fields, "elem" for a list element inside a comprehension.
    """

    kind: str
    expr: exp.Expression | None = None
    const: Any = _NO
    error: exp.Expression | None = None
    undecided: exp.Expression | None = None
    flavor: str | None = None
    unique: bool = False
    ctx: str | None = None
    method: tuple[str, bool] | None = None
    nullable: bool = True
    nonzero: exp.Expression | None = None

    @property
    def is_const(self) -> bool:
        return self.const is not _NO

    def null(self) -> exp.Expression:
        """Where the value is None (never NULL)."""
        found = self.null_or_none()
        return FALSE if found is None else found

    def null_or_none(self) -> exp.Expression | None:
        """Where the value is None, or None when it never is."""
        if self.is_const:
            return TRUE if self.const is None else None
        if not self.nullable or self.kind in ("list", "listish"):
            return None
        assert self.expr is not None
        return is_null(self.expr)


def ctx_of(*contexts: str | None) -> str | None:
    found = {c for c in contexts if c is not None}
    if len(found) > 1:
        raise Untranslatable(
            "a comprehension over a list field whose condition also reads other fields"
        )
    return found.pop() if found else None
