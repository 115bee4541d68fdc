"""Workers: a process forked after Polars ran refuses Polars work instead of hanging (and
``engine="auto"`` scores row-wise there); a profile set pickles for a ``spawn`` worker by
loading again from its files. Each process test runs in a subprocess, bounded in time."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import riskprofile as rp
from riskprofile.errors import NotPicklableError, ProfileError, UnsafeForkError
from riskprofile.profiles import ProfileSet, bundled_profiles_path, load_profiles

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"


def _run(script: str, timeout: float = 180) -> dict[str, object]:
    """Run ``script`` in a fresh interpreter (this checkout's library); its last line of
    output is JSON."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "script.py")  # a file: spawn's workers import its functions
        path.write_text(textwrap.dedent(script), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(path)],
            capture_output=True, text=True, timeout=timeout, cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin",
                 "RISKPROFILE_NO_CACHE": "1"},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_fork_after_polars_refuses_columnar_and_scores_auto_row_wise() -> None:
    # Before: the child's first Polars computation waited forever (0 of 4 done in 60 s).
    result = _run(f"""
        import json, multiprocessing, warnings
        import riskprofile as rp
        from riskprofile.io import read_frame

        profiles = rp.load_profiles(bundled=True)
        batch = rp.read_batch({str(SAMPLE)!r})
        parent = rp.score(batch, profiles, as_of="2026-11-02", engine="columnar")

        def child(_):
            out = {{}}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                run = rp.score(batch, profiles, as_of="2026-11-02")  # auto: 361 shipments
                out["auto"] = [(c.key, str(c.score), c.lane) for c in run.containers]
                out["warned"] = [str(w.message)[:60] for w in caught]
                rp.score({str(SAMPLE)!r}, profiles, as_of="2026-11-02")  # a path: read_batch
            for name, call in [
                ("columnar", lambda: rp.score(batch, profiles, as_of="2026-11-02",
                                              engine="columnar")),
                ("read_frame", lambda: read_frame({str(SAMPLE)!r})),
            ]:
                try:
                    call()
                    out[name] = "ran"
                except rp.RiskProfileError as exc:
                    out[name] = type(exc).__name__
            return out

        with multiprocessing.get_context("fork").Pool(1) as pool:
            [out] = pool.map_async(child, [0]).get(timeout=120)
        expected = [(c.key, str(c.score), c.lane) for c in parent.containers]
        print(json.dumps({{**out, "same": out.pop("auto") == expected}}))
    """)
    assert result["same"] is True
    assert result["columnar"] == result["read_frame"] == "UnsafeForkError"
    assert any("forked after Polars ran" in str(w) for w in result["warned"])  # type: ignore[attr-defined]


def test_a_spawn_worker_gets_a_pickled_profile_set() -> None:
    result = _run(f"""
        import json, multiprocessing
        import riskprofile as rp

        def work(profiles):
            batch = rp.read_batch({str(SAMPLE)!r})
            run = rp.score(batch, profiles, as_of="2026-11-02", engine="columnar")
            return profiles.fingerprints, [(c.key, str(c.score)) for c in run.containers]

        if __name__ == "__main__":
            profiles = rp.load_profiles(bundled=True, country="PK")
            rp.score({str(SAMPLE)!r}, profiles, as_of="2026-11-02")  # Polars ran here
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                fingerprints, ranked = pool.apply_async(work, (profiles,)).get(timeout=150)
            run = rp.score(rp.read_batch({str(SAMPLE)!r}), profiles, as_of="2026-11-02")
            print(json.dumps({{"fingerprints": fingerprints == profiles.fingerprints,
                               "ranked": ranked == [(c.key, str(c.score))
                                                    for c in run.containers]}}))
    """)
    assert result == {"fingerprints": True, "ranked": True}


def test_a_profile_set_pickles_as_its_files_and_fingerprints(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    shutil.copytree(bundled_profiles_path(), folder)
    profiles = load_profiles(folder, country="PK")
    back = pickle.loads(pickle.dumps(profiles))
    assert back.fingerprints == profiles.fingerprints
    assert back.country == "PK"
    data = pickle.dumps(profiles)
    target = folder / "base" / "documentary.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("weight: 30", "weight: 31", 1),
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(ProfileError, match="changed on disk since the set was pickled"):
        pickle.loads(data)


def test_a_compiled_profile_alone_is_refused_clearly() -> None:
    profiles = load_profiles(bundled=True)
    with pytest.raises(NotPicklableError, match="pickle its ProfileSet"):
        pickle.dumps(profiles.profiles[0])
    with pytest.raises(NotPicklableError, match="made by hand"):
        pickle.dumps(ProfileSet(profiles.profiles))
    assert issubclass(UnsafeForkError, rp.RiskProfileError)
