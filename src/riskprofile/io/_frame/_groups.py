"""Vessel calls, bills of lading, containers, seals and goods lines as tables."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl

from riskprofile.io._frame._custom import custom_values
from riskprofile.io._frame._state import _Call, _ReaderState
from riskprofile.io._frame._values import (
    _BILL,
    _CONSISTENCY,
    _DECIMAL,
    _DUMMY_CONTAINER,
    _EQUIPMENT,
    _FLAGS,
    _FOLDED,
    _GOODS,
    _ROLES,
    _SQUEEZED,
    _STRIPPED,
    _UPPER,
    _VOYAGE,
    _WS_INNER,
    PY_WHITESPACE,
    _canonical,
    _canonical_distinct,
    _check_distinct,
    _check_number,
    _Checked,
    _exact,
    _flag,
    _flag_list,
    _folded,
    _is_blank,
    _map_distinct,
    _mask,
    _py_fold,
    _py_squeeze,
    _py_strip,
    _py_upper,
    _unique_names,
)
from riskprofile.io._layout import COLUMN_BY_NAME, DECLARATION_COLUMNS
from riskprofile.io._table import Group, custom_cell, list_parts
from riskprofile.model import LENIENT, QualityFlag
from riskprofile.model.codes import describe_size_type
from riskprofile.model.manifest import (
    KEY_PARTIES,
    MAX_GROSS_MASS_KG,
    MAX_TARE_KG,
    Consignment,
    Container,
    GoodsItem,
    Manifest,
    Party,
    Seal,
)
from riskprofile.model.shipment import CONTAINER_FLAG_RENAME, flag_names


class _GroupTables(_ReaderState):
    """The group tables: vessel calls, bills of lading, containers and goods lines,
    each cell checked by the model once per distinct value."""

    def _group_table(
        self,
        rows: pl.DataFrame,
        key: str,
        names: list[str],
        group: str,
        names_of: Callable[[list[QualityFlag]], list[str]],
    ) -> pl.DataFrame:
        """One row per group (call, bill of lading, container) holding the values the
        reference reader merges for it: the first non-empty value of each column, and the
        flag names of the conflicts (a later row saying otherwise).

        Groups whose rows all carry the same cells (the usual case: a flat file repeats
        them on every row) take their first row's cells; the others are merged exactly as
        the reference reader merges them (by Polars for plain text columns, by the
        reader's own code for the rest).
        """
        columns = [self._column(n) for n in names]
        cells = self._select(columns)
        # A 64-bit signature of the row's cells: a sum (wrapping) of per-column hashes,
        # seeded by position, much cheaper than hashing a struct.
        signature = self._select(
            [pl.sum_horizontal([c.hash(seed=i) for i, c in enumerate(columns)]).alias("_sig")]
        )["_sig"]
        keyed = rows.select("_row", key).with_columns(signature).filter(pl.col(key).is_not_null())
        summary = (
            keyed.group_by(key)
            .agg(
                pl.col("_row").min().alias("_first"),
                (pl.col("_sig").min() != pl.col("_sig").max()).alias("_suspect"),
            )
            .sort("_first")
        )
        firsts = summary["_first"]
        # Each group's first row, in row order (the order of ``summary``): the rows are
        # taken by a mask, not gathered, so that the file's cells may stay in the chunks
        # they were read in (a gather from many chunks costs more than their copy).
        is_first = _mask(rows.height, firsts)
        meta = rows.select(
            *[c for c in ("_call", "_callkey", "_bl", "_number") if c != key]
        ).filter(is_first)
        head = pl.concat([summary.select(key, "_first", "_suspect"), meta], how="horizontal")
        empty = pl.lit([], _FLAGS)
        if not summary["_suspect"].any():
            values = cells.filter(is_first)
            return pl.concat([head, values], how="horizontal").with_columns(
                empty.alias("_conflicts"), pl.lit(False).alias("_conflict")
            )
        suspects = summary.filter(pl.col("_suspect"))[key]
        their_rows = keyed.filter(pl.col(key).is_in(suspects.implode())).sort("_row")
        their_cells = cells.gather(their_rows["_row"])
        # Only the columns whose cells differ within a suspect group need merging: in the
        # others every row of the group says the same, as in a group that is no suspect.
        differ = (
            their_cells.with_columns(their_rows[key])
            .group_by(key)
            .agg(pl.col(n).n_unique() > 1 for n in names)
            .select(pl.col(n).any() for n in names)
            .row(0, named=True)
        )
        varying = [n for n in names if differ[n]]
        # A conflict's flag name depends on its column alone (the reference reader's
        # ``_conflicts`` makes the flag, ``names_of`` (:func:`flag_names`) names it).
        flag_of = {
            n: names_of([QualityFlag(
                field=".".join(COLUMN_BY_NAME[n].path if n in COLUMN_BY_NAME else (n,)),
                code="inconsistent", message="",
            )])[0]
            for n in varying
        }  # fmt: skip
        # The reference reader merges a group's rows in order: a column's first value
        # (not empty) wins, and each later value that differs from it is a conflict,
        # flagged in the order of the records and, within one, of the columns. Plain
        # text cells (the reader only strips them) are merged by Polars; the others
        # (lists, defaults, conversions) by the reader's own code, row by row.
        plain = {c.name for c, _source, simple in self.table.plans[group] if simple}
        lines = self.raw["__line__"].gather(their_rows["_row"])
        stripped = pl.DataFrame([their_rows[key], lines.alias("_line")]).with_columns(
            their_cells[n].str.strip_chars(PY_WHITESPACE).replace("", None)
            for n in varying if n in plain
        )  # fmt: skip
        first_values = stripped.group_by(key).agg(
            pl.col(n).drop_nulls().first().alias(f"_first_{n}") for n in varying if n in plain
        )  # fmt: skip
        with_first = stripped.join(first_values, on=key, how="left")
        found: list[pl.DataFrame] = [
            with_first.filter(
                pl.col(n).is_not_null() & (pl.col(n) != pl.col(f"_first_{n}"))
            ).select(key, "_line", pl.lit(pos, pl.Int64).alias("_pos"),
                     pl.lit(flag_of[n]).alias("_name"))
            for pos, n in enumerate(varying) if n in plain
        ]  # fmt: skip
        others = [n for n in varying if n not in plain]
        schema: dict[str, pl.DataType] = {
            key: their_rows[key].dtype, "_line": pl.Int64(), "_pos": pl.Int64(),
            "_name": pl.String(),
        }  # fmt: skip
        merged: dict[Any, Group] = {}
        if others:
            used = sorted({s for n in others for s in self.table.sources.get(n, ())})
            records = self.raw.select("__line__", *used).gather(their_rows["_row"])
            plan = [(n, COLUMN_BY_NAME.get(n)) for n in others]
            for k, record in zip(their_rows[key].to_list(), records.iter_rows(named=True),
                                 strict=True):  # fmt: skip
                cell = {
                    # A custom field's cell is merged as given (TableReader.add).
                    n: custom_cell(record.get(self.table.sources[n][0])) if column is None
                    else self.table.column_value(column, record)
                    for n, column in plan
                }  # fmt: skip
                merged.setdefault(k, Group()).merge(record["__line__"], cell)
            later = [
                (k, line, varying.index(column), flag_of[column])
                for k, grp in merged.items()
                for line, column, *_rest in grp.conflicts
            ]
            found.append(pl.DataFrame(later, orient="row", schema=schema))
        named = (
            pl.concat([pl.DataFrame(schema=schema), *found])
            .sort("_line", "_pos")
            .group_by(key, maintain_order=True)
            .agg(pl.col("_name").unique(maintain_order=True))
        )
        by_suspect = (
            suspects.to_frame(key)
            .join(first_values, on=key, how="left", maintain_order="left")
            .join(named, on=key, how="left", maintain_order="left")
        )
        conflict_names = by_suspect["_name"].fill_null(pl.lit([], _FLAGS))
        exact: dict[str, pl.Series] = {}
        for n in varying:
            if n in plain:
                exact[n] = by_suspect[f"_first_{n}"]
            else:
                texts = [self._as_text(merged[k].raw.get(n)) for k in suspects.to_list()]
                exact[n] = pl.Series(texts, dtype=pl.String)
        # Each group's values: its first row's cells, or for a suspect its merged values.
        nth = pl.col("_suspect").cast(pl.UInt32).cum_sum() - 1
        at = summary.select(pl.when(pl.col("_suspect")).then(nth).alias("c"))
        values = cells.filter(is_first)
        places = summary["_suspect"].arg_true()
        values = values.with_columns(values[n].scatter(places, exact[n]) for n in varying)
        conflicts = conflict_names.gather(at["c"])
        return pl.concat([head, values], how="horizontal").with_columns(
            conflicts.fill_null(empty).alias("_conflicts"),
            (conflicts.list.len() > 0).fill_null(False).alias("_conflict"),
        )

    # --- groups ------------------------------------------------------------------------

    def _calls(self, rows: pl.DataFrame) -> dict[int, _Call]:
        table = self._group_table(
            rows, "_call", list(_VOYAGE), "voyage", lambda flags: flag_names(flags, "")
        )
        out = {}
        for row in table.iter_rows(named=True):
            values = {n: row[n] for n in _VOYAGE}
            doc = {n: v.strip() for n, v in values.items() if v is not None and v.strip()}
            manifest = Manifest.model_validate(doc, context=LENIENT)
            flags = [f for flag in manifest.quality_flags for f in flag_names([flag], "")]
            broken = any(f.code not in _CONSISTENCY for f in manifest.quality_flags)
            fill = {n: v for n, v in values.items() if v is not None and v.strip()}
            key = tuple(row["_callkey"].split("\x1f"))
            flags = _unique_names(flags + row["_conflicts"])
            out[row["_call"]] = _Call(manifest, flags, row["_conflict"], broken, key, fill)
        return out

    def _bills(self, rows: pl.DataFrame) -> pl.DataFrame:
        rename = {"issue_date": "bl_issue_date", "container_numbers": "container_number"}
        custom = [c.field for c in self.mapping.extra]
        b = self._group_table(
            rows, "_bh", [*_BILL, *custom], "bill_of_lading", lambda f: flag_names(f, "", rename)
        ).rename({"_first": "_bill_row"})
        b = custom_values(b, self.mapping)
        base = {"bl_number": "X"}
        new: dict[str, pl.Series] = {}
        new["v_master_bl_number"] = _canonical(b["master_bl_number"], _SQUEEZED, _py_squeeze)
        for name, field, dtype in (
            ("bl_issue_date", "issue_date", pl.Date),
            ("freight_terms", "freight_terms", pl.String),
            ("place_of_receipt", "place_of_receipt", pl.String),
            ("port_of_loading", "port_of_loading", pl.String),
            ("port_of_discharge", "port_of_discharge", pl.String),
            ("place_of_delivery", "place_of_delivery", pl.String),
            ("pre_carriage_mode", "pre_carriage_mode", pl.String),
            ("on_carriage_mode", "on_carriage_mode", pl.String),
        ):
            checked = _check_distinct(b[name], self._field_check(Consignment, field, base), dtype)
            new[f"v_{name}"] = checked.value
            new[f"s_{name}"] = checked.salvaged
            new[f"t_{name}"] = checked.standard
        # The declaration's own fields: codes and the declarant's name folded as names
        # are, the identifier as declared; the country and the rate checked by the model.
        for name in DECLARATION_COLUMNS:
            if name in ("departure_country", "tax_rate"):
                check = self._field_check(Consignment, name, base)
                checked = (
                    _check_number(b[name], check, pl.Float64)
                    if name == "tax_rate"
                    else _check_distinct(b[name], check, pl.String)
                )
                new[f"v_{name}"] = checked.value
                new[f"s_{name}"] = checked.salvaged
                new[f"t_{name}"] = checked.standard
            elif name == "declarant_identifier":
                new[f"v_{name}"] = _canonical_distinct(b[name], _STRIPPED, _py_strip)
            else:
                new[f"v_{name}"] = _canonical_distinct(b[name], _FOLDED, _py_fold)
        ts_values, ts_flags = self._transshipments(b["transshipment_ports"])
        new["v_ts"], new["_ts_flags"] = ts_values, ts_flags
        for prefix, _role in _ROLES:
            party_fields: tuple[tuple[str, Any], ...] = (
                ("country", pl.String),
                ("aeo", pl.Boolean),
            )
            for field, dtype in party_fields:
                name = f"{prefix}_{field}"
                checked = _check_distinct(b[name], self._field_check(Party, field, {}), dtype)
                new[f"v_{name}"] = checked.value
                new[f"s_{name}"] = checked.salvaged
                new[f"t_{name}"] = checked.standard
            # Name and address as the shipment shows them (folded, upper case), the
            # identifier as declared and upper-cased (how payers are matched).
            new[f"f_{prefix}_name"] = _canonical_distinct(b[f"{prefix}_name"], _FOLDED, _py_fold)
            new[f"f_{prefix}_address"] = _canonical_distinct(
                b[f"{prefix}_address"], _FOLDED, _py_fold
            )
            identifier = _canonical_distinct(b[f"{prefix}_identifier"], _STRIPPED, _py_strip)
            new[f"v_{prefix}_identifier"] = identifier
            new[f"u_{prefix}_identifier"] = _canonical_distinct(identifier, _UPPER, str.upper)
            # A party is there when any of its cells is (an empty one is no party).
            new[f"p_{prefix}"] = (
                pl.DataFrame(
                    [
                        new[f"f_{prefix}_name"].is_not_null(),
                        new[f"f_{prefix}_address"].is_not_null(),
                        identifier.is_not_null(),
                        *[
                            new[f"{k}_{prefix}_{f}"].is_not_null()
                            for f in ("country", "aeo")
                            for k in ("v", "s", "t")
                        ],
                    ]
                )
                .select(pl.any_horizontal(pl.all()))
                .to_series()
            )
        b = b.with_columns(*[s.alias(k) for k, s in new.items()])
        own = [
            # The model's order: values it dropped (by field name), then standards.
            _flag("departure_country", pl.col("s_departure_country")),
            _flag("freight_terms", pl.col("s_freight_terms")),
            _flag("bl_issue_date", pl.col("s_bl_issue_date")),
            _flag("on_carriage_mode", pl.col("s_on_carriage_mode")),
            _flag("pre_carriage_mode", pl.col("s_pre_carriage_mode")),
            _flag("tax_rate", pl.col("s_tax_rate")),
            _flag("place_of_receipt", pl.col("t_place_of_receipt")),
            _flag("port_of_loading", pl.col("t_port_of_loading")),
            pl.col("_ts_flags"),
            _flag("port_of_discharge", pl.col("t_port_of_discharge")),
            _flag("place_of_delivery", pl.col("t_place_of_delivery")),
            _flag("pre_carriage_mode", pl.col("t_pre_carriage_mode")),
            _flag("on_carriage_mode", pl.col("t_on_carriage_mode")),
            _flag("departure_country", pl.col("t_departure_country")),
            _flag("tax_rate", pl.col("t_tax_rate")),
            # Consignment._consistency_flags: a key party without a name.
            *[
                pl.when(pl.col(f"f_{role}_name").is_null()).then(pl.lit(f"{role}_name:missing"))
                for role in KEY_PARTIES
            ],
        ]
        party_flags = []
        for prefix, _role in _ROLES:
            party_flags += [
                _flag(f"{prefix}_aeo", pl.col(f"s_{prefix}_aeo")),
                _flag(f"{prefix}_country", pl.col(f"t_{prefix}_country")),
            ]
        flag_cols = [c for c in b.columns if c[:2] in ("s_", "t_")]
        b = b.with_columns(
            pl.any_horizontal(
                [pl.col(c).is_not_null() for c in flag_cols]
                + [pl.col("_ts_flags").list.len() > 0, pl.col("_conflict")]
                + [pl.col("_custom_flags").list.len() > 0]
                + [pl.col(f"f_{role}_name").is_null() for role in KEY_PARTIES]
            ).alias("_flagged"),
        )
        flagged = b.filter(pl.col("_flagged")).select(
            "_bh",
            _flag_list(own).alias("_own_flags"),
            _flag_list(party_flags).alias("_party_flags"),
        )
        b = b.join(flagged, on="_bh", how="left").with_columns(
            pl.col("_own_flags").fill_null(pl.lit([], _FLAGS)),
            pl.col("_party_flags").fill_null(pl.lit([], _FLAGS)),
        )
        # The route: its places in order, without nulls and without repeats, and the same
        # for their countries (``_fold_repeats`` on the model path); made once for each
        # distinct combination of places.
        b = b.with_columns(pl.col("v_ts").list.join("\x1f").alias("_ts_key"))
        places = ["v_place_of_receipt", "v_port_of_loading", "_ts_key", "v_port_of_discharge",
                  "v_place_of_delivery"]  # fmt: skip
        combos = b.group_by(places).agg(pl.col("v_ts").first())
        route = _folded(
            combos.select(
                pl.concat_list(
                    "v_place_of_receipt", "v_port_of_loading", "v_ts", "v_port_of_discharge",
                    "v_place_of_delivery",
                )
            ).to_series()
        )  # fmt: skip
        countries = _folded(route.list.eval(pl.element().str.slice(0, 2)))
        combos = combos.select(places).with_columns(
            route.alias("route"), countries.alias("route_countries")
        )
        b = b.join(combos, on=places, how="left", nulls_equal=True)
        b = b.with_columns(
            pl.any_horizontal(pl.col(c).is_not_null() for c in flag_cols).alias("_broken")
            | (pl.col("_ts_flags").list.len() > 0)
        )
        # The cells and codes are folded into the values and flags now.
        return b.drop(*_BILL, *flag_cols, "_ts_flags", "_ts_key", "_callkey", "_number",
                      strict=False).rechunk()  # fmt: skip

    def _transshipments(self, raw: pl.Series) -> tuple[pl.Series, pl.Series]:
        """Each distinct cell split, each port checked by the model in one list."""
        sep = self.mapping.list_separator
        base = {"bl_number": "X"}

        def check(cell: str) -> tuple[list[str], list[str]]:
            items = [p.strip() for p in cell.split(sep)]
            items = [p for p in items if p]
            if not items:
                return [], []
            record = Consignment.model_validate(
                {**base, "transshipment_ports": items}, context=LENIENT
            )
            flags = [f"transshipment_ports:{f.code}" for f in record.quality_flags
                     if f.field.startswith("transshipment_ports[")]  # fmt: skip
            return list(record.transshipment_ports), flags

        values = raw.drop_nulls().unique()
        results = [check(v) for v in values.to_list()]
        table = pl.DataFrame(
            {
                "raw": values,
                "ports": pl.Series([r[0] for r in results], dtype=_FLAGS),
                "flags": pl.Series([r[1] for r in results], dtype=_FLAGS),
            }
        )
        frame = pl.DataFrame({"raw": raw}).join(table, on="raw", how="left", maintain_order="left")
        out = frame.select(
            pl.col("ports").fill_null(pl.lit([], _FLAGS)),
            pl.col("flags").fill_null(pl.lit([], _FLAGS)),
        )
        return out["ports"], out["flags"]

    def _boxes(self, rows: pl.DataFrame) -> pl.DataFrame:
        x = self._group_table(
            rows,
            "_xh",
            list(_EQUIPMENT),
            "container",
            lambda f: flag_names(f, "container_", CONTAINER_FLAG_RENAME),
        ).rename({"_first": "_box_row"})
        x = x.with_columns(rows["_tnum"].gather(x["_box_row"]).alias("t_number"))
        base = {"number": _DUMMY_CONTAINER}
        size = _check_distinct(
            x["container_size_type"], self._field_check(Container, "size_type", base), pl.String
        )
        full = _check_distinct(
            x["container_full"], self._field_check(Container, "full", base), pl.Boolean
        )
        new: dict[str, pl.Series] = {
            "v_size": size.value, "t_size": size.standard,
            "v_full": full.value, "s_full": full.salvaged,
        }  # fmt: skip
        for name in ("verified_gross_mass_kg", "tare_kg"):
            checked = _check_number(x[name], self._field_check(Container, name, base), pl.Float64)
            new[f"v_{name}"], new[f"s_{name}"], new[f"t_{name}"] = (
                checked.value, checked.salvaged, checked.standard,
            )  # fmt: skip
        # A set temperature: few distinct values, each read by the model (its range is not
        # a weight's, and a negative one is no problem).
        reefer = _check_distinct(
            x["container_reefer_celsius"],
            self._field_check(Container, "reefer_celsius", base),
            pl.Float64,
        )
        new["v_reefer_celsius"], new["s_reefer_celsius"] = reefer.value, reefer.salvaged
        codes = size.value.drop_nulls().unique()
        described = [describe_size_type(c) for c in codes.to_list()]
        for name, attr, dtype in (("v_type", "group", pl.String),
                                  ("v_length", "length_ft", pl.Float64),
                                  ("v_teu", "teu", pl.Float64)):  # fmt: skip
            mapped = pl.Series([getattr(d, attr) if d else None for d in described], dtype=dtype)
            new[name] = size.value.replace_strict(codes, mapped, default=None, return_dtype=dtype)
        numbers, types, trouble = self._seals(x["seal_numbers"], x["seal_sealers"])
        new["v_seal_numbers"], new["v_sealer_types"], new["_seal_trouble"] = numbers, types, trouble
        present = [
            x.select(~_is_blank(pl.col(n))).to_series()
            for n in ("container_size_type", "container_full", "seal_numbers", "seal_sealers")
        ] + [
            new[f"v_{n}"].is_not_null() | new[f"s_{n}"].is_not_null()
            for n in ("verified_gross_mass_kg", "tare_kg", "reefer_celsius")
        ]
        new["_equipment"] = pl.DataFrame(present).select(pl.any_horizontal(pl.all())).to_series()
        x = x.with_columns(*[s.alias(k) for k, s in new.items()])
        vgm, tare = pl.col("v_verified_gross_mass_kg"), pl.col("v_tare_kg")
        flags = [
            _flag("container_full", pl.col("s_full")),
            _flag("container_reefer_celsius", pl.col("s_reefer_celsius")),
            _flag("tare_kg", pl.col("s_tare_kg")),
            _flag("verified_gross_mass_kg", pl.col("s_verified_gross_mass_kg")),
            _flag("container_number", pl.col("t_number")),
            _flag("container_size_type", pl.col("t_size")),
            _flag("verified_gross_mass_kg", pl.col("t_verified_gross_mass_kg")),
            _flag("tare_kg", pl.col("t_tare_kg")),
            pl.when((vgm >= 0) & (vgm < tare)).then(pl.lit("verified_gross_mass_kg:inconsistent")),
            pl.when(vgm > MAX_GROSS_MASS_KG).then(pl.lit("verified_gross_mass_kg:implausible")),
            pl.when(tare > MAX_TARE_KG).then(pl.lit("tare_kg:implausible")),
            pl.col("_conflicts"),
        ]
        codes_cols = ("s_full", "s_reefer_celsius", "s_tare_kg", "s_verified_gross_mass_kg",
                      "t_number", "t_size", "t_verified_gross_mass_kg", "t_tare_kg")  # fmt: skip
        broken = pl.any_horizontal(pl.col(c).is_not_null() for c in codes_cols)
        consistency = ((vgm >= 0) & (vgm < tare)) | (vgm > MAX_GROSS_MASS_KG) | (tare > MAX_TARE_KG)
        x = x.with_columns(
            broken.alias("_broken"),
            (broken | consistency.fill_null(False) | pl.col("_conflict")).alias("_flagged"),
        )
        flagged = x.filter(pl.col("_flagged")).select("_xh", _flag_list(flags).alias("_box_flags"))
        x = x.join(flagged, on="_xh", how="left").with_columns(
            pl.col("_box_flags").fill_null(pl.lit([], _FLAGS))
        )
        return x.drop(*_EQUIPMENT, *[c for c in codes_cols if c != "t_number"], "_callkey",
                      "_bl", strict=False).rechunk()  # fmt: skip

    def _seals(
        self, numbers_raw: pl.Series, sealers_raw: pl.Series
    ) -> tuple[pl.Series, pl.Series, pl.Series]:
        """Seal numbers, sealer types and whether the seals need the model's repairs."""
        sep = self.mapping.list_separator
        positional = self._positional("seal_numbers")
        sealer_check = self._field_check(Seal, "sealer", {"number": "X"})

        def numbers_of(cell: str) -> list[str | None]:
            return list_parts(cell, sep, positional=positional)

        part = f"[^{re.escape(sep)}{_WS_INNER}]+"
        simple = numbers_raw.str.contains(f"^{part}(?:{re.escape(sep)}{part})*$")
        numbers = numbers_raw.str.split(sep)
        odd = numbers_raw.is_not_null() & ~simple.fill_null(False)
        if odd.any():
            values = numbers_raw.filter(odd).unique()
            mapped = pl.DataFrame(
                {"v": values, "n": pl.Series([numbers_of(v) for v in values], dtype=_FLAGS)}
            )
            frame = pl.DataFrame({"v": numbers_raw, "odd": odd, "split": numbers})
            numbers = (
                frame.join(mapped, on="v", how="left", maintain_order="left")
                .select(pl.when(pl.col("odd")).then(pl.col("n")).otherwise(pl.col("split")))
                .to_series()
            )
        numbers = numbers.to_frame("n").select(pl.col("n").fill_null(pl.lit([], _FLAGS)))["n"]
        count = numbers.list.len()
        missing_number = numbers.list.eval(pl.element().is_null()).list.any()
        # Sealers: few distinct cells; the types depend on them and the number of seals.
        positional_sealers = self._positional("seal_sealers")
        combos = pl.DataFrame({"s": sealers_raw, "n": count}).unique()
        types, bad = [], []
        for cell, n in combos.iter_rows():
            kinds = list_parts(cell, sep, positional=positional_sealers) if cell is not None else []
            verdicts = [sealer_check(k) if k is not None else (None, None, None) for k in kinds]
            bad.append(len(kinds) > n or any(v[1] or v[2] for v in verdicts))
            padded = [v[0] for v in verdicts] + [None] * max(0, n - len(kinds))
            types.append(sorted({k or "unknown" for k in padded}) if n else [])
        combos = combos.with_columns(
            pl.Series("types", types, dtype=_FLAGS), pl.Series("bad", bad, dtype=pl.Boolean)
        )
        joined = pl.DataFrame({"s": sealers_raw, "n": count}).join(
            combos, on=["s", "n"], how="left", nulls_equal=True, maintain_order="left"
        )
        trouble = (joined["bad"] | missing_number.fill_null(False)).fill_null(False)
        return numbers, joined["types"], trouble

    def _goods(self, rows: pl.DataFrame) -> pl.DataFrame:
        keep = rows.select("_row", pl.col("_tnum").alias("t_number"), "_has_goods", "_lone")
        data = self._select([self._column(n) for n in _GOODS])
        g = pl.concat([keep, data], how="horizontal").filter(
            pl.col("_has_goods") & ~pl.col("_lone")
        )
        checks: dict[str, _Checked] = {}
        for name in ("hs_code", "currency", "origin_country", "un_number", "imdg_class"):
            checks[name] = _check_distinct(
                g[name], self._field_check(GoodsItem, name, {}), pl.String
            )
        for name in ("gross_weight_kg", "net_weight_kg"):
            checks[name] = _check_number(
                g[name], self._field_check(GoodsItem, name, {}), pl.Float64
            )
        checks["packages"] = _check_number(
            g["packages"], _exact(self._field_check(GoodsItem, "packages", {})), pl.Int64
        )
        checks["value"] = _check_number(
            g["value"], _exact(self._field_check(GoodsItem, "value", {})), _DECIMAL
        )
        g = g.select(
            "_row", "t_number",
            pl.col("value").is_not_null().alias("_value_given"),
            pl.col("packages").is_not_null().alias("_packages_given"),
            *[c.value.alias(f"v_{k}") for k, c in checks.items()],
            *[c.salvaged.alias(f"s_{k}") for k, c in checks.items()],
            *[c.standard.alias(f"t_{k}") for k, c in checks.items()],
            _canonical_distinct(g["description"], _FOLDED, _py_fold).alias("v_description"),
            _map_distinct(g["package_type"], _py_upper, pl.String).alias("v_package_type"),
        )  # fmt: skip
        gross, net = pl.col("v_gross_weight_kg"), pl.col("v_net_weight_kg")
        flags = [
            _flag("goods_gross_weight_kg", pl.col("s_gross_weight_kg")),
            _flag("goods_imdg_class", pl.col("s_imdg_class")),
            _flag("goods_net_weight_kg", pl.col("s_net_weight_kg")),
            _flag("goods_packages", pl.col("s_packages")),
            _flag("goods_un_number", pl.col("s_un_number")),
            _flag("goods_value", pl.col("s_value")),
            _flag("goods_hs_code", pl.col("t_hs_code")),
            _flag("goods_gross_weight_kg", pl.col("t_gross_weight_kg")),
            _flag("goods_net_weight_kg", pl.col("t_net_weight_kg")),
            _flag("goods_value", pl.col("t_value")),
            _flag("goods_currency", pl.col("t_currency")),
            _flag("goods_origin_country", pl.col("t_origin_country")),
            _flag("goods_un_number", pl.col("t_un_number")),
            _flag("goods_imdg_class", pl.col("t_imdg_class")),
            # A flat file's goods line names its row's container (the B/L itself does not
            # check the numbers it is given afterwards).
            _flag("container_number", pl.col("t_number")),
            pl.when(net > gross).then(pl.lit("goods_net_weight_kg:inconsistent")),
        ]
        broken = pl.any_horizontal(
            [pl.col(f"{p}_{k}").is_not_null() for k in checks for p in ("s", "t")]
            + [pl.col("t_number").is_not_null()]
        )
        # An amount the frame cannot hold exactly goes to the model path (which refuses it
        # the same way the reference does).
        odd = (
            pl.col("_value_given") & pl.col("v_value").is_null() & pl.col("s_value").is_null()
        ) | (
            pl.col("_packages_given")
            & pl.col("v_packages").is_null()
            & pl.col("s_packages").is_null()
        )
        g = g.with_columns(
            broken.alias("_broken"),
            (broken | (net > gross).fill_null(False)).alias("_flagged"),
            odd.alias("_odd"),
        )
        flagged = g.filter(pl.col("_flagged")).select(
            "_row", _flag_list(flags).alias("_goods_flags")
        )
        g = g.join(flagged, on="_row", how="left").with_columns(
            pl.col("_goods_flags").fill_null(pl.lit([], _FLAGS))
        )
        return g.drop([c for c in g.columns if c[:2] in ("s_", "t_") and c != "t_number"])

    # --- routing -----------------------------------------------------------------------
