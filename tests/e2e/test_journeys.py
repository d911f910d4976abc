"""What real users do, in a real browser: setup, intake on a phone, review, advocacy, outputs."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, log_in, no_sideways_scroll


def test_first_run_setup_creates_the_administrator_and_their_second_factor(pages, fresh_site):
    page = pages(LAPTOP)
    page.goto(fresh_site.url("/"))
    # Nobody can log in yet: the login page offers the one-time setup.
    page.get_by_role("link", name="Set up Casework").click()
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.fill("#display_name", "First Admin")
    page.fill("#email", "first.admin@example.org")
    page.fill("#password", "a long and unusual passphrase")
    page.fill("#confirm", "a long and unusual passphrase")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/account/two-factor/enrol$"))
    secret = page.locator("figure.qr + small code").inner_text().replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    # Recovery codes are shown once; then the administrator reaches the application.
    expect(page.locator("main")).to_contain_text(re.compile("recovery", re.I))
    page.goto(fresh_site.url("/admin/users"))
    expect(page.locator("main")).to_contain_text("first.admin@example.org")
    # The setup page is gone for good.
    assert page.goto(fresh_site.url("/setup")).status == 404


def test_monitor_logs_an_urgent_case_on_a_phone_by_keyboard_alone(pages, demo_site):
    page = pages(PHONE)
    log_in(page, demo_site, "monitor")
    page.goto(demo_site.url("/cases/new"))
    assert no_sideways_scroll(page)
    page.focus("#name")
    page.keyboard.type("Тимур Рахимов (e2e)")
    page.keyboard.press("Tab")  # name kind: keep "as given"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "act_type"
    page.keyboard.type("Extradition")
    page.keyboard.press("Tab")
    page.keyboard.type("2026-11-20")
    page.keyboard.press("Tab")  # approximate date: leave unticked
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "act_place"
    page.keyboard.type("Shymkent")
    page.keyboard.press("Tab")
    page.keyboard.type("Uzbekistan")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "urgency"
    page.keyboard.type("Imminent")
    page.keyboard.press("Tab")
    page.keyboard.type("Detained")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "narrative"
    page.keyboard.type("Detained at the migration office this morning; hearing tomorrow.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "save"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/[A-Za-z0-9_-]+$"))
    main = page.locator("main")
    expect(main).to_contain_text(re.compile(r"KZ-2026-\d{4}"))
    expect(main).to_contain_text("Imminent")
    expect(main).to_contain_text("Тимур Рахимов (e2e)")
    reference = re.search(r"KZ-2026-\d{4}", main.inner_text()).group(0)
    assert no_sideways_scroll(page)
    # It tops the monitor's dashboard.
    page.goto(demo_site.url("/"))
    expect(page.locator("main")).to_contain_text(reference)


def _open_case(page, site, text: str) -> None:
    """Open the case whose row in the case list shows ``text``."""
    page.goto(site.url("/cases"))
    page.locator("main table tr", has_text=text).locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/cases/[A-Za-z0-9_-]+$"))


def test_lawyer_reviews_links_legal_grounds_and_verifies(pages, demo_site):
    page = pages(LAPTOP)
    log_in(page, demo_site, "lawyer")
    _open_case(page, demo_site, "In legal review")
    case_url = page.url
    page.goto(case_url + "/legal/links/new")
    option = page.locator("#provision option", has_text=re.compile(r"^ICCPR:7\b")).first
    page.select_option("#provision", option.get_attribute("value"))
    page.select_option("#assessment", "at_risk")
    page.select_option("#violation_status", "likely")
    page.fill("#analysis", "Risk of ill-treatment in pre-trial detention (e2e).")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("ICCPR:7")
    page.goto(case_url)
    page.click("button[name=to][value=verified]")
    expect(page.locator("main")).to_contain_text("Verified")


def test_coordinator_records_an_urgent_appeal_and_downloads_an_output(pages, demo_site):
    page = pages(LAPTOP)
    log_in(page, demo_site, "coordinator")
    _open_case(page, demo_site, "Verified")
    case_url = page.url
    page.goto(case_url + "/advocacy/new")
    page.select_option("#action_type", "urgent_appeal")
    page.fill("#title", "Urgent appeal to the Working Group on Arbitrary Detention (e2e)")
    page.select_option("#status", "submitted")
    page.fill("#submitted_on", "2026-11-27")
    page.fill("#followup_due", "2026-12-11")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("Working Group on Arbitrary Detention (e2e)")
    page.goto(case_url + "/outputs/special_procedures")
    expect(page.locator("main")).to_contain_text(re.compile("Special Procedures", re.I))
    with page.expect_download() as info:
        page.locator("main a[href*='/outputs/special_procedures/file']").first.click()
    download = info.value
    with open(download.path(), "rb") as f:
        data = f.read()
    assert data[:2] == b"PK" or data.startswith(b"%PDF") or len(data) > 100, data[:100]
    assert download.suggested_filename.startswith("KZ-")


def test_a_monitors_later_edit_sends_a_verified_case_back_to_review(pages, demo_site):
    page = pages(PHONE)
    log_in(page, demo_site, "monitor")
    _open_case(page, demo_site, "Verified")
    case_url = page.url
    page.goto(case_url + "/edit")
    narrative = page.locator("#narrative")
    narrative.fill(narrative.input_value() + "\n\nA relative says he was moved to another prison.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/cases/[A-Za-z0-9_-]+$"))
    main = page.locator("main")
    expect(main).to_contain_text("In legal review")
    # The history says so in words, naming what changed.
    expect(main).to_contain_text("went back into legal review")
    assert no_sideways_scroll(page)


def _choose_language_in_profile(page, site, code: str) -> None:
    """Save ``code`` as the interface language on the profile page; the case list follows."""
    page.goto(site.url("/profile"))
    page.select_option("#profile-language", code)
    page.locator("#profile-language").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    page.goto(site.url("/cases"))
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_a_user_switches_to_russian_on_the_login_page_and_in_the_profile(pages, demo_site):
    page = pages(PHONE)
    page.goto(demo_site.url("/login"))
    page.select_option("#language", "ru")
    page.locator("form.language-choice button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("main")).to_contain_text("Пароль")
    # The lawyer chooses Russian for good in the profile: every page follows, the case file too.
    log_in(page, demo_site, "lawyer")
    _choose_language_in_profile(page, demo_site, "ru")
    page.locator("main table a[href^='/cases/']").first.click()
    main = page.locator("main")
    expect(main).to_contain_text("Правовые основания")
    assert no_sideways_scroll(page)
    # And back to English, for the other journeys of this session.
    _choose_language_in_profile(page, demo_site, "en")


def test_a_coordinator_reads_the_output_and_upr_pages_on_a_phone_in_russian(pages, demo_site):
    """The tables of what leaves and of the UPR drafts scroll within themselves on a phone, in
    the longer Russian headings, not the whole page sideways."""
    page = pages(PHONE)
    log_in(page, demo_site, "coordinator")
    _choose_language_in_profile(page, demo_site, "ru")
    try:
        _open_case(page, demo_site, "KZ-2026-0001")
        page.goto(page.url + "/outputs/special_procedures")
        expect(page.locator("main table")).to_be_visible()
        assert no_sideways_scroll(page)
        page.goto(demo_site.url("/reports/upr"))
        page.fill("#period_from", "2019-12-01")
        page.fill("#period_to", "2025-01-01")
        page.locator("main form button[type=submit]").click()
        # The draft's live word count speaks Russian too, as it is typed.
        page.fill("#body", "Слово " * 5)
        expect(page.locator("#word-count")).to_have_text(re.compile(r"^\s*Слов: 5 из \d+\s*$"))
        page.goto(demo_site.url("/reports/upr"))
        expect(page.locator("main table")).to_be_visible()
        assert no_sideways_scroll(page)
    finally:
        _choose_language_in_profile(page, demo_site, "en")


def test_going_back_to_a_saved_intake_says_it_was_saved(pages, demo_site):
    """On a phone a monitor saves a draft, then goes Back: the browser fetches the form afresh
    (with a fresh key and some of what was typed put back), so a second tap would save a second
    case. The form says it was saved a moment ago; opened from a link, it does not."""
    page = pages(PHONE)
    log_in(page, demo_site, "monitor")
    page.goto(demo_site.url("/cases/new"))
    notice = page.locator("main [data-after-back]")
    page.fill("#name", "Back Button Person (e2e)")
    page.fill("#narrative", "Saved, then Back.")
    page.locator("button[name=save_draft]").click()
    expect(page).not_to_have_url(re.compile(r"/cases/new$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/cases/new$"))
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You saved this form a moment ago")
    page.goto(demo_site.url("/cases/new"))
    expect(notice).to_be_hidden()


def test_the_case_list_fits_a_laptop_in_russian(pages, demo_site):
    """Its Russian badges ("На юридической проверке", "Неминуемое выдворение") kept on one line
    made the table wider than a laptop's page: its last column was cut off, to scroll to."""
    page = pages(LAPTOP)
    page.context.add_cookies([{"name": "lang", "value": "ru", "url": demo_site.base}])
    log_in(page, demo_site, "monitor")
    for width in (LAPTOP["width"], 1024):
        page.set_viewport_size({"width": width, "height": LAPTOP["height"]})
        page.goto(demo_site.url("/cases"))
        expect(page.locator("main table")).to_be_visible()
        widths = page.evaluate(
            "[...document.querySelectorAll('main .overflow-auto')]"
            ".map(d => d.scrollWidth - d.clientWidth)"
        )
        assert widths and max(widths) <= 1, (width, widths)
