"""The parsed-profile cache: a hit gives exactly the document the parser gives, and an
entry that is stale, corrupt, tampered with, or in a folder others may write is never
trusted (the file is parsed again); profile errors are located alike with the cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.errors import ProfileSetError
from riskprofile.profiles import _parse_cache as cache
from riskprofile.profiles import bundled_profiles_path, load_all_profiles, load_profiles
from riskprofile.profiles._yaml import YamlDocument, parse
from tests.depth import depth

TEXTS = [
    "a: 1\nb: [1.5, -0.0, .inf, -.inf, .nan, 0701, 07, 1_000]\nc: {d: null, e: ~, f: yes}\n",
    'when: |\n  port_of_loading == "PKKHI"\n    and weight > 10\nnote: >\n  folded\n  text\n',
    "d: 2026-01-31\nt: 2026-01-31T10:20:30.123456Z\nu: 2026-01-31 10:20:30+05:30\n"
    "v: 2026-01-31T10:20:30\nw: 2026-02-30\nx: 2026-01-31T10:20:30-03:00\n",
    "q: 'it''s'\nr: \"a\\tb\\u00e9\"\ns: \"two\n  lines\"\nt: plain\n  continued\n",
    "- 1\n- [a, {b: c}]\n- 'x'\n",
    "1: one\nno: two\n2026-01-01: three\n07: four\n",
    "k: &a [1, 2]\nl: *a\n",
    "just text\n",
    "",
    "# only a comment\n",
]


def same(a: Any, b: Any) -> bool:
    """Equal, of the same types all the way down (True is not 1, a date is not a
    datetime), NaN equal to NaN, and time zones of the same offset."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and str(a) == str(b))
    if isinstance(a, dt.datetime):
        return a == b and a.isoformat() == b.isoformat() and a.utcoffset() == b.utcoffset()
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def same_doc(a: YamlDocument, b: YamlDocument) -> bool:
    return (
        same(a.data, b.data)
        and a.keys == b.keys
        and a.values == b.values
        and a.scalars == b.scalars
        and a.raw == b.raw
        and list(a.keys) == list(b.keys)
    )


def round_trip(doc: YamlDocument) -> YamlDocument:
    return cache._decode(json.loads(json.dumps(cache._encode(doc))))


@pytest.mark.parametrize("text", TEXTS)
def test_a_document_comes_back_exactly_as_parsed(text: str) -> None:
    doc = parse(text)
    assert same_doc(round_trip(doc), doc)


def test_every_bundled_file_comes_back_exactly_as_parsed() -> None:
    files = sorted(bundled_profiles_path().rglob("*.yaml"))
    assert files
    for path in files:
        doc = parse(path.read_text(encoding="utf-8"))
        assert same_doc(round_trip(doc), doc), path


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(-dt.timedelta(hours=3.5))])),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=depth(60))
@given(VALUES, st.sampled_from([None, '"', "'", "|"]), st.integers(0, 80))
def test_any_document_comes_back_exactly_as_parsed(
    value: Any, style: str | None, width: int
) -> None:
    text = yaml.safe_dump({"v": value}, default_style=style, width=width + 20, allow_unicode=True)
    doc = parse(text)
    assert same_doc(round_trip(doc), doc)


def _damaged(change: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = json.loads(json.dumps(cache._encode(parse(TEXTS[1]))))
    change(encoded)
    return encoded


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.pop("raw"),
        lambda e: e.update(extra=[]),
        lambda e: e.update(paths={}),
        lambda e: e["paths"].append("when"),  # a path that is no list
        lambda e: e["paths"][0].append(1.5),
        lambda e: e["paths"][0].append(True),
        lambda e: e["keys"].append(0),  # not three numbers per row
        lambda e: e["keys"].__setitem__(0, len(e["paths"])),  # no such path
        lambda e: e["keys"].__setitem__(0, -1),  # counted from the end in Python
        lambda e: e["values"].__setitem__(1, "2"),
        lambda e: e["values"].__setitem__(2, True),
        lambda e: e.update(values={"0": 1}),
        lambda e: e["scalars"].__setitem__(1, 0),  # a scalar of no segment
        lambda e: e["scalars"].__setitem__(1, 99),  # more segments than written
        lambda e: e["scalars"].append(0),  # a path without a count
        lambda e: e["scalars"].__setitem__(0, len(e["paths"])),
        lambda e: e["scalars"].__setitem__(2, 1.0),
        lambda e: e.update(raw=[[0, "x", 1]]),
        lambda e: e.update(raw=[[len(e["paths"]), "x"]]),
        lambda e: e.update(raw=[[0, 1]]),
        lambda e: e.update(raw={}),
    ],
)
def test_the_decoder_refuses_every_shape_it_does_not_write(change: Any) -> None:
    # An entry with a sound MAC is still only what this module writes: anything else
    # is refused as corrupt (never an IndexError, never a document built from it).
    assert cache._decode(_damaged(lambda e: None)).scalars  # the undamaged one reads
    with pytest.raises(cache._CorruptEntryError):
        cache._decode(_damaged(change))


def test_each_path_is_written_once() -> None:
    doc = parse(TEXTS[1])
    encoded = cache._encode(doc)
    assert len(encoded["paths"]) == len(set(doc.keys) | set(doc.values) | set(doc.scalars))
    assert all(type(n) is int for n in encoded["keys"] + encoded["values"])


# --- the cache folder ------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(root))
    monkeypatch.delenv(cache.NO_CACHE_VARIABLE, raising=False)
    return root / cache._SUBFOLDER


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the YAML parser parsed (not read from the cache)."""
    seen: list[str] = []

    def counting(text: str, **kwargs: Any) -> YamlDocument:
        seen.append(text)
        return parse(text, **kwargs)

    monkeypatch.setattr(cache, "parse", counting)
    return seen


PROFILE = """\
id: t.cache
version: 1
title: Test profile
category: narcotics
owner: PCU Karachi
lists:
  ports: {values: [PKKHI, AEJEA]}
indicators:
  - id: probe
    title: Probe
    when: >
      port_of_loading in $ports
      and goods_gross_weight_kg > 1000
    weight: 10
"""


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_parsed_once_is_read_from_the_cache(
    folder: Path, parsed: list[str], tmp_path: Path
) -> None:
    profile = write(tmp_path / "p" / "a.yaml", PROFILE)
    first = load_profiles(profile)
    assert parsed == [PROFILE]
    assert len(entries(folder)) == 1
    second = load_profiles(profile)
    assert parsed == [PROFILE]  # not parsed again
    assert second.fingerprints == first.fingerprints
    assert second["t.cache"].positions == first["t.cache"].positions


def test_the_bundled_library_loads_the_same_from_the_cache(folder: Path, parsed: list[str]) -> None:
    fresh = load_all_profiles(bundled=True)
    assert parsed
    count = len(parsed)
    cached = load_all_profiles(bundled=True)
    assert len(parsed) == count
    assert [p.id for p in cached] == [p.id for p in fresh]
    for a, b in zip(fresh, cached, strict=True):
        assert a.fingerprint == b.fingerprint
        assert a.profile == b.profile
        assert a.positions == b.positions
        assert {n: w.entries for n, w in a.watch_lists.items()} == {
            n: w.entries for n, w in b.watch_lists.items()
        }


def test_a_changed_file_is_parsed_again(folder: Path, parsed: list[str], tmp_path: Path) -> None:
    profile = write(tmp_path / "a.yaml", PROFILE)
    load_profiles(profile)
    changed = PROFILE.replace("weight: 10", "weight: 20")
    profile.write_text(changed, encoding="utf-8")
    assert load_profiles(profile)["t.cache"].profile.indicators[0].weight == 20
    assert parsed == [PROFILE, changed]


def test_another_parser_never_reads_the_entries_of_this_one(
    folder: Path, parsed: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = write(tmp_path / "a.yaml", PROFILE)
    load_profiles(profile)
    monkeypatch.setattr(cache, "_SALT", "another parser version")
    load_profiles(profile)
    assert parsed == [PROFILE, PROFILE]
    assert len(entries(folder)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short (a crash while writing, a full disk)
        lambda raw: b"",
        lambda raw: b"\x00\xff garbage",
        lambda raw: raw.replace(b"\n", b" ", 1),  # no header line
        lambda raw: raw + b"]",
    ],
)
def test_a_corrupt_entry_is_ignored_and_written_again(
    folder: Path, parsed: list[str], tmp_path: Path, damage: Any
) -> None:
    profile = write(tmp_path / "a.yaml", PROFILE)
    expected = load_profiles(profile).fingerprints
    (entry,) = entries(folder)
    entry.write_bytes(damage(entry.read_bytes()))
    assert load_profiles(profile).fingerprints == expected
    assert parsed == [PROFILE, PROFILE]
    assert load_profiles(profile).fingerprints == expected
    assert parsed == [PROFILE, PROFILE]  # the entry was written again, and is sound


def _edit_body(entry: Path, old: bytes, new: bytes, *, fix_digest: bool) -> None:
    head, _, body = entry.read_bytes().partition(b"\n")
    assert old in body
    body = body.replace(old, new)
    header = json.loads(head)
    if fix_digest:  # what someone without the folder's key could do
        header["mac"] = hashlib.sha256(header["text"].encode() + b"\0" + body).hexdigest()
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize("fix_digest", [False, True])
def test_an_edited_entry_is_not_trusted(
    folder: Path, parsed: list[str], tmp_path: Path, fix_digest: bool
) -> None:
    profile = write(tmp_path / "a.yaml", PROFILE)
    load_profiles(profile)
    (entry,) = entries(folder)
    # The weight the file says is 10; the entry would make it 1000.
    _edit_body(entry, b'["i",10]', b'["i",1000]', fix_digest=fix_digest)
    assert load_profiles(profile)["t.cache"].profile.indicators[0].weight == 10
    assert parsed == [PROFILE, PROFILE]


def test_an_entry_of_another_text_is_not_trusted(
    folder: Path, parsed: list[str], tmp_path: Path
) -> None:
    """A sound entry (right key) moved onto another file's name: its text differs."""
    a = write(tmp_path / "a" / "p.yaml", PROFILE)
    other = PROFILE.replace("weight: 10", "weight: 999")
    b = write(tmp_path / "b" / "p.yaml", other)
    load_profiles(a)
    (entry_a,) = entries(folder)
    load_profiles(b)
    (entry_b,) = [e for e in entries(folder) if e != entry_a]
    shutil.copyfile(entry_b, entry_a)
    assert load_profiles(a)["t.cache"].profile.indicators[0].weight == 10
    assert parsed == [PROFILE, other, PROFILE]


def test_an_entry_written_under_another_key_is_not_trusted(
    folder: Path, parsed: list[str], tmp_path: Path
) -> None:
    profile = write(tmp_path / "a.yaml", PROFILE)
    load_profiles(profile)
    key = folder / "key"
    key.chmod(0o600)
    key.write_bytes(os.urandom(32))
    load_profiles(profile)
    assert parsed == [PROFILE, PROFILE]


def test_the_cache_can_be_turned_off(
    folder: Path, parsed: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.NO_CACHE_VARIABLE, "1")
    profile = write(tmp_path / "a.yaml", PROFILE)
    load_profiles(profile)
    load_profiles(profile)
    assert parsed == [PROFILE, PROFILE]
    assert not folder.parent.exists()
    assert cache.cache_dir() is None


def test_the_folder_follows_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_VARIABLE, raising=False)
    monkeypatch.delenv(cache.NO_CACHE_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "riskprofile"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/used")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "riskprofile"
    # No home to be found ("~" comes back): no cache, never one in the current folder.
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: Path("~")))
    assert cache.cache_dir() is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("what", ["folder", "key"])
def test_a_folder_or_key_others_may_write_is_not_used(
    folder: Path, parsed: list[str], tmp_path: Path, what: str
) -> None:
    profile = write(tmp_path / "a.yaml", PROFILE)
    load_profiles(profile)
    target = folder if what == "folder" else folder / "key"
    target.chmod(target.stat().st_mode | stat.S_IWOTH)
    before = {e: e.stat().st_mtime_ns for e in entries(folder)}
    load_profiles(profile)
    load_profiles(profile)
    assert parsed == [PROFILE] * 3
    assert {e: e.stat().st_mtime_ns for e in entries(folder)} == before  # nothing written


def test_an_unwritable_folder_only_means_parsing(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = write(tmp_path / "not-a-folder", "x")
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(blocker))
    monkeypatch.delenv(cache.NO_CACHE_VARIABLE, raising=False)
    profile = write(tmp_path / "a.yaml", PROFILE)
    assert load_profiles(profile)["t.cache"].profile.indicators[0].weight == 10
    assert load_profiles(profile)["t.cache"].profile.indicators[0].weight == 10
    assert parsed == [PROFILE, PROFILE]


BROKEN = {
    # A schema error at a key, a compile error inside a folded block (located through the
    # scalar's segments), an unknown list in a single-quoted text.
    "schema.yaml": PROFILE.replace("weight: 10", "weight: ten").replace("t.cache", "t.schema"),
    "compile.yaml": PROFILE.replace("goods_gross_weight_kg", "goods_gross_wieght_kg").replace(
        "t.cache", "t.compile"
    ),
    "lists.yaml": PROFILE.replace(
        "when: >\n      port_of_loading in $ports\n      and goods_gross_weight_kg > 1000",
        "when: 'port_of_loading in $prots'",
    ).replace("t.cache", "t.lists"),
}


def test_profile_errors_are_located_alike_from_the_cache(
    folder: Path, parsed: list[str], tmp_path: Path
) -> None:
    for name, text in BROKEN.items():
        write(tmp_path / "p" / name, text)

    def problems() -> list[tuple[Any, ...]]:
        with pytest.raises(ProfileSetError) as info:
            load_profiles(tmp_path / "p")
        return [
            (e.path, e.line, e.column, e.code, e.message, e.suggestion) for e in info.value.errors
        ]

    fresh = problems()
    assert len(parsed) == 3
    assert {code for *_, code, _m, _s in fresh} == {"schema", "unknown_field", "unknown_list"}
    cached = problems()
    assert len(parsed) == 3  # every file came from the cache
    assert cached == fresh


def test_a_file_that_does_not_parse_is_never_cached(
    folder: Path, parsed: list[str], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.yaml", "id: t.bad\nversion: [1\n")
    for _ in range(2):
        with pytest.raises(ProfileSetError) as info:
            load_profiles(bad)
        assert info.value.errors[0].code == "yaml"
    assert len(parsed) == 2
    assert entries(folder) == []


def test_the_oldest_entries_go_past_the_limit(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_MAX_ENTRIES", 4)
    for weight in range(6):
        cache.parse_cached(f"w: {weight}\n")
    assert 2 <= len(entries(folder)) <= 4
    assert cache.parse_cached("w: 5\n").data == {"w": 5}
