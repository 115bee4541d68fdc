"""Four eyes: a profile or watch-list change is proposed by one user and takes effect only
when a supervisor who is someone else approves it.

A proposal is the whole new text of one file in the served profile folder (a profile's
YAML, or a list's CSV or text file), or its deletion (kind ``delete``). It is checked
when proposed and again when approved by loading the whole set with it in a copy of the
folder, so a change that breaks any profile never gets in (a list a profile still reads
cannot be deleted). On approval the file is written atomically (a temporary file
renamed over it) or deleted (its folder synced), the folder's lock is written again if
it has one (the approval is the review), the set is loaded from the real folder and
swapped in whole; if that load fails the file is put back. A proposal made against a
file that has changed since (another approval) is refused as stale. Every step is in the
audit log with the file's SHA-256 before and after (empty for a file deleted).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from riskprofile.errors import ProfileSetError, RiskProfileError
from riskprofile.exchange.shared import sync_folder, write_atomic
from riskprofile.profiles import lock_profiles
from riskprofile.serve._app import load_named_profiles
from riskprofile.serve.web._audit import record
from riskprofile.serve.web._i18n import N_, _
from riskprofile.serve.web._shell import (
    NavItem,
    Refusal,
    WebContext,
    render,
    require_role,
    web_context,
)
from riskprofile.serve.web._store import Tx
from riskprofile.serve.web._users import User

__all__ = [
    "MAX_CHANGE_BYTES",
    "NAV",
    "Change",
    "ChangeError",
    "decide",
    "get_change",
    "list_changes",
    "propose",
    "router",
]

MAX_CHANGE_BYTES = 1 << 20
"""The largest file a proposal may hold (1 MiB)."""
_PROFILE_SUFFIXES = (".yaml", ".yml")
_LIST_SUFFIXES = (".csv", ".txt", ".tsv")
_LOCK_FILE = "profiles.lock"
_APPROVING = threading.Lock()  # one approval at a time in this process (the store serialises
# the rest across processes)

router = APIRouter()
NAV = (NavItem("/changes", N_("Changes"), ("analyst", "supervisor")),)
Proposer = Annotated[User, Depends(require_role("analyst", "supervisor"))]
Supervisor = Annotated[User, Depends(require_role("supervisor"))]


class ChangeError(Refusal):
    """A proposal or a decision refused: the status (409 stale or decided already, 422 a
    bad file, 403 one's own change) and why."""


@dataclass(frozen=True)
class Change:
    """A proposed change (``status``: pending, approved, rejected, withdrawn)."""

    id: int
    path: str
    kind: Literal["profile", "list", "delete"]
    content: str
    base_sha: str
    reason: str
    proposer: str
    proposed_at: str
    status: str
    decided_by: str | None
    decided_at: str | None
    note: str | None


def _sha(data: bytes | None) -> str:
    return "" if data is None else hashlib.sha256(data).hexdigest()


def _folder(web: WebContext) -> Path:
    folder = web.settings.profile_folder
    if folder is None:
        raise ChangeError(
            409,
            _(
                "No profile folder is served: start the workbench with --profiles FOLDER to "
                "propose changes."
            ),
        )
    return folder


def _relative(folder: Path, path: str) -> tuple[str, Path]:
    """The proposal's path, checked: relative, inside the folder, a profile or list file."""
    text = path.strip().replace("\\", "/")
    pure = PurePosixPath(text)
    if (
        not text
        or len(text) > 300
        or pure.is_absolute()
        or any(part in ("", ".", "..") or part.startswith(".") for part in pure.parts)
    ):
        raise ChangeError(
            422,
            _("File %(path)s: give a path inside the profile folder, like narcotics/ports.csv")
            % {"path": text[:300]},
        )
    if pure.suffix.lower() not in _PROFILE_SUFFIXES + _LIST_SUFFIXES or pure.name == _LOCK_FILE:
        raise ChangeError(
            422,
            _(
                "File %(path)s: only profile files (.yaml, .yml) and list "
                "files (.csv, .tsv, .txt) can be changed"
            )
            % {"path": text},
        )
    target = folder.joinpath(*pure.parts)
    root = folder.resolve()
    resolved = target.resolve()
    if root != resolved and root not in resolved.parents:
        raise ChangeError(
            422, _("File %(path)s: it leads out of the profile folder") % {"path": text}
        )
    return str(pure), target


def _current(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None


def _check_loads(web: WebContext, folder: Path, relative: str, content: bytes | None) -> None:
    """Load the whole set with the change applied (``content`` None: the file deleted),
    in a copy of the folder."""
    with tempfile.TemporaryDirectory(prefix="riskprofile-change-") as temporary:
        copy = Path(temporary) / "profiles"
        shutil.copytree(folder, copy, symlinks=False)
        target = copy.joinpath(*PurePosixPath(relative).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.unlink()
        else:
            target.write_bytes(content)
        if (copy / _LOCK_FILE).exists():
            lock_profiles(copy)
        paths = [str(copy) if Path(p) == folder else p for p in web.settings.profiles]
        try:
            load_named_profiles(paths, web.settings.country)
        except ProfileSetError as exc:
            lines = [e.location_text().replace(str(copy) + os.sep, "") for e in exc.errors[:20]]
            raise ChangeError(
                422, _("The profiles do not load with this change:") + " " + " | ".join(lines)
            ) from None
        except RiskProfileError as exc:
            text = str(exc).replace(str(copy) + os.sep, "")
            raise ChangeError(
                422, _("The profiles do not load with this change:") + " " + text[:2000]
            ) from None


_COLUMNS = (
    "id, path, kind, content, base_sha, reason, proposer, proposed_at, status, decided_by, "
    "decided_at, note"
)


def _change(row: tuple[Any, ...]) -> Change:
    return Change(int(row[0]), *row[1:])


def get_change(tx: Tx, change_id: int) -> Change | None:
    """The proposal of that number, or None."""
    row = tx.one(f"SELECT {_COLUMNS} FROM web_changes WHERE id = ?", (change_id,))  # noqa: S608
    return None if row is None else _change(row)


def list_changes(tx: Tx, *, limit: int = 200) -> list[Change]:
    """The proposals, pending first, then the latest decided."""
    rows = tx.rows(
        f"SELECT {_COLUMNS} FROM web_changes ORDER BY "  # noqa: S608
        "CASE WHEN status = 'pending' THEN 0 ELSE 1 END, id DESC LIMIT ?",
        (limit,),
    )
    return [_change(r) for r in rows]


def propose(
    web: WebContext, user: User, path: str, content: str, reason: str, *, delete: bool = False
) -> Change:
    """Propose the new text of one file, or (``delete``) its deletion; checked (the whole
    set loads with it) and audited as ``change.propose``. Nothing takes effect yet."""
    if user.role not in ("analyst", "supervisor"):
        raise ChangeError(403, _("Your role cannot do this."))
    folder = _folder(web)
    relative, target = _relative(folder, path)
    if delete:
        return _propose_deletion(web, user, folder, relative, target, reason)
    data = content.replace("\r\n", "\n").encode("utf-8")
    if len(data) > MAX_CHANGE_BYTES:
        raise ChangeError(422, _("The file is over 1 MiB."))
    if not data.strip():
        raise ChangeError(422, _("The file is empty."))
    reason = reason.strip()
    if not reason:
        raise ChangeError(422, _("Say why (the reason is kept with the change)."))
    before = _current(target)
    if before == data:
        raise ChangeError(422, _("The text is the same as the file's: nothing to change."))
    _check_loads(web, folder, relative, data)
    kind: Literal["profile", "list"] = (
        "profile" if PurePosixPath(relative).suffix.lower() in _PROFILE_SUFFIXES else "list"
    )
    return _record_proposal(web, user, relative, kind, data, before, reason)


def _propose_deletion(
    web: WebContext, user: User, folder: Path, relative: str, target: Path, reason: str
) -> Change:
    """Propose deleting a file: it must exist, and the set must load without it."""
    reason = reason.strip()
    if not reason:
        raise ChangeError(422, _("Say why (the reason is kept with the change)."))
    before = _current(target)
    if before is None:
        raise ChangeError(422, _("File %(path)s does not exist: nothing to delete.")
                          % {"path": relative})  # fmt: skip
    _check_loads(web, folder, relative, None)
    return _record_proposal(web, user, relative, "delete", b"", before, reason)


def _record_proposal(
    web: WebContext,
    user: User,
    relative: str,
    kind: Literal["profile", "list", "delete"],
    data: bytes,
    before: bytes | None,
    reason: str,
) -> Change:
    deleted = {"delete": True} if kind == "delete" else {}
    with web.store.write() as tx:
        number = tx.next_id("web_changes")
        entry = record(
            tx,
            user.username,
            "change.propose",
            relative,
            before={"sha256": _sha(before)},
            after={
                "change": number,
                "sha256": "" if deleted else _sha(data),
                "reason": reason[:2000],
                **deleted,
            },
        )
        tx.execute(
            f"INSERT INTO web_changes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                number,
                relative,
                kind,
                data.decode("utf-8"),
                _sha(before),
                reason[:2000],
                user.username,
                entry.at,
                "pending",
                None,
                None,
                None,
            ),
        )
        change = get_change(tx, number)
    assert change is not None
    return change


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data)


def _delete(target: Path) -> None:
    """Delete an approved file, the deletion made durable (its folder synced)."""
    target.unlink()
    sync_folder(target.parent)


def _restore(folder: Path, target: Path, before: bytes | None, locked: bool) -> None:
    if before is None:
        target.unlink(missing_ok=True)
    else:
        _write_atomically(target, before)
    if locked:
        lock_profiles(folder)


def decide(
    web: WebContext,
    user: User,
    change_id: int,
    decision: Literal["approve", "reject", "withdraw"],
    note: str = "",
) -> Change:
    """Approve, reject or withdraw a pending proposal.

    Approve: a supervisor other than the proposer; the file must be as it was when the
    change was proposed; the set must load with it; then it is written and swapped in.
    Reject: a supervisor. Withdraw: the proposer. Each is audited (``change.<decision>``).
    """
    note = note.strip()[:2000]
    with _APPROVING, web.store.write() as tx:
        change = get_change(tx, change_id)
        if change is None:
            raise ChangeError(404, _("No such change."))
        if change.status != "pending":
            raise ChangeError(
                409,
                _("This change was decided already (%(status)s).") % {"status": _(change.status)},
            )
        if decision == "withdraw":
            if user.username != change.proposer:
                raise ChangeError(403, _("Only the one who proposed a change can withdraw it."))
        elif user.role != "supervisor":
            raise ChangeError(403, _("Only a supervisor can approve or reject a change."))
        elif decision == "approve" and user.username == change.proposer:
            raise ChangeError(
                403,
                _("Four eyes: a change is approved by someone other than the one who proposed it."),
            )
        status = "withdrawn" if decision == "withdraw" else f"{decision}d"
        before: dict[str, Any] = {"change": change.id, "status": "pending"}
        after: dict[str, Any] = {"change": change.id, "status": status, "note": note or None}
        loaded = None
        if decision == "approve":
            folder = _folder(web)
            relative, target = _relative(folder, change.path)
            current = _current(target)
            if _sha(current) != change.base_sha:
                raise ChangeError(
                    409,
                    _(
                        "The file has changed since this change was proposed: "
                        "it is stale; propose it again on the file as it is."
                    ),
                )
            data = None if change.kind == "delete" else change.content.encode("utf-8")
            _check_loads(web, folder, relative, data)
            before["sha256"], after["sha256"] = _sha(current), _sha(data)
            if data is None:
                after["delete"] = True
        # The decision is recorded first, in this transaction; if writing the file or
        # loading the set fails, the exception rolls the record back and the file is put
        # back as it was.
        entry = record(
            tx, user.username, f"change.{decision}", change.path, before=before, after=after
        )
        tx.execute(
            "UPDATE web_changes SET status = ?, decided_by = ?, decided_at = ?, note = ? "
            "WHERE id = ?",
            (status, user.username, entry.at, note or None, change.id),
        )
        decided = get_change(tx, change.id)
        if decision == "approve":
            locked = (folder / _LOCK_FILE).exists()
            if data is None:
                _delete(target)
            else:
                _write_atomically(target, data)
            try:
                if locked:
                    lock_profiles(folder)
                loaded = web.load_profiles()
            except BaseException:
                _restore(folder, target, current, locked)
                raise
    if loaded is not None:
        web.swap_profiles(loaded)
    assert decided is not None
    return decided


# The statuses as shown (marked for translation).
STATUSES = (N_("pending"), N_("approved"), N_("rejected"), N_("withdrawn"))


def _files(web: WebContext) -> list[str]:
    folder = web.settings.profile_folder
    if folder is None:
        return []
    suffixes = _PROFILE_SUFFIXES + _LIST_SUFFIXES
    return sorted(
        str(p.relative_to(folder).as_posix())
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, user: Proposer) -> HTMLResponse:
    """The proposals (pending first) and the files that can be changed."""
    web = web_context(request)
    with web.store.read() as tx:
        changes = list_changes(tx)
    return render(
        request,
        "changes.html",
        {"changes": changes, "files": _files(web), "folder": web.settings.profile_folder},
    )


@router.get("/changes/new", response_class=HTMLResponse)
def new_change(request: Request, user: Proposer, path: str = "") -> HTMLResponse:
    """The form to propose a file's new text (the current text filled in)."""
    web = web_context(request)
    folder = _folder(web)
    content = ""
    if path:
        relative, target = _relative(folder, path)
        current = _current(target)
        content = "" if current is None else current.decode("utf-8", errors="replace")
        path = relative
    return render(request, "change_new.html", {"path": path, "content": content, "message": None})


@router.post("/changes", response_class=HTMLResponse)
def propose_page(
    request: Request,
    user: Proposer,
    path: Annotated[str, Form(max_length=300)],
    reason: Annotated[str, Form(max_length=2000)],
    content: Annotated[str, Form(max_length=MAX_CHANGE_BYTES)] = "",
    delete: Annotated[bool, Form()] = False,
) -> Response:
    """Propose a change, or a file's deletion (it takes effect only on another user's
    approval)."""
    web = web_context(request)
    try:
        change = propose(web, user, path, content, reason, delete=delete)
    except ChangeError as exc:
        return render(
            request,
            "change_new.html",
            {"path": path, "content": content, "reason": reason, "message": exc.message},
            status=exc.status,
        )
    return RedirectResponse(f"/changes/{change.id}", status_code=303)


@router.get("/changes/{change_id}", response_class=HTMLResponse)
def change_page(request: Request, user: Proposer, change_id: int) -> HTMLResponse:
    """A proposal: its reason, its state, and its difference from the file as it is."""
    web = web_context(request)
    with web.store.read() as tx:
        change = get_change(tx, change_id)
    if change is None:
        raise ChangeError(404, _("No such change."))
    folder = web.settings.profile_folder
    current = None
    if folder is not None:
        current = _current(folder.joinpath(*PurePosixPath(change.path).parts))
    old = "" if current is None else current.decode("utf-8", errors="replace")
    diff = list(
        difflib.unified_diff(
            old.splitlines(),
            change.content.splitlines(),
            f"{change.path} ({_('now')})",
            f"{change.path} ({_('proposed')})",
            lineterm="",
        )
    )
    stale = change.status == "pending" and _sha(current) != change.base_sha
    return render(request, "change.html", {"change": change, "diff": diff, "stale": stale})


def _decision_route(decision: Literal["approve", "reject", "withdraw"]) -> Any:
    def route(
        request: Request,
        user: Proposer,
        change_id: int,
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        decide(web_context(request), user, change_id, decision, note)
        return RedirectResponse(f"/changes/{change_id}", status_code=303)

    route.__doc__ = f"{decision.capitalize()} a pending change (audited)."
    route.__name__ = f"{decision}_change"
    return route


for _decision in ("approve", "reject", "withdraw"):
    router.add_api_route(
        f"/changes/{{change_id}}/{_decision}",
        _decision_route(_decision),
        methods=["POST"],
        response_class=HTMLResponse,
    )
