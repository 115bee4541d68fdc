"""Four eyes on profile and watch-list changes: proposed by one user, in effect only on
a different supervisor's approval, checked before and at approval, swapped in whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.serve.web import User
from riskprofile.serve.web._changes import ChangeError, decide, propose
from riskprofile.serve.web._shell import WebContext
from tests.depth import depth
from tests.serve.web.conftest import Workbench, csrf_of, make_workbench

PROFILE = """\
id: demo.watch
version: 1
title: Watched consignees
category: other
owner: tests
lists:
  watched:
    description: Consignees named in seizures
    file: watched.csv
indicators:
  - id: watched-consignee
    title: Consignee on the watch list
    when: consignee_name in $watched
    weight: 50
bands:
  - {min_score: 50, lane: red}
"""
LIST = "value,description\nZETA TRADING LLC,seizure 2025-11\n"
ANA, OTTO = User("ana", "analyst"), User("otto", "officer")
SUE, SAM = User("sue", "supervisor"), User("sam", "supervisor")


def _folder(tmp: Path) -> Path:
    folder = tmp / "pcu-profiles"
    folder.mkdir()
    (folder / "watch.yaml").write_text(PROFILE, encoding="utf-8")
    (folder / "watched.csv").write_text(LIST, encoding="utf-8")
    return folder


@pytest.fixture
def bench(tmp_path: Path) -> Workbench:
    return make_workbench(tmp_path, profiles=(str(_folder(tmp_path)),), reload_seconds=-1)


def _web(bench: Workbench) -> WebContext:
    context: WebContext = bench.app.state.web
    return context


def _watched(web: WebContext) -> tuple[str, ...]:
    [profile] = web.profiles
    return tuple(sorted(profile.lists["watched"]))


NEW_LIST = LIST + "KHAN FRESH IMPEX,intelligence 2026-12\n"


def test_a_proposal_changes_nothing_until_another_supervisor_approves(bench: Workbench) -> None:
    web = _web(bench)
    folder = web.settings.profile_folder
    assert folder is not None
    change = propose(web, ANA, "watched.csv", NEW_LIST, "intelligence report 12/2026")
    assert change.status == "pending"
    assert (folder / "watched.csv").read_text() == LIST
    assert _watched(web) == ("ZETA TRADING LLC",)
    approved = decide(web, SUE, change.id, "approve", "checked the report")
    assert approved.status == "approved"
    assert approved.decided_by == "sue"
    assert (folder / "watched.csv").read_text() == NEW_LIST
    assert _watched(web) == ("KHAN FRESH IMPEX", "ZETA TRADING LLC")  # swapped in at once


def test_no_one_approves_their_own_change(bench: Workbench) -> None:
    web = _web(bench)
    change = propose(web, SUE, "watched.csv", NEW_LIST, "mine")
    with pytest.raises(ChangeError, match="Four eyes") as refused:
        decide(web, SUE, change.id, "approve")
    assert refused.value.status == 403
    assert _watched(web) == ("ZETA TRADING LLC",)
    assert decide(web, SAM, change.id, "approve").status == "approved"


@pytest.mark.parametrize("who", [ANA, OTTO])
def test_only_a_supervisor_approves(bench: Workbench, who: User) -> None:
    web = _web(bench)
    change = propose(web, ANA, "watched.csv", NEW_LIST, "x")
    with pytest.raises(ChangeError, match="Only a supervisor") as refused:
        decide(web, who, change.id, "approve")
    assert refused.value.status == 403


def test_an_officer_cannot_propose(bench: Workbench) -> None:
    with pytest.raises(ChangeError) as refused:
        propose(_web(bench), OTTO, "watched.csv", NEW_LIST, "x")
    assert refused.value.status == 403


def test_a_change_that_breaks_the_profiles_is_refused_with_its_location(bench: Workbench) -> None:
    web = _web(bench)
    broken = PROFILE.replace("consignee_name in $watched", "consignee_nme in $watched")
    with pytest.raises(ChangeError, match=r"watch\.yaml:\d+:\d+.*consignee_nme") as refused:
        propose(web, ANA, "watch.yaml", broken, "typo")
    assert refused.value.status == 422
    half = PROFILE[: PROFILE.index("indicators:")]  # a truncated copy must never load
    with pytest.raises(ChangeError, match="do not load"):
        propose(web, ANA, "watch.yaml", half, "cut")


@pytest.mark.parametrize(
    "path",
    [
        "../outside.csv",
        "/etc/passwd",
        "sub/../../x.csv",
        ".hidden.csv",
        "profiles.lock",
        "run.py",
        "",
        "a\\..\\..\\b.csv",
    ],
)
def test_a_path_outside_the_folder_or_of_another_kind_is_refused(
    bench: Workbench, path: str
) -> None:
    with pytest.raises(ChangeError) as refused:
        propose(_web(bench), ANA, path, NEW_LIST, "x")
    assert refused.value.status == 422


def test_a_stale_proposal_is_refused(bench: Workbench) -> None:
    web = _web(bench)
    first = propose(web, ANA, "watched.csv", NEW_LIST, "one")
    second = propose(web, ANA, "watched.csv", LIST + "OTHER CO,x\n", "two")
    decide(web, SUE, first.id, "approve")
    with pytest.raises(ChangeError, match="stale") as refused:
        decide(web, SUE, second.id, "approve")
    assert refused.value.status == 409
    assert _watched(web) == ("KHAN FRESH IMPEX", "ZETA TRADING LLC")


def test_a_decided_change_cannot_be_decided_again(bench: Workbench) -> None:
    web = _web(bench)
    change = propose(web, ANA, "watched.csv", NEW_LIST, "x")
    decide(web, SUE, change.id, "reject", "no source")
    with pytest.raises(ChangeError) as refused:
        decide(web, SAM, change.id, "approve")
    assert refused.value.status == 409
    with pytest.raises(ChangeError, match="Only the one who proposed"):
        decide(web, SAM, propose(web, ANA, "watched.csv", NEW_LIST, "y").id, "withdraw")


def test_a_locked_folder_is_locked_again_on_approval(bench: Workbench) -> None:
    from riskprofile.profiles import lock_profiles

    web = _web(bench)
    folder = web.settings.profile_folder
    assert folder is not None
    lock_profiles(folder)
    before = (folder / "profiles.lock").read_text()
    new_profile = PROFILE.replace("weight: 50", "weight: 60")
    change = propose(web, ANA, "watch.yaml", new_profile, "heavier")
    decide(web, SUE, change.id, "approve")
    assert (folder / "profiles.lock").read_text() != before
    [profile] = web.load_profiles()  # the locked folder loads with the approved file
    assert profile.profile.indicators[0].weight == 60


def test_every_step_is_audited_with_the_files_hashes(bench: Workbench) -> None:
    web = _web(bench)
    change = propose(web, ANA, "watched.csv", NEW_LIST, "x")
    decide(web, SUE, change.id, "approve")
    with web.store.read() as tx:
        rows = tx.rows("SELECT actor, action, target FROM web_audit WHERE action LIKE 'change.%'")
    assert rows == [
        ("ana", "change.propose", "watched.csv"),
        ("sue", "change.approve", "watched.csv"),
    ]


_ACTORS = [ANA, SUE, SAM]  # (an officer's refusals have their own tests)


@settings(
    max_examples=depth(40, floor=20), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["propose", "approve", "reject", "withdraw"]),
            st.integers(0, 2),  # who
            st.integers(0, 3),  # which change (counted back from the latest), or which text
        ),
        min_size=2,
        max_size=8,
    )
)
def test_no_change_takes_effect_without_a_second_user(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    """Whatever users do, in any order: the file on disk and the set in use change only
    through an approval by a supervisor who did not propose that change, and then to
    exactly the text proposed."""
    tmp = tmp_path_factory.mktemp("four-eyes")
    bench = make_workbench(tmp, profiles=(str(_folder(tmp)),), reload_seconds=-1)
    web = _web(bench)
    folder = web.settings.profile_folder
    assert folder is not None
    proposed: dict[int, tuple[str, str]] = {}  # id -> (proposer, text)
    for action, who, which in steps:
        actor = _ACTORS[who]
        before = (folder / "watched.csv").read_text()
        outcome: Any = None
        try:
            if action == "propose":
                text = LIST + f"NEW CO {which},x\n"
                outcome = propose(web, actor, "watched.csv", text, "r")
                proposed[outcome.id] = (actor.username, text)
            else:
                ids = sorted(proposed, reverse=True) or [1]
                outcome = decide(web, actor, ids[which % len(ids)], action)  # type: ignore[arg-type]
        except ChangeError:
            outcome = None
        after = (folder / "watched.csv").read_text()
        if after != before:
            assert action == "approve"
            assert outcome is not None
            proposer, text = proposed[outcome.id]
            assert actor.role == "supervisor"
            assert actor.username != proposer
            assert after == text
        names = {line.split(",")[0] for line in after.splitlines()[1:]}
        assert set(_watched(web)) == names  # the set in use is the file on disk
    bench.store.close()


def test_the_pages_propose_show_and_approve_a_change(bench: Workbench) -> None:
    analyst = bench.client("ana")
    assert "watched.csv" in analyst.get("/changes").text
    form = analyst.get("/changes/new?path=watched.csv")
    assert "ZETA TRADING LLC" in form.text
    response = analyst.post(
        "/changes",
        data={
            "csrf_token": csrf_of(analyst),
            "path": "watched.csv",
            "content": NEW_LIST,
            "reason": "intel",
        },
    )
    assert response.status_code == 303
    page = response.headers["location"]
    shown = analyst.get(page).text
    assert "+KHAN FRESH IMPEX,intelligence 2026-12" in shown
    assert "/approve" not in shown  # no approve button for the proposer
    own = analyst.post(page + "/approve", data={"csrf_token": csrf_of(analyst)})
    assert own.status_code == 403
    supervisor = bench.client("sue")
    assert "/approve" in supervisor.get(page).text
    done = supervisor.post(page + "/approve", data={"csrf_token": csrf_of(supervisor)})
    assert done.status_code == 303
    assert _watched(_web(bench)) == ("KHAN FRESH IMPEX", "ZETA TRADING LLC")


def test_the_pages_refuse_a_bad_change_with_the_form_kept(bench: Workbench) -> None:
    analyst = bench.client("ana")
    response = analyst.post(
        "/changes",
        data={
            "csrf_token": csrf_of(analyst),
            "path": "../x.csv",
            "content": NEW_LIST,
            "reason": "x",
        },
    )
    assert response.status_code == 422
    assert "KHAN FRESH IMPEX" in response.text  # the text is not lost


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        (None, "get", "/changes", 303),
        ("otto", "get", "/changes", 403),
        ("otto", "get", "/changes/new", 403),
        ("otto", "post", "/changes/1/approve", 403),
        ("ana", "get", "/changes/999", 404),
        ("sue", "post", "/changes/999/approve", 404),
        ("ana", "get", "/changes/new?path=../../etc/passwd", 422),
    ],
)
def test_the_change_routes_refuse(
    bench: Workbench, who: str | None, method: str, path: str, status: int
) -> None:
    client = bench.client(who)
    data = {"csrf_token": csrf_of(client)} if who and method == "post" else None
    assert client.request(method, path, data=data).status_code == status


def test_without_a_profile_folder_changes_are_refused_saying_why(tmp_path: Path) -> None:
    bench = make_workbench(tmp_path)  # a single profile file, no folder
    response = bench.client("ana").get("/changes/new")
    assert response.status_code == 409
    assert "--profiles FOLDER" in response.text


def test_a_profile_changed_around_the_workbench_in_a_locked_folder_is_not_loaded(
    tmp_path: Path,
) -> None:
    from riskprofile.profiles import lock_profiles

    folder = _folder(tmp_path)
    lock_profiles(folder)
    bench = make_workbench(tmp_path, profiles=(str(folder),), reload_seconds=0)
    web = _web(bench)
    before = web.profiles
    (folder / "watch.yaml").write_text(PROFILE.replace("weight: 50", "weight: 99"))
    assert web.profiles is before  # the set in use stays
    assert web.reload_error
    assert "profiles.lock" in web.reload_error or "lock" in web.reload_error
    page = bench.client("ana").get("/")
    assert "do not load; the set before is still in use" in page.text


def test_a_quick_rewrite_of_the_same_size_is_seen(tmp_path: Path) -> None:
    """Two writes within the clock's tick keep a file's modification time (and here its
    size): the workbench compares the files' contents, so the change is still seen."""
    import os

    folder = _folder(tmp_path)
    bench = make_workbench(tmp_path, profiles=(str(folder),), reload_seconds=0)
    web = _web(bench)
    assert _watched(web) == ("ZETA TRADING LLC",)
    target = folder / "watched.csv"
    stat = target.stat()
    target.write_text(LIST.replace("ZETA", "BETA"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _watched(web) == ("BETA TRADING LLC",)


def test_a_file_is_deleted_only_on_a_second_supervisors_approval(bench: Workbench) -> None:
    """Regression (note 25): a proposal could not delete a file. Now one can, under the
    same rules: checked by loading the set without it, approved by someone else, audited,
    and the folder's lock written again."""
    from riskprofile.profiles import lock_profiles

    web = _web(bench)
    folder = web.settings.profile_folder
    assert folder is not None
    (folder / "old.yaml").write_text(PROFILE.replace("demo.watch", "demo.old"))
    lock_profiles(folder)
    web.swap_profiles(web.load_profiles())
    assert len(web.load_profiles()) == 2
    # a list a profile still reads cannot go: the set would not load
    with pytest.raises(ChangeError, match="do not load") as refused:
        propose(web, ANA, "watched.csv", "", "gone", delete=True)
    assert refused.value.status == 422
    with pytest.raises(ChangeError, match="does not exist"):
        propose(web, ANA, "nothing.yaml", "", "gone", delete=True)
    change = propose(web, ANA, "old.yaml", "", "retired profile", delete=True)
    assert change.kind == "delete"
    assert (folder / "old.yaml").exists()  # nothing happens on a proposal
    with pytest.raises(ChangeError) as own:
        decide(web, ANA, change.id, "approve")
    assert own.value.status == 403
    decide(web, SUE, change.id, "approve")
    assert not (folder / "old.yaml").exists()
    assert "old.yaml" not in (folder / "profiles.lock").read_text()
    assert [p.profile.id for p in web.load_profiles()] == ["demo.watch"]  # locked, loads
    with web.store.read() as tx:
        rows = tx.rows("SELECT action, after FROM web_audit WHERE target = 'old.yaml' ORDER BY seq")
    assert [r[0] for r in rows] == ["change.propose", "change.approve"]
    assert all('"delete": true' in r[1] and '"sha256": ""' in r[1] for r in rows)


def test_the_pages_propose_a_deletion(bench: Workbench) -> None:
    web = _web(bench)
    folder = web.settings.profile_folder
    assert folder is not None
    (folder / "old.yaml").write_text(PROFILE.replace("demo.watch", "demo.old"))
    analyst = bench.client("ana")
    response = analyst.post(
        "/changes",
        data={"csrf_token": csrf_of(analyst), "path": "old.yaml", "delete": "true",
              "reason": "retired"},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    shown = analyst.get(response.headers["location"]).text
    assert "This change deletes the file." in shown
    assert "old.yaml <strong>(deleted)</strong>" in analyst.get("/changes").text
    assert "-id: demo.old" in shown
    supervisor = bench.client("sue")
    done = supervisor.post(
        response.headers["location"] + "/approve", data={"csrf_token": csrf_of(supervisor)}
    )
    assert done.status_code == 303
    assert not (folder / "old.yaml").exists()


@pytest.mark.parametrize(
    ("who", "path", "data", "status"),
    [
        # the officer's role cannot propose
        ("otto", "/changes", {"path": "watched.csv", "content": NEW_LIST, "reason": "x"}, 403),
        ("ana", "/changes/1/reject", {"note": "no"}, 403),  # only a supervisor rejects
        ("otto", "/changes/1/reject", {"note": "no"}, 403),
        ("sue", "/changes/1/withdraw", {}, 403),  # only the proposer withdraws
        ("otto", "/changes/1/withdraw", {}, 403),
        ("ana", "/users/otto/disable", {}, 403),  # only a supervisor manages users
        ("otto", "/users/ana/disable", {}, 403),
        ("ana", "/users/otto/enable", {}, 403),
        ("otto", "/users/ana/enable", {}, 403),
        ("ana", "/account/language", {"language": "xx"}, 422),  # no such catalogue
        ("ana", "/account/language", {"language": "../en"}, 422),
    ],
)
def test_the_posting_routes_refuse_a_wrong_role_or_bad_input(
    bench: Workbench, who: str, path: str, data: dict[str, str], status: int
) -> None:
    """Each refusal through the pages, and nothing changed by it: change 1 stays pending,
    the users stay enabled, the language stays unset."""
    web = _web(bench)
    pending = propose(web, ANA, "watched.csv", NEW_LIST, "intelligence report 12/2026")
    assert pending.id == 1
    if path.startswith("/users/") and path.endswith("/enable"):
        from riskprofile.serve.web._users import set_disabled

        set_disabled(web.store, path.split("/")[2], True, actor="cli:test")
    client = bench.client(who)
    response = client.post(path, data={"csrf_token": csrf_of(client), **data})
    assert response.status_code == status
    from riskprofile.serve.web._changes import get_change
    from riskprofile.serve.web._users import get_user

    with web.store.read() as tx:
        change = get_change(tx, 1)
        users = {name: get_user(tx, name) for name in ("ana", "otto")}
    assert change is not None
    assert change.status == "pending"
    target = path.split("/")[2] if path.startswith("/users/") else None
    for name, user in users.items():
        assert user is not None
        assert user.disabled is (name == target and path.endswith("/enable"))
        assert user.language is None
