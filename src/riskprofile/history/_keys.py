"""Which trader a party is: the key a history store counts a party's shipments under.

A party with an identifier (NTN, EORI, BIN, tax ID) is that identifier, letters and
digits only, upper case; one without is its name (upper case, blanks folded, as the
shipment holds it) and country. A party with neither has no key, and its history fields
are null: nothing can be said about a party nobody named.
"""

from __future__ import annotations

import polars as pl

__all__ = ["PARTY_ROLES", "trader_key"]

PARTY_ROLES = ("shipper", "consignee", "notify")
"""The parties of a shipment a history store keeps, by their field prefix."""


def trader_key(role: str) -> pl.Expr:
    """The trader key of the ``role`` party (``shipper``, ``consignee``, ``notify``) of
    each row of a shipment frame: ``id:<IDENTIFIER>``, else ``name:<NAME>|<COUNTRY>``,
    else null.

    >>> frame = pl.DataFrame({"consignee_identifier": ["pk-123 45", None, None],
    ...                       "consignee_name": ["A", "KHAN LOGISTICS", None],
    ...                       "consignee_country": ["PK", "PK", None]})
    >>> frame.select(trader_key("consignee"))["consignee_key"].to_list()
    ['id:PK12345', 'name:KHAN LOGISTICS|PK', None]
    """
    identifier = pl.col(f"{role}_identifier").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
    name = pl.col(f"{role}_name")
    by_name = pl.concat_str(
        pl.lit("name:"), name, pl.lit("|"), pl.col(f"{role}_country").fill_null("")
    )
    return (
        pl.when(identifier.str.len_chars() > 0)
        .then(pl.lit("id:") + identifier)
        .when(name.is_not_null())
        .then(by_name)
        .otherwise(None)
        .alias(f"{role}_key")
    )
