"""The acceptance scenario of issue 20 in a real browser: Karachi loads the example port
day, works three containers to a result, warns Aktau (a workbench on another port of
this machine) about one of them, Aktau sees it arrive, and Karachi's dashboard (the
evaluation report ``evaluate`` writes) reflects the three results."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.serve.e2e.conftest import ROOT, Pcu, Screens, sign_in

PORT_DAY = ROOT / "examples" / "data" / "karachi-sample.csv"
AS_OF = "2026-11-02"
RESULTS = (("finding", "narcotics"), ("nil", ""), ("nil", ""))


def _submit(page: Any, action: str) -> None:
    """Submit the case form of ``action`` on a container's page and wait for its answer."""
    form = page.locator(f"form[action$='/{action}']")
    with page.expect_response(lambda r: r.request.method == "POST"):
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _work(officer: Any, unit: str, result: str, category: str) -> None:
    officer.goto(f"/queue/units/{unit}")
    officer.select_option("form[action$='/dispose'] select[name=disposition]", "physical")
    _submit(officer, "dispose")
    form = "form[action$='/result']"
    officer.wait_for_selector(form)
    officer.select_option(f"{form} select[name=result]", result)
    if category:
        officer.fill(f"{form} input[name=category]", category)
        officer.check(f"{form} input[name=seizure]")
    _submit(officer, "result")


@pytest.mark.slow  # two workbench servers and Chromium for a whole port day
def test_a_port_day_worked_warned_and_evaluated(
    pcus: dict[str, Pcu], browser: Any, screens: Screens
) -> None:
    karachi, aktau = pcus["PK-KHI"], pcus["KZ-AKT"]
    sue = sign_in(browser, karachi, "sue")
    # Load the example port day.
    sue.goto("/queue")
    sue.set_input_files("input[name=file]", str(PORT_DAY))
    sue.fill("input[name=as_of]", AS_OF)
    sue.click("form.upload button[type=submit]")
    sue.wait_for_url(re.compile(r".*/queue\?batch=.*"))
    selected = re.findall(r'href="/queue/units/([^"]+)"', sue.content())
    assert selected, sue.inner_text("main")[:3000]
    screens.shot(sue, "karachi-inspection-list")
    # The day has one red container: two more are added by hand (manual targeting).
    sue.goto(sue.url + "&all=true")
    others = [u for u in dict.fromkeys(re.findall(r'href="/queue/units/([^"]+)"', sue.content()))
              if u not in selected]  # fmt: skip
    units = [selected[0], *others[:2]]
    for unit in units[1:]:
        sue.goto(f"/queue/units/{unit}")
        sue.fill("form[action$='/target'] input[name=reason]", "analyst's choice: e2e test")
        _submit(sue, "target")
    # Three containers: assigned by the supervisor, examined and resulted by the officer.
    for unit in units[:3]:
        sue.goto(f"/queue/units/{unit}")
        sue.select_option("form[action$='/assign'] select[name=officer]", "otto")
        _submit(sue, "assign")
    otto = sign_in(browser, karachi, "otto")
    for unit, (result, category) in zip(units[:3], RESULTS, strict=True):
        _work(otto, unit, result, category)
    otto.goto(f"/queue/units/{units[0]}")
    assert "closed" in otto.content()
    screens.shot(otto, "karachi-container-worked")
    # Warn Aktau about the first, from its page.
    sue.goto(f"/queue/units/{units[0]}")
    container = re.search(r"<h1[^>]*>([A-Z]{4}[0-9]{7})", sue.content())
    assert container, "no container number on the page"
    sue.click("text=Warn a partner")
    sue.wait_for_url(re.compile(r".*/exchange/compose.*"))
    sue.select_option("select[name=to]", "KZ-AKT")
    sue.fill("input[name=category]", "narcotics")
    screens.shot(sue, "karachi-compose-warning")
    sue.click("form#compose button[type=submit]")
    sue.wait_for_url(re.compile(r".*/exchange\?delivered=.*"))
    assert "Delivered" in sue.inner_text("#exchange-message")
    screens.shot(sue, "karachi-warning-sent")
    # It arrives in Aktau's inbox, verified, with its expiry.
    kz = sign_in(browser, aktau, "ana")
    kz.goto("/exchange")
    inbox = kz.inner_text("#inbox")
    assert container.group(1) in inbox
    assert "PK-KHI" in inbox
    assert "verified" in inbox
    screens.shot(kz, "aktau-inbox")
    kz.click("#inbox a >> nth=0")
    assert "Signature verified" in kz.content()
    screens.shot(kz, "aktau-warning")
    watch = (aktau.exchange / "inbox" / "partner_warnings.csv").read_text()
    assert container.group(1) in watch
    # A warning about one of the container's parties, matched through the key the two
    # PCUs share (Karachi's policy for Aktau hashes names with their salt): the name does
    # not travel; Aktau's inbox shows it "by shared key" and its key list holds the key.
    policies = karachi.exchange / "policies"
    policies.mkdir(exist_ok=True)
    (policies / "KZ-AKT.yaml").write_text(
        'partner: KZ-AKT\nhash: [parties.name]\nsalt: "agreed by PK-KHI and KZ-AKT"\n'
    )
    sue.goto(f"/queue/units/{units[0]}")
    sue.click("text=Warn about a party")
    sue.wait_for_url(re.compile(r".*/exchange/compose.*kind=party.*"))
    assert "matched through the shared key" in sue.inner_text("form#compose")
    assert sue.input_value("input[name=category]") not in ("", "pk")  # not the country
    sue.fill("textarea[name=reason]", "pays the freight of three seized boxes")
    screens.shot(sue, "karachi-compose-party-warning")
    sue.click("form#compose button[type=submit]")
    sue.wait_for_url(re.compile(r".*/exchange\?delivered=party.*"))
    kz.goto("/exchange")
    assert "by shared key" in kz.inner_text("#inbox")
    screens.shot(kz, "aktau-inbox-party-warning")
    keys = (aktau.exchange / "inbox" / "partner_warning_party_keys.csv").read_text()
    assert "pays the freight of three seized boxes" in keys
    assert "pk1:" in keys
    # Karachi's dashboard: the evaluation of the day reads the three results.
    sue.goto("/")
    text = sue.inner_text("main")
    assert re.search(r"Inspected \(a result recorded\): 3\b", text), text[:2000]
    assert re.search(r"With a finding: 1\b", text), text[:2000]
    screens.shot(sue, "karachi-dashboard-evaluation")
