"""Exchange in the browser: the inbox of partner PCUs' messages, a warning, feedback or
seizure report composed from a container's page and signed with the PCU's key, and the
endpoint partners' services send their signed messages to.

Everything lives in the data folder's ``exchange/`` (docs/serve.md, "Exchange"):

- ``keys/<PCU>.key.pem``: this PCU's private key (one; an encrypted one is opened with
  ``$RISKPROFILE_KEY_PASSPHRASE``), made by ``riskprofile exchange keygen``;
- ``trust.json`` and ``log.sqlite``: the trust store and the exchange log, as the
  command line's ``--home`` (``riskprofile exchange trust add ... --home DATA/exchange``);
- ``partners.json``: where each partner's service listens, ``{"KZ-AKT":
  "http://10.0.0.7:8787"}``; ``policies/<PCU>.yaml``: a partner's redaction policy;
- ``inbox/``: the imported warnings (the watch lists profiles read as
  ``$partner_warnings``) and ``outcomes.csv``; ``received/``: each message as it came.

``POST /exchange/receive`` takes no session: a partner's service is not a person. The
signature is the authentication: the message is verified against the trust store
(unknown and revoked keys refused, tampered bytes refused, replays refused) and must be
addressed to this PCU before it is imported; every outcome is in the exchange log.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from riskprofile._files import read_regular_file
from riskprofile.errors import ExchangeError, RiskProfileError
from riskprofile.exchange import (
    MAX_MESSAGE_BYTES,
    MAX_VALIDITY,
    PCU_PATTERN,
    ExchangeLog,
    Feedback,
    PartyRef,
    Reason,
    RedactionPolicy,
    RiskWarning,
    Seizure,
    SigningKey,
    TrustStore,
    Voyage,
    authenticate,
    import_message,
    load_policy,
    send,
    warning_category,
)
from riskprofile.exchange.shared import PASSPHRASE_VARIABLE, is_encrypted, valid_pcu
from riskprofile.serve.web._audit import record
from riskprofile.serve.web._i18n import N_, _
from riskprofile.serve.web._shell import NavItem, Refusal, render, require_role, web_context
from riskprofile.serve.web._users import User

__all__ = ["NAV", "ExchangeSetup", "Transport", "peer_router", "router", "setup_of"]

router = APIRouter()
peer_router = APIRouter()
"""The routes partners' services call: no session, no CSRF token (the mount includes
it without them); the signature authenticates."""
NAV = (NavItem("/exchange", N_("Exchange"), ("analyst", "officer", "supervisor")),)
Anyone = Annotated[User, Depends(require_role("analyst", "officer", "supervisor"))]
Sender = Annotated[User, Depends(require_role("analyst", "supervisor"))]
Answerer = Annotated[User, Depends(require_role("analyst", "officer", "supervisor"))]

# The messages' own words the pages show through _(...): marked here to be translated.
_WORDS = (N_("warning"), N_("feedback"), N_("seizure"), N_("routine"), N_("high"),
          N_("immediate"), N_("nothing_found"), N_("irregularity"),
          N_("not_inspected"), N_("party"), N_("freight_payer"))  # fmt: skip

_KINDS = ("warning", "feedback", "seizure")
FOLDER = "exchange"
RECEIVE_PATH = "/exchange/receive"
SEND_TIMEOUT = 10.0
"""Seconds to wait for a partner's service to answer."""

Transport = Callable[[str, bytes], tuple[int, str]]
"""Delivers signed bytes to a URL; returns the HTTP status and the answer's text."""


def _post(url: str, data: bytes) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 - http(s) only: checked in partners.json
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as answer:  # noqa: S310
            return int(answer.status), answer.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(4096).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        return 0, f"not reached: {reason}"


@dataclass
class ExchangeSetup:
    """The exchange folder of a workbench (see the module's docstring)."""

    home: Path
    transport: Transport = field(default=_post)

    @property
    def inbox(self) -> Path:
        """Where received messages are imported (the watch lists)."""
        return self.home / "inbox"

    @property
    def received(self) -> Path:
        """Each message received, as it came."""
        return self.home / "received"

    def trust(self) -> TrustStore:
        """The trust store (read now: a key applied from the command line counts)."""
        return TrustStore.load(self.home / "trust.json")

    def log(self) -> ExchangeLog:
        """The exchange log."""
        return ExchangeLog(self.home / "log.sqlite")

    def key_path(self) -> Path | None:
        """This PCU's private key file, or None when there is none (or several)."""
        found = sorted((self.home / "keys").glob("*.key.pem"))
        return found[0] if len(found) == 1 else None

    def pcu(self) -> str | None:
        """This PCU's id: its key file's name."""
        path = self.key_path()
        return None if path is None else path.name.removesuffix(".key.pem")

    def key(self) -> SigningKey:
        """This PCU's signing key; :class:`Refusal` saying how to make one."""
        import os

        path = self.key_path()
        if path is None:
            raise Refusal(
                409,
                _("This PCU has no signing key: make one with %(command)s")
                % {"command": f"riskprofile exchange keygen --pcu XX-XXX -o {self.home / 'keys'}"},
            )
        passphrase = None
        if is_encrypted(path):
            given = os.environ.get(PASSPHRASE_VARIABLE)
            if not given:
                raise Refusal(
                    409,
                    _("The signing key is encrypted: start the service with %(variable)s set.")
                    % {"variable": PASSPHRASE_VARIABLE},
                )
            passphrase = given.encode("utf-8")
        try:
            return SigningKey.load(path, passphrase=passphrase)
        except RiskProfileError as exc:
            raise Refusal(409, str(exc)) from None

    def partners(self) -> dict[str, str]:
        """Partner PCU -> the base URL of its service, from ``partners.json``."""
        path = self.home / "partners.json"
        if not path.exists():
            return {}
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise Refusal(500, f"{path}: {exc}") from None
        if not isinstance(doc, dict):
            raise Refusal(500, f"{path}: not an object of PCU ids and URLs")
        partners = {}
        for pcu, url in doc.items():
            if not (
                isinstance(url, str)
                and re.fullmatch(PCU_PATTERN, pcu)
                and re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url)
            ):
                raise Refusal(500, f"{path}: {str(pcu)[:20]}: not a PCU id and an http(s) URL")
            partners[pcu] = url.rstrip("/")
        return partners

    def policies(self) -> dict[str, RedactionPolicy]:
        """The partners' redaction policies (``policies/<PCU>.yaml``)."""
        found = {}
        for path in sorted((self.home / "policies").glob("*.yaml")):
            policy = load_policy(path)
            found[policy.partner] = policy
        return found


def setup_of(request: Request) -> ExchangeSetup:
    """The application's exchange folder: ``<data>/exchange`` (made on first use)."""
    state = request.app.state
    found: ExchangeSetup | None = getattr(state, "exchange", None)
    if found is None:
        home = Path(web_context(request).settings.data) / FOLDER
        for sub in ("", "keys", "inbox", "received"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        found = ExchangeSetup(home)
        state.exchange = found
    return found


def _now() -> dt.datetime:
    # The service judges expiry at the wall clock: it is where the clock enters.
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


_STATUS = {"too_large": 413, "schema": 400, "unsigned": 401, "bad_signature": 400,
           "tampered": 400, "not_json": 400, "unknown_sender": 403, "revoked_key": 403,
           "expired": 422, "replayed": 409, "not_addressed": 403}  # fmt: skip


@peer_router.post(RECEIVE_PATH)
async def receive(request: Request) -> Response:
    """A partner's service sends a signed message: verified against the trust store,
    addressed to this PCU, imported into the inbox (a warning into the watch lists).
    JSON answers: 200 ``imported``, or the refusal's reason with a 4xx status."""
    setup = setup_of(request)
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_MESSAGE_BYTES:
            break
    pcu = setup.pcu()
    if pcu is None:
        return JSONResponse({"status": "refused", "reason": "no_key",
                             "detail": "this PCU has no key yet"}, status_code=503)  # fmt: skip
    try:
        result = import_message(data, trust=setup.trust(), log=setup.log(), into=setup.inbox,
                                now=_now(), recipient=pcu)  # fmt: skip
    except ExchangeError as exc:
        return JSONResponse({"status": "rejected", "reason": exc.reason, "detail": exc.detail},
                            status_code=_STATUS.get(exc.reason, 400))  # fmt: skip
    except RiskProfileError as exc:
        return JSONResponse({"status": "error", "detail": str(exc)[:500]}, status_code=500)
    message = result.message
    (setup.received / f"{message.message_id}.json").write_bytes(data)
    return JSONResponse({"status": "imported", "kind": message.kind,
                         "message_id": message.message_id,
                         "already_imported": result.already_imported})  # fmt: skip


@dataclass(frozen=True)
class _Shown:
    """A received message as the inbox shows it."""

    message: RiskWarning | Feedback | Seizure
    key_id: str
    verified: bool
    problem: str
    expired: bool


def _received(setup: ExchangeSetup, now: dt.datetime) -> list[_Shown]:
    trust = setup.trust()
    shown = []
    for path in sorted(setup.received.glob("*.json")):
        data = read_regular_file(path, MAX_MESSAGE_BYTES, refuse_larger=False)
        try:
            verified = authenticate(data, trust)
        except ExchangeError as exc:  # a key revoked since, say: shown, and why
            from riskprofile.exchange import parse_message

            try:
                message = parse_message(json.loads(data)["payload"])
            except (ValueError, KeyError, TypeError, RiskProfileError):
                continue
            shown.append(_Shown(message, "", False, f"{exc.reason}: {exc.detail}",
                                message.expires <= now))  # fmt: skip
            continue
        m = verified.message
        shown.append(_Shown(m, verified.key_id, True, "", m.expires <= now))
    shown.sort(key=lambda s: s.message.created, reverse=True)
    return shown


@router.get("/exchange", response_class=HTMLResponse)
def inbox(
    request: Request,
    user: Anyone,
    delivered: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The inbox: every message partners sent (verified against today's trust store,
    expiry shown, expired warnings marked) and what this PCU sent."""
    note = _("Delivered:") + " " + delivered if delivered else None
    return _inbox(request, note, 200)


def _inbox(request: Request, message: str | None, status: int) -> HTMLResponse:
    setup = setup_of(request)
    now = _now()
    # messages only: the key statements this PCU made are on `exchange log`
    sent = [e for e in setup.log().query(direction="sent") if e.kind in _KINDS][::-1][:200]
    context = {
        "pcu": setup.pcu(), "received": _received(setup, now), "sent": sent,
        "partners": setup.partners(), "now": now, "message": message,
        "home": str(setup.home), "failed": status != 200,
    }  # fmt: skip
    return render(request, "exchange.html", context, status=status)


@router.get("/exchange/messages/{message_id}", response_class=HTMLResponse)
def message_page(request: Request, user: Anyone, message_id: str) -> HTMLResponse:
    """One received message in full, and the forms to answer a warning."""
    setup = setup_of(request)
    found = [s for s in _received(setup, _now()) if s.message.message_id == message_id[:120]]
    if not found:
        raise Refusal(404, _("No such message."))
    return render(request, "exchange_message.html", {"shown": found[0], "pcu": setup.pcu()})


def _unit(request: Request, unit_id: str) -> Any:
    from riskprofile.serve.web._queue import workbench_of

    try:
        return workbench_of(request).unit(unit_id[:128])
    except RiskProfileError:
        raise Refusal(404, _("No such container on the queue.")) from None


def _warnings_about(setup: ExchangeSetup, container: str | None) -> list[_Shown]:
    return [
        s
        for s in _received(setup, _now())
        if isinstance(s.message, RiskWarning)
        and s.verified
        and container
        and s.message.container_number == container
    ]


@router.get("/exchange/compose", response_class=HTMLResponse)
def compose(
    request: Request,
    user: Anyone,
    unit: Annotated[str, Query(max_length=128)],
    kind: Annotated[str, Query(max_length=20)] = "warning",
) -> HTMLResponse:
    """The form of a warning, feedback or seizure report about a container on the
    queue, filled from its page (hits, route, vessel) and the warnings received about
    it."""
    if kind not in ("warning", "party", "feedback", "seizure"):
        raise Refusal(404, _("No such message kind."))
    setup = setup_of(request)
    found = _unit(request, unit)
    detail = found.detail
    hits = sorted(detail["hits"], key=lambda h: -float(h["weight"]))
    policies = setup.policies()
    partners = setup.partners()
    context = {
        "unit": found, "kind": kind, "partners": partners, "pcu": setup.pcu(),
        "hits": hits, "category": warning_category(hits[0]["profile"]) if hits else "",
        "warnings": _warnings_about(setup, found.container_number),
        "max_days": MAX_VALIDITY.days, "message": None, "parties": _parties(found),
        "travel": {p: _(_TRAVEL[_party_travel(policies.get(p), p)]) for p in partners},
        "seized": _seized(found),
    }  # fmt: skip
    return render(request, "exchange_compose.html", context)


def _seized(unit: Any) -> dict[str, str]:
    """What the case's recorded result says was found (a seizure report's pre-filled
    goods, quantity and unit); empty fields while no finding is recorded. A store
    written before units were kept holds ``"12 kg"`` in the quantity: it is split."""
    case = unit.case
    quantity, quantity_unit = case.quantity or "", case.quantity_unit or ""
    if quantity and not quantity_unit and " " in quantity.strip():
        quantity, quantity_unit = quantity.strip().split(None, 1)
    return {"goods_category": case.category or "", "quantity": quantity,
            "quantity_unit": quantity_unit}  # fmt: skip


def _parties(unit: Any) -> list[PartyRef]:
    """The container's parties, each distinct one once, in the order of its bills."""
    parties: list[PartyRef] = []
    for shipment in unit.detail["shipments"]:
        for role, p in shipment.get("parties", {}).items():
            if p.get("name") or p.get("identifier"):
                party = PartyRef(role=role, name=p.get("name"), country=p.get("country"),
                                 identifier=p.get("identifier"))  # fmt: skip
                if party not in parties:
                    parties.append(party)
    return parties


def _party_travel(policy: RedactionPolicy | None, partner: str) -> str:
    """How a party warning's party reaches ``partner``: RedactionPolicy.party_names."""
    return (policy or RedactionPolicy.strict(partner)).party_names()


_TRAVEL = {
    "readable": N_("readable: the name is sent"),
    "key": N_("matched through the shared key: the name does not travel"),
    "refused": N_("refused: the partner's policy would leave the party nameless"),
}


def _warning_of(unit: Any, sender: str, to: str, now: dt.datetime, form: dict[str, Any]) -> Any:
    detail = unit.detail
    hits = sorted(detail["hits"], key=lambda h: (-float(h["weight"]), h["profile"]))
    if not hits:
        raise Refusal(422, _("The container has no hit: there is nothing to warn about."))
    reasons = list(dict.fromkeys(
        Reason(profile_id=h["profile"], indicator_id=h["indicator"], explanation=h["explanation"])
        for h in hits
    ))  # fmt: skip
    first = detail["shipments"][0] if detail["shipments"] else {}
    voyage = first.get("voyage", {})
    parties = _parties(unit)
    import uuid

    return RiskWarning(
        message_id=str(uuid.uuid4()), sender=sender, recipients=[to], created=now,
        expires=now + dt.timedelta(days=form["valid_days"]),
        container_number=unit.container_number, bl_numbers=list(unit.bl_numbers),
        voyage=Voyage(vessel_name=voyage.get("vessel_name"), vessel_imo=voyage.get("vessel_imo"),
                      voyage_number=voyage.get("voyage_number")),
        route=list(first.get("route", {}).get("route") or []), reasons=reasons,
        category=form["category"] or warning_category(hits[0]["profile"]),
        urgency=form["urgency"], score=str(unit.score), lane=unit.lane, parties=parties,
    )  # fmt: skip


def _party_warning_of(
    unit: Any, sender: str, to: str, now: dt.datetime, form: dict[str, Any],
    setup: ExchangeSetup, index: int, reason: str,
) -> RiskWarning:  # fmt: skip
    """A warning about one of the container's parties (``index`` in :func:`_parties`),
    refused when the partner's policy would leave the party nameless."""
    from riskprofile.exchange import to_party_warning

    if to not in setup.partners():
        raise Refusal(422, _("Choose a partner PCU."))
    if form["urgency"] not in ("routine", "high", "immediate"):
        raise Refusal(422, _("Choose an urgency."))
    parties = _parties(unit)
    if not 0 <= index < len(parties):
        raise Refusal(422, _("Choose the party the warning is about."))
    if not reason.strip():
        raise Refusal(422, _("Say why the party is high-risk."))
    if not form["category"]:
        raise Refusal(422, _("Say what is suspected (the category)."))
    if _party_travel(setup.policies().get(to), to) == "refused":
        raise Refusal(422, _("The redaction policy for %(pcu)s drops party names, or hashes "
                             "them without the salt you share: the warning would name no one "
                             "it can match.") % {"pcu": to})  # fmt: skip
    return to_party_warning(
        parties[index], sender=sender, recipients=[valid_pcu(to)], created=now,
        explanation=reason.strip(), category=form["category"], urgency=form["urgency"],
        valid_for=dt.timedelta(days=form["valid_days"]),
    )  # fmt: skip


@router.post("/exchange/send", response_class=HTMLResponse)
def send_message(
    request: Request,
    user: Answerer,
    unit: Annotated[str, Form(max_length=128)],
    kind: Annotated[str, Form(max_length=20)],
    to: Annotated[str, Form(max_length=20)] = "",
    warning_id: Annotated[str, Form(max_length=120)] = "",
    category: Annotated[str, Form(max_length=200)] = "",
    urgency: Annotated[str, Form(max_length=20)] = "high",
    valid_days: Annotated[int, Form(ge=1, le=365)] = 30,
    result: Annotated[str, Form(max_length=20)] = "",
    finding: Annotated[str, Form(max_length=2000)] = "",
    goods_category: Annotated[str, Form(max_length=200)] = "",
    quantity: Annotated[str, Form(max_length=30)] = "",
    quantity_unit: Annotated[str, Form(max_length=30)] = "",
    concealment: Annotated[str, Form(max_length=2000)] = "",
    party: Annotated[int, Form(ge=0, le=1000)] = -1,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sign the message composed and send it to the partner's service; the page says
    whether the partner imported it, or why it refused it (or could not be reached).
    A warning (about the container, or about one of its parties: ``kind=party``) is an
    analyst's or a supervisor's; anyone answers one (feedback, seizure)."""
    from riskprofile.exchange import to_feedback, to_seizure

    setup = setup_of(request)
    if kind in ("warning", "party") and user.role == "officer":
        raise Refusal(403, _("Your role does not allow this."))
    found = _unit(request, unit)
    key = setup.key()
    now = _now()
    partners = setup.partners()
    form = {"category": category.strip(), "urgency": urgency, "valid_days": valid_days}
    try:
        if kind == "warning":
            if to not in partners:
                raise Refusal(422, _("Choose a partner PCU."))
            if urgency not in ("routine", "high", "immediate"):
                raise Refusal(422, _("Choose an urgency."))
            message: Any = _warning_of(found, key.pcu, valid_pcu(to), now, form)
        elif kind == "party":
            message = _party_warning_of(found, key.pcu, to, now, form, setup, party, reason)
        elif kind in ("feedback", "seizure"):
            answered = [s.message for s in _warnings_about(setup, found.container_number)
                        if s.message.message_id == warning_id]  # fmt: skip
            warning: RiskWarning | None = None
            if answered:
                assert isinstance(answered[0], RiskWarning)
                warning = answered[0]
            elif kind == "feedback" or warning_id:
                raise Refusal(422, _("Choose the warning this answers."))
            elif to not in partners:  # a seizure report of one's own, to a named partner
                raise Refusal(422, _("Choose the warning this answers, or a partner PCU."))
            recipients = [valid_pcu(to)] if to in partners else []
            valid_for = dt.timedelta(days=valid_days)
            if kind == "feedback":
                assert warning is not None
                if result not in ("seizure", "irregularity", "nothing_found", "not_inspected"):
                    raise Refusal(422, _("Choose a result."))
                message = to_feedback(
                    warning, sender=key.pcu, created=now, result=result,  # type: ignore[arg-type]
                    finding=finding.strip() or None, valid_for=valid_for,
                )  # fmt: skip
            else:
                if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,6})?", quantity):
                    raise Refusal(422, _("The quantity must be a number such as 12.5."))
                if not (goods_category.strip() and quantity_unit.strip() and concealment.strip()):
                    raise Refusal(422, _("Say what was seized, its unit and how it was hidden."))
                message = to_seizure(warning, sender=key.pcu, created=now,
                                     goods_category=goods_category.strip(), quantity=quantity,
                                     unit=quantity_unit.strip(), concealment=concealment.strip(),
                                     recipients=recipients, valid_for=valid_for,
                                     container_number=found.container_number)  # fmt: skip
        else:
            raise Refusal(404, _("No such message kind."))
    except ValueError as exc:  # a message the schema refuses
        raise Refusal(422, str(exc).splitlines()[0][:500]) from None
    missing = [p for p in message.recipients if p not in partners]
    if missing:
        raise Refusal(422, _("No address for the partner PCU %(pcu)s in partners.json.")
                      % {"pcu": ", ".join(missing)})  # fmt: skip
    signed = send(message, key=key, log=setup.log(), now=now, policies=setup.policies())
    outcomes = []
    for partner, data in signed.items():
        status, text = setup.transport(partners[partner] + RECEIVE_PATH, data)
        outcomes.append((partner, status, text))
    web = web_context(request)
    with web.store.write() as tx:
        record(tx, user.username, f"exchange.{kind}", message.message_id,
               after={"to": [p for p, _s, _t in outcomes], "container": found.container_number,
                      "delivered": [f"{p}: {s}" for p, s, _t in outcomes]})  # fmt: skip
    failed = [(p, s, t) for p, s, t in outcomes if s != 200]
    if failed:
        text = "; ".join(f"{p}: {s or ''} {_reason(t)}".strip() for p, s, t in failed)
        return _inbox(request, _("Signed and logged, but not delivered:") + " " + text, 502)
    delivered = ", ".join(p for p, _s, _t in outcomes)
    return RedirectResponse(f"/exchange?delivered={kind}:{delivered}", status_code=303)


def _reason(text: str) -> str:
    try:
        answer = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(answer, dict):
        return f"{answer.get('reason', answer.get('status', ''))}: {answer.get('detail', '')}"[:300]
    return text[:300]
