"""Every output, generated for cases with all four consent levels and a family at risk, carries
no name, other spelling, UNHCR number, contact or exact address of anyone who did not consent;
anonymised people appear only by their pseudonym; a restricted case of another team appears in
no output of a coordinator off its team."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.reports.anonymise import (
    NAME_WITHHELD,
    WITHHELD,
    Output,
    Scrubber,
    disclose_case,
    name_key,
    name_parts,
    scrub_page_text,
)
from casework.reports.models import ReportDraft
from tests import report_world
from tests.clients import client_for
from tests.extract import text_of

CASE_OUTPUTS = ("special_procedures", "cat", "dossier", "archive")


def leaks(world: report_world.ReportWorld, text: str) -> list[str]:
    lowered = text.casefold()
    return sorted(
        label for label, value in world.forbidden().items() if value.casefold() in lowered
    )


def _review_everything(client, world) -> None:
    for output in CASE_OUTPUTS:
        response = client.post(f"/cases/{world.case.public_id}/outputs/{output}/review", data={})
        assert response.status_code == 302
    # The export and the UPR submission are reviewed per case too.
    with client.application.app_context():
        pass


def _generate_everything(app, world, user, tmp_path) -> dict[str, str]:
    """Every output the user can produce: label -> extracted text."""
    client = client_for(app, user)
    seen: dict[str, str] = {}

    def get(url: str, kind: str, label: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        seen[label] = text_of(response.get_data(), kind)

    for fmt in ("csv", "xlsx", "json"):
        for anonymise in (False, True):
            data = {"format": fmt}
            if anonymise:
                data["anonymise"] = "y"
            response = client.post("/reports/export", data=data)
            assert response.status_code == 200, fmt
            seen[f"export {fmt} {anonymise}"] = text_of(response.get_data(), fmt)
    get("/reports/statistics?status=verified", "html", "statistics")
    for key in ("year", "nationality", "ethnicity", "destination", "provisions", "advocacy"):
        get(f"/reports/statistics/{key}.csv?status=verified", "csv", f"statistics {key}")
    response = client.post(
        "/reports/upr", data={"period_from": "2010-01-01", "period_to": "2014-12-31"}
    )
    assert response.status_code == 302
    draft = db.session.scalar(select(ReportDraft).order_by(ReportDraft.id.desc()))
    get(f"/reports/upr/{draft.public_id}", "html", "upr draft page")
    get(f"/reports/upr/{draft.public_id}/docx", "docx", "upr docx")
    out = tmp_path / "upr.docx"
    result = app.test_cli_runner().invoke(
        args=[
            "report", "upr", "--from", "2010-01-01", "--to", "2014-12-31",
            "--out", str(out), "--joint", "--as", user.email,
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    seen["upr cli"] = text_of(out.read_bytes(), "docx")
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"export.{fmt}"
        result = app.test_cli_runner().invoke(
            args=["export", "cases", "--format", fmt, str(out), "--as", user.email]
        )
        assert result.exit_code == 0, result.output
        seen[f"export cli {fmt}"] = text_of(out.read_bytes(), fmt)
    case = world.case.public_id
    for output, formats in (
        ("special_procedures", ("docx", "txt")),
        ("cat", ("docx",)),
        ("dossier", ("pdf",)),
        ("archive", ("zip",)),
    ):
        get(f"/cases/{case}/outputs/{output}", "html", f"{output} preview")
        for fmt in formats:
            get(f"/cases/{case}/outputs/{output}/file?format={fmt}", fmt, f"{output} {fmt}")
    get(f"/cases/{case}/outputs/archive/file?anonymise=1", "zip", "archive anonymised")
    return seen


@pytest.fixture
def world(app):
    return report_world.build()


def test_every_output_keeps_consent(app, world, tmp_path):
    client = client_for(app, world.coordinator)
    _review_everything(client, world)
    # Exports and the UPR text leave free text once reviewed for them as well.
    for output in (Output.EXPORT, Output.UPR):
        from casework.reports import services

        services.review_free_text(world.coordinator, world.case, output)
    db.session.commit()
    seen = _generate_everything(app, world, world.coordinator, tmp_path)
    db.session.expire_all()
    pseudonym = world.people["anonymised"].pseudonym
    assert pseudonym
    for label, text in seen.items():
        assert leaks(world, text) == [], label
    # The free text did leave, scrubbed: the reviewed narrative is there, names replaced.
    assert "was arrested at his home" in seen["special_procedures txt"]
    assert NAME_WITHHELD in seen["special_procedures txt"]
    assert "KNB" in seen["dossier pdf"]
    for label in ("export csv False", "upr docx", "special_procedures docx", "dossier pdf"):
        assert pseudonym in seen[label], label
        assert "Bakhrom Toshev" in seen[label], label  # named consent: the name leaves
    # The family-at-risk person (named consent) appears by pseudonym only.
    assert world.people["family_at_risk"].pseudonym in seen["dossier pdf"]
    # An anonymised export names nobody and carries no free text.
    assert "Bakhrom Toshev" not in seen["export csv True"]
    assert "was arrested" not in seen["export json True"]
    assert world.case.reference in seen["export xlsx False"]
    # Every output is in the audit trail: who, what, how many cases, never their content.
    entries = list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "output.generated"))
    )
    outputs = {e.details["output"] for e in entries}
    assert {"export", "statistics", "upr", *CASE_OUTPUTS} <= outputs
    assert all(e.actor_id == world.coordinator.id for e in entries)
    assert leaks(world, json.dumps([e.details for e in entries], ensure_ascii=False)) == []
    assert any(e.details["output"] == "export" and e.details["cases"] == 1 for e in entries)


def test_without_review_no_free_text_leaves(app, world, tmp_path):
    seen = _generate_everything(app, world, world.coordinator, tmp_path)
    for label, text in seen.items():
        assert leaks(world, text) == [], label
        if "preview" not in label and label != "upr draft page":
            assert "was arrested at his home" not in text, label
            assert "Nazarov followed" not in text, label


def test_team_of_the_restricted_case_sees_it_in_its_outputs(app, world):
    """The other side of the restricted-case check: the team's own export lists it."""
    team_member = db.session.get(type(world.coordinator), world.restricted.created_by_id)
    client = client_for(app, team_member)
    text = text_of(client.post("/reports/export", data={"format": "csv"}).get_data(), "csv")
    assert world.restricted.reference in text
    assert world.case.reference not in text


def test_a_changed_case_needs_a_new_review(app, world):
    from casework.reports import services

    services.review_free_text(world.coordinator, world.case, Output.CAT)
    db.session.commit()
    assert disclose_case(world.case, Output.CAT).narrative
    assert disclose_case(world.case, Output.DOSSIER).narrative is None  # per output
    world.case.narrative = world.case.narrative + " New fact."
    db.session.commit()
    assert disclose_case(world.case, Output.CAT).narrative is None


def test_a_legal_analysis_changed_after_the_review_needs_a_new_review(app, world):
    """An analysis leaves with the case's free text: written after the review (naming a
    protected source, say), it would have left unreviewed."""
    from datetime import timedelta

    from sqlalchemy import update

    from casework.cases.models import Case, Event
    from casework.legal import services as legal
    from casework.legal.models import CaseProvision
    from casework.reports import services

    # Everything of the case was written a minute before the review.
    earlier = {"updated_at": world.case.updated_at - timedelta(minutes=1)}
    for model in (Case, Event, CaseProvision):
        key = model.id if model is Case else model.case_id
        db.session.execute(update(model).where(key == world.case.id).values(**earlier))
    db.session.commit()
    db.session.expire_all()
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    first = disclose_case(world.case, Output.EXPORT)
    assert first.analyses and "faces torture" in first.analyses[0][1]  # reviewed: it leaves
    link = db.session.scalar(select(CaseProvision).where(CaseProvision.case_id == world.case.id))
    legal.update_link(
        world.lawyer, link, link.version, assessment=link.assessment,
        violation_status=link.violation_status,
        analysis="Our informant Farrukh Umarov (KNB insider) confirms the risk.",
    )  # fmt: skip
    db.session.commit()
    after = disclose_case(world.case, Output.EXPORT)
    assert after.analyses == [] and after.narrative is None
    assert "Farrukh" not in json.dumps(after.__dict__, default=str)
    # Reviewed again, the new analysis leaves.
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    assert "KNB insider" in disclose_case(world.case, Output.EXPORT).analyses[0][1]


def test_each_legal_analysis_is_scrubbed_once(app, world, monkeypatch):
    """An analysis leaves scrubbed of the names it may not give, and is scrubbed once: an
    output over many cases scrubs each of its texts once, not twice."""
    from casework.legal.models import CaseProvision

    link = db.session.scalar(select(CaseProvision).where(CaseProvision.case_id == world.case.id))
    analysis = link.analysis
    scrubbed: list[str] = []
    real = Scrubber.scrub

    def counted(self, text, **kwargs):
        scrubbed.append(text)
        return real(self, text, **kwargs)

    monkeypatch.setattr(Scrubber, "scrub", counted)
    out = disclose_case(world.case, Output.CAT, assume_reviewed=True)
    [(_, text)] = out.analyses
    assert "faces torture" in text and "Kholmatov" not in text and "Yusupova" not in text, text
    assert scrubbed.count(analysis) == 1, scrubbed.count(analysis)


def test_pseudonym_is_stable_across_outputs(app, world):
    first = disclose_case(world.case, Output.EXPORT)
    second = disclose_case(world.case, Output.UPR)
    labels = lambda c: sorted(p.label for p in c.people)  # noqa: E731
    assert labels(first) == labels(second)


def test_scrubber_across_scripts_and_endings():
    scrubber = Scrubber(names={name_key("Холматов"): "P1", name_key("Юсупова"): "P2"})
    text = scrubber.scrub("Холматову, Xolmatov, Kholmatova and Юсупова met Yusupova's lawyer.")
    assert "P1" in text and "P2" in text
    for word in ("Холматову", "Xolmatov", "Kholmatova", "Юсупова", "Yusupova"):
        assert word not in text
    assert "lawyer" in text
    # Plurals and cases: the family ("the Kholmatovs", "у Холматовых", "Xolmatovlarning"), a
    # woman's name in another case ("Юсуповой"); a town is left alone.
    text = scrubber.scrub("The Kholmatovs, у Холматовых, Xolmatovlarning uyi; Юсуповой. Tashkent")
    for word in ("Kholmatovs", "Холматовых", "Xolmatovlarning", "Юсуповой"):
        assert word not in text
    assert "uyi" in text and "Tashkent" in text
    assert "[contact withheld]" in Scrubber().scrub("call +7 (701) 555-12-34 now")
    assert "2012-06-09" in Scrubber().scrub("on 2012-06-09")


def test_a_withheld_name_in_another_spelling_or_script_is_withheld():
    """A name is written in other spellings than those recorded: Kazakh and Kyrgyz letters
    romanised one way or another, Uzbek Latin, Uyghur in Arabic script, Cyrillic or Latin,
    German and French transliterations. The people matcher takes each for the same name; the
    output let them through. Ordinary words, lower-case or capitalised, stay."""
    recorded = {
        "Ҳўжаев Шуҳрат": ["Khodjaïev", "Xo'jayev", "Хўжаевой", "Khodjayev", "Hocayev", "Khojaev"],
        "Шынар Әлиева": ["Aliyeva", "Äliyeva", "Shinar", "Алиевой"],
        "Ўткир Ғуломов": ["Уткир", "Utkir", "Ghulyamov", "Gulyamov"],
        "ئابدۇرەھىم تۇرسۇن": ["Абдурахим", "Abdurakhim", "Abdurahim", "Tursunov"],
        "Gulnur Memet": ["Мамет", "Мәмәт", "Mämät", "Гүлнұр"],
        "Өмүрбек Төлөнбаев": ["Tolonbayev", "Tölönbajew", "Omurbek"],
        "Чыңгыз Айтматов": ["Chingiz", "Чингиз", "Çıñğız", "Aitmatov", "Aitmatow"],
        "Ильяс Исмаилов": ["İsmayılov", "Ismayilov", "ISMAYILOV", "Ilias"],
        "Abdurehim Tursun": ["Абдурейим", "Abdureyim", "Абдурәһим"],
        "Ходжаев Шухрат": ["Chodschajew", "Khodjaïev", "Hodžajev", "Schuchrat", "Choukhrat"],
        "Alisher Kholmatov": ["Kholmatoff", "Cholmatow", "Kholmatowa", "ХОЛМАТОВА"],
    }
    _each_spelling_withheld(recorded)
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Ўткир Бакыт Жанар Усен Омар Али"), "P1"))
    text = (
        "Attacker using a packet; in January, Amir said, Ali: умер, Ким, IDOR, Back. "
        "An attacker, backed by the bucket, died."
    )
    assert scrubber.scrub(text) == text.replace("Ali:", "P1:")
    # A spelling of the name of someone the output names is theirs.
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Ҳўжаев"), "P1"))
    scrubber.kept.update(name_parts("Rustam Khodjayev"))
    assert scrubber.scrub("Khodjayev, Khodjaïev") == "Khodjayev, P1"


def test_a_withheld_name_in_a_turkish_or_german_spelling_is_withheld():
    """Turkish spells дж c and ч ç, and a cedilla is often lost (Cingiz for Чыңгыз); German and
    French papers spell the Х of a name Ch (Chodjaev for Ходжаев): such spellings of a withheld
    name left the output. Words that merely start so stay."""
    for name, spellings in {
        "Чыңгыз Айтматов": ["Cingiz", "Çingiz", "Şıñğıs", "Cıngız"],
        "Ходжаев Шухрат": ["Chodjaev", "Chodjayev", "Chodjaevning", "Hocayev"],
        "Khodjaev Shukhrat": ["Chodjaev", "Chodjayev", "Ходжаев"],
        "Cengiz Hocaoğlu": ["Чингиз", "Chingiz", "Ходжаоглу"],
    }.items():
        scrubber = Scrubber(names=dict.fromkeys(name_parts(name), "P1"))
        for spelling in spellings:
            assert scrubber.scrub(f"He met {spelling} there.") == "He met P1 there.", (
                name,
                spelling,
            )
    scrubber = Scrubber(
        names=dict.fromkeys(name_parts("Чыңгыз Ходжаев Шухрат Жанар Холматова Cengiz"), "P1")
    )
    text = (
        "China, the Chairman, Justice, January, June, Convention, Committee, Chapter 3; "
        "Calmative, Cashew, Honor, Hinges (a c read as ç, then as Х, is no spelling)."
    )
    assert scrubber.scrub(text) == text


def test_a_name_ending_in_iya_is_withheld_with_a_kazakh_case_ending():
    """A name whose key ends in -iya (Әлия, Алия, Aliya) is keyed -ia, but with a Kazakh case
    ending after it (Әлияны, Әлияға, Әлиядан) the -iya was inside the word and kept, so the
    stem no longer matched and the name left the output. Alma's city stays."""
    endings = ("ны", "ға", "да", "дан", "ның", "мен", "ға", "ды", "ге", "де")
    _each_spelling_withheld(
        {
            "Әлия Сейітова": [f"Әлия{ending}" for ending in endings] + ["Aliyaga", "Aliyani"],
            "Aliya Seitova": ["Әлияны", "Алияға", "Aliyadan"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Әлия Сейітова"), "P1"))
    text = "Алиби, Alien, Aliyev, Aliens and the Alianza; Әлихан"
    assert scrubber.scrub(text) == text


def test_a_russian_skh_and_an_english_sh_of_one_name_are_withheld_either_way():
    """Russian writes the s and h of Ishaq, Is'hoq (two sounds) сх, which the key reads s-h,
    where Latin papers write sh, read as ш: Исхак and Ishaq had different keys, and a name
    recorded in one script left the output written in the other. A Turkish text that lost the
    cedilla of ş (Abduresit for Abdureşit, Sakenov for Şäkenov) let the name through too.
    Ordinary words with сх or s stay (spelt loosely, a name's s for ş was half of English)."""
    _each_spelling_withheld(
        {
            "Исхак Турсунов": ["Ishaq", "Ishak", "Ishaqning", "Ishaqtin"],
            "Ishaq Tursun": ["Исхак", "Исхака", "Исхаком", "Исхакты"],
            "Abdureşit Tohti": ["Abduresit", "Abduresitning"],
            "Абдурешит Тохти": ["Abduresit", "Abdureşit"],
            "Şäkenov Ğalym": ["Sakenov", "Sakenova"],
        }
    )


def test_an_uzbek_spelling_of_a_russian_skh_is_withheld():
    """Uzbek writes the s-h of Исхак with an apostrophe or ҳ, and its а o (Is'hoq, Исҳоқ): the
    name recorded in Russian left the output in an Uzbek text, and the Uzbek name in a Russian
    one."""
    _each_spelling_withheld(
        {
            "Исхак Мирзаев": ["Is'hoq", "Ishoq", "Исҳоқ", "Is'hoqning", "Исҳоқни"],
            "Is'hoq Mirzayev": ["Исхак", "Исхака", "Ishaq"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Исхак Шакир Абдурешит Шамиль"), "P1"))
    text = "Исход, схема, расход, сходство, a sample, Tasks, Masks, Mystery, Syrian, Reside, Sole"
    assert scrubber.scrub(text) == text


def test_a_town_whose_name_begins_as_a_withheld_name_stays():
    """Алматы begins as Алма does, and -ты is a Kazakh case ending: with a woman named Алма
    withheld, every Алматы of the output was withheld as her name (and an event's town was
    dropped). A word the Russian dictionary knows as a place, and as no form of a withheld
    name, is no name with an ending; the name itself, in its cases, is still withheld."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Алма Қараған"), "P1"))
    for text in ("Она жила в Алматы.", "Суд Караганды", "из Алматы и Караганды"):
        assert scrubber.scrub(text) == text
    for word in ("Алма", "Алмаға", "Алманы", "Алмада", "Almaga"):
        assert scrubber.scrub(f"He met {word} there.") == "He met P1 there.", word
    # A town's name that is also a case of the withheld name is withheld (Астана, of Астан).
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Астан Алмат"), "P1"))
    assert scrubber.scrub("у Астана, у Алматы") == "у P1, у P1"


def test_a_withheld_name_with_a_german_ch_for_kh_before_a_vowel_is_withheld():
    """German papers write Х Ch before a vowel inside a word too (Ilchom for Ильхом, Muchammad
    for Мухаммад, Rachimov for Рахимов): such spellings of a withheld name left the output.
    Other words with a ch stay."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Ильхом Мухаммад Рахимов"), "P1"))
    for spelling in ("Ilchom", "Ilchomga", "Muchammad", "Rachimov", "Rachimow"):
        assert scrubber.scrub(f"He met {spelling} there.") == "He met P1 there.", spelling
    text = "Richard, Machine, Archive, Bachelor, Chechnya, Michael, the Chairman, Rachel."
    assert scrubber.scrub(text) == text


def test_a_withheld_name_with_a_german_ch_for_kh_at_the_end_of_a_word_is_withheld():
    """German papers write a final Х Ch (Farruch for Фаррух): the name left the output."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Фаррух Имин"), "P1"))
    for spelling in ("Farruch", "Farrouch"):
        assert scrubber.scrub(f"He met {spelling} there.") == "He met P1 there.", spelling
    text = "Munich, Zurich, Sandwich, the Reich, Rich, French, Ostrich."
    assert scrubber.scrub(text) == text


def test_a_withheld_name_typed_with_a_digit_or_a_look_alike_letter_is_withheld():
    """A scan's text or a hurried typist puts a zero for an o, a one or a capital I for an l, a
    three for a З (Kh0lmatov, KhoImatov, Ho1matov, 3арина): the name left the output. Numbers,
    references and words with digits that spell no withheld name stay."""
    scrubber = Scrubber(
        names=dict.fromkeys(name_parts("Alisher Kholmatov Зарина Ismoilov Omar"), "P1")
    )
    for spelling in (
        "Kh0lmatov", "KhoImatov", "Ho1matov", "Xo1matov", "KH0LMATOV", "A1isher", "AIisher",
        "Kh0lmatovning", "Х0лматов", "3арина", "Зар1на", "lsmoilov", "1smoilov", "Kholrnatov",
    ):  # fmt: skip
        assert scrubber.scrub(f"He met {spelling} there.") == "He met P1 there.", spelling
    text = (
        "KZ-2012-0001, case 10, Art. 3, 1st, 3rd, COVID19, G20, A1, H1N1, x10, 300kg, "
        "Iran, Iowa, ISIL, iPhone, lsof, OIlmatov, Earner, earner (a word as written)."
    )
    assert scrubber.scrub(text) == text


def test_the_initials_written_with_a_withheld_name_are_withheld_with_it():
    """ "A. Kholmatov" left the output as "A. [name withheld]", "Холматов А.Б." as "[name
    withheld] А.Б.": the initials of a withheld person, before or after the name, narrow down
    who it is. They go with the name; an initial anywhere else stays."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Alisher Kholmatov"), NAME_WITHHELD))
    for text in (
        "A. Kholmatov", "A.B. Kholmatov", "A. B. Kholmatov", "A.Kholmatov", "Kholmatov A.",
        "Kholmatov A.B.", "Kholmatov, A.", "KHOLMATOV A. B.", "Холматов А.Б.", "А.Б. Холматова",
        "Ә. Холматов", "Kholmatov A.A.",
    ):  # fmt: skip
        assert scrubber.scrub(f"He met {text} there.") == f"He met {NAME_WITHHELD} there.", text
    assert scrubber.scrub("He met Kholmatov A. B.") == f"He met {NAME_WITHHELD}"
    pseudonymised = Scrubber(names=dict.fromkeys(name_parts("Alisher Kholmatov"), "Person AB123"))
    assert pseudonymised.scrub("A. Kholmatov said") == "Person AB123 said"
    for text in (
        "A. Karimov met him. Kholmatov was there.", "U.S. courts", "Plan B. Then",
        "Art. 3 of the Convention", "Kholmatov. A. Karimov came", "и Холматов и др.",
    ):  # fmt: skip
        scrubbed = scrubber.scrub(text)
        assert scrubbed == text.replace("Kholmatov", NAME_WITHHELD).replace(
            "Холматов", NAME_WITHHELD
        ), text


def test_a_withheld_first_name_said_fondly_is_withheld():
    """A first name is said fondly: shortened with a Russian ending (Alishka, Алишка, Рустамчик
    for Alisher and Rustam) or with an Uzbek, Kazakh or Kyrgyz one (Alisherbek, Алишербек,
    Алишерджан): so written, it left the output. A word that merely starts as a name does not
    (Tajik of Tajibayev, Restrike of Restrictedov: a name is cut short after a consonant, to
    four letters or more and half of it or more)."""
    scrubber = Scrubber(
        names=dict.fromkeys(name_parts("Alisher Rustam Tajibayev Restrictedov"), "P1")
    )
    for spelling in (
        "Alishka", "Алишка", "Алишик", "Rustamchik", "Рустамчик", "Рустамка", "Alisherbek",
        "Алишербек", "Алишерджан", "Alisherjon", "Алишерке", "Алишкой", "Рустик",
    ):  # fmt: skip
        assert scrubber.scrub(f"He met {spelling} there.") == "He met P1 there.", spelling
    text = "Tajik courts, Tajiks, таджики, Alibi, Rustavi, Alisa, Uzbek, Aliska, Restrike."
    assert scrubber.scrub(text) == text
    # A Russian pet form keeps as few as three letters of the name (Дилька of Дилноза): Ruska
    # reads as one of Rustam (as Руська is of Руслан), and is withheld with it.
    assert scrubber.scrub("Ruska") == "P1"


def test_a_withheld_name_misspelt_in_lower_case_is_withheld():
    """A name typed in lower case ("the victim khalmatov was") was withheld only as recorded:
    misspelt, it left the output. A lower-case word spelt as the name is (the same consonants,
    the same vowels up to o/a/e and i/y) is now withheld, unless it is an ordinary word of
    English or Russian ("ballet" and "балет" beside Bolat, "medina" beside Madina), or short
    ("rasa" beside Роза: four letters alike a name are as often a word of another language)."""
    scrubber = Scrubber(
        names=dict.fromkeys(
            name_parts("Alisher Kholmatov Dilnoza Роза Rustam Ҳўжаев Bolat Madina"), "P1"
        )
    )
    for spelling in (
        "khalmatov", "kholmatof", "xolmatof", "kholmatoff", "dilnosa", "alishar", "khodjayev",
        "xo'jayev", "kh0lmatof", "khalmatovning", "rustem", "bolatt", "холматав",
    ):  # fmt: skip
        assert scrubber.scrub(f"the victim {spelling} was") == "the victim P1 was", spelling
    text = "the ballet, a ballot, medina, балет, болото, два раза, роса, rasa, holiday, khaki."
    assert scrubber.scrub(text) == text


def test_a_withheld_name_with_any_uzbek_apostrophe_is_withheld():
    """Uzbek Latin writes the oʻ and gʻ of a name with any of six apostrophes, and a web page
    escapes the typewriter one (G&#39;ulomov): a name written with the left quote (U+2018) or
    the acute accent, or escaped in the team's print, was cut in two at it and let through."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Ғуломов Ўткир Ғайратжон"), "P1"))
    for apostrophe in ("ʻ", "’", "'", "`", "ʼ", "‘", "´"):
        for word in (f"G{apostrophe}ulomov", f"O{apostrophe}tkir", f"G{apostrophe}ayratjon"):
            assert scrubber.scrub(f"met {word}.") == "met P1.", word
    for escaped in ("G&#39;ulomov", "G&#x27;ulomov", "G&apos;ulomov", "O&#39;tkir"):
        assert scrubber.scrub(f"<p>met {escaped}.</p>", generic=False) == "<p>met P1.</p>"
    assert scrubber.scrub("<p>Ko&#39;cha, it&#39;s</p>") == "<p>Ko&#39;cha, it&#39;s</p>"


def test_a_withheld_name_with_a_kazakh_kyrgyz_or_uyghur_case_ending_is_withheld():
    """Kazakh, Kyrgyz and Uyghur text adds case endings to a name (Қасымовтың: of Qasymov;
    Нұрланнан: from Nurlan; Ömirbekke: to Ömirbek): written so, the name left the output."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Қасымов Нұрлан Өмірбек"), "P1"))
    for word in (
        "Қасымовтың", "Qasymovtyń", "Qasymovtyng", "Қасымовты", "Қасымовпен", "Қасымовтар",
        "Нұрланның", "Нұрланды", "Нұрланнан", "Nurlannyń", "Нурландын", "Нурланга",
        "Ömirbekke", "Өмірбектің", "Өмірбекті", "Ömirbekdin", "Omirbektin", "Ömirbektiń",
    ):  # fmt: skip
        assert scrubber.scrub(f"{word} bar") == "P1 bar", word
    for word in ("Қасым", "Nurbek", "Omir", "бектің", "планды", "Almaty"):
        assert scrubber.scrub(f"{word} bar") == f"{word} bar", word


def test_a_withheld_name_ending_in_kh_keeps_withheld_with_a_case_ending():
    """A name's key drops a final х after a vowel (Фаррух, Farrukh, Farrux: one key), but an
    ending keeps it in the word's key (Фарруха), so the name with any case ending went out:
    Фарруха, Фаррухом, Farrukhga, Farrukhning, Фаррухтың."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Фаррух Шоҳрух"), "P1"))
    for word in (
        "Фарруха", "Фарруху", "Фаррухом", "Фаррухе", "Фаррухов", "Farrukhga", "Farrukhning",
        "Farrukhni", "Farruxdan", "Farrukhda", "Фаррухтың", "Фаррухқа", "Шохруха", "Shohruxga",
    ):  # fmt: skip
        assert scrubber.scrub(f"{word} bar") == "P1 bar", word
    for word in ("Farah", "Фара", "Шахта"):  # Фарук is Фаррух to Russian papers: withheld
        assert scrubber.scrub(f"{word} bar") == f"{word} bar", word


def test_a_name_with_an_invisible_character_in_it_is_still_withheld():
    """Text pasted from a word processor or a web page can carry, inside a name, characters
    nobody sees: a soft hyphen, a zero-width space or joiner, a word joiner, a byte-order mark,
    a direction mark; or a stress mark, or letters decomposed (й as и and a breve). The name
    reads the same on the review page, and left the output unscrubbed."""
    import unicodedata

    scrubber = Scrubber(
        names={name_key(n): "P1" for n in ("Холматов", "Йўлдош")},
        literals=[("Абая 12", "[withheld]")],
    )
    hidden = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u202e"]
    for mark in hidden:
        text = scrubber.scrub(f"Брат Хол{mark}матова задержан.")
        assert text == "Брат P1 задержан.", (mark, text)
    assert scrubber.scrub("Х\u0301олматов") == "P1"
    assert scrubber.scrub(unicodedata.normalize("NFD", "Йўлдош приехал")) == "P1 приехал"
    assert scrubber.scrub("ул. Абая\u00ad 12") == "ул. [withheld]"
    # Hyphenated at a line's end, as a PDF's text breaks it; another word so broken stays.
    assert scrubber.scrub("Брат Хол-\nматова и вод-\r\n  ный") == "Брат P1 и вод-\r\n  ный"
    # A name recorded with such a character in it is withheld as typed without it.
    recorded = Scrubber(names=dict.fromkeys(name_parts("Нур\u00adлан Абе\u200bнов"), "P2"))
    assert recorded.scrub("Нурлан Абенов, Abenov") == "P2, P2"
    # Look-alike letters of another script inside the name (Latin, Cyrillic, Greek), letters
    # of another width or style (full-width, mathematical bold), the name decomposed (NFD).
    for word in (
        "Хoлматов", "Хoлмaтoв", "ΧΟЛМАТОВ", "Холматоv", "Ｈｏｌｍａｔｏｖ", "𝐗𝐨𝐥𝐦𝐚𝐭𝐨𝐯",
        unicodedata.normalize("NFD", "Ҳолматов"),
    ):  # fmt: skip
        assert scrubber.scrub(f"Брат {word} задержан.") == "Брат P1 задержан.", word
    # Text without such characters is left as it was written.
    assert scrubber.scrub("Uyghur: ئابدۇللا, café") == "Uyghur: ئابدۇللا, café"


def test_a_name_in_a_patronymic_a_fond_form_an_adjective_or_a_handle_is_withheld():
    """A patronymic names the father ("Дилшод Алишерович": Alisher's son), "-jon" or "-xon"
    is an Uzbek name said fondly, an adjective of a surname is the family's, and a handle runs
    the name together: each gives a withheld name away. Other words are left alone."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Алишер Холматов"), "P1"))
    for text in (
        "Дилшод Алишерович", "Dilshod Alisherovich", "Малика Алишеровна", "с Алишеровичем",
        "Alisherjon", "Алишержон", "Алишерхон", "Холматовское дело", "семья Холматовских",
        "AlisherKholmatov", "t.me/AlisherKholmatov",
    ):  # fmt: skip
        scrubbed = scrubber.scrub(text)
        assert "Алишер" not in scrubbed and "Alisher" not in scrubbed, (text, scrubbed)
        assert "Холматов" not in scrubbed and "Kholmatov" not in scrubbed, (text, scrubbed)
    assert scrubber.scrub("AlisherKholmatov") == "P1"
    assert scrubber.scrub("ДилшодҲолматов") == "ДилшодP1"
    for text in ("Karimovich", "Ivanovna", "Ташкентский суд", "iPhone", "McDonald", "Sherzod"):
        assert scrubber.scrub(text) == text


def test_an_address_down_to_the_house_in_free_text_is_withheld():
    """Free text may say where someone lives or hides, in any of the region's ways of writing
    an address; the address is withheld whoever it belongs to (it need not be a person's
    recorded one). A street named without a house, and numbers that are no house, stay."""
    scrubber = Scrubber()
    for text in (
        "Живёт по адресу: ул. Абая 12, кв. 5", "улица Абая, дом 12", "мкр. Самал-2, д. 15, кв. 7",
        "пр-т Достык 5/1", "дом 12 по улице Абая", "д. 7, кв. 12", "Abay avenue 10, apt 3",
        "Amir Temur ko'chasi 12", "Абай даңғылы 10", "Абай көшесі, 45", "ул. Толе би, 59",
    ):  # fmt: skip
        scrubbed = scrubber.scrub(text)
        assert WITHHELD in scrubbed and not any(ch.isdigit() for ch in scrubbed), (text, scrubbed)
    assert scrubber.scrub("He lives at Abay avenue 10.") == f"He lives at {WITHHELD}."
    # A street without its kind ("Абая 12"), where the text says it is an address or a flat
    # follows the house; what introduces it stays.
    for text, expected in (
        ("Живёт по адресу: Абая 12.", f"Живёт по адресу: {WITHHELD}."),
        ("по адресу Алматы, Толе би 59", f"по адресу {WITHHELD}"),
        ("His address: Abaya 12/3, Almaty", f"His address: {WITHHELD}, Almaty"),
        ("Адрес: Абая 12", f"Адрес: {WITHHELD}"),
        ("hid at Abaya 12, apt 3 for a week", f"hid at {WITHHELD} for a week"),
        ("Абая 12, кв. 5", WITHHELD),
    ):
        assert scrubber.scrub(text) == expected, text
    for text in (
        "Article 12, para 3", "по адресу, указанному в статье 3", "address the Committee",
        "Протест на проспекте Достык.", "ст. 3 Конвенции", "Article 3 of the Convention",
        "in 2011, 12 people", "пр. 5 УПК", "St. Petersburg", "улица Абая", "on 5 May 2012",
    ):  # fmt: skip
        assert scrubber.scrub(text) == text


def test_xlsx_and_csv_cells_cannot_run_formulas(app, world):
    from casework.core.spreadsheet import inert_cell

    for value in ("=HYPERLINK(1)", "+1", "-1", "@SUM(1)", "\tx", "\rx", "\uff1dSUM(1)"):
        assert inert_cell(value).startswith("'")
    assert inert_cell("KZ-2012-0001") == "KZ-2012-0001"


def test_outputs_refused_to_those_without_the_right(app, world):
    monitor = make_monitor = None  # noqa: F841
    from casework.core.vocab import Role
    from tests.factories import make_user

    make_monitor = make_user(Role.MONITOR)
    client = client_for(app, make_monitor)
    assert client.get("/reports/statistics").status_code == 403
    assert client.get("/reports/upr").status_code == 403
    assert client.get(f"/cases/{world.case.public_id}/outputs/cat").status_code == 404
    # The off-team coordinator: the restricted case exists for them, its outputs do not.
    off = client_for(app, world.off_coordinator)
    assert off.get(f"/cases/{world.restricted.public_id}/outputs/dossier").status_code == 403
    assert off.get(f"/cases/{world.case.public_id}/outputs/dossier").status_code == 200


def test_print_view_is_marked_internal_and_prints_no_name_without_consent(app, world):
    from casework.evidence import services as evidence

    evidence.add_source(
        world.lawyer,
        world.case,
        {
            "kind": "relative",
            "identity": "Protected Informant Qz",
            "identity_protected": True,
            "reliability": "B",
            "credibility": "2",
        },
    )
    db.session.commit()
    client = client_for(app, world.lawyer)
    page = client.get(f"/cases/{world.case.public_id}/print").get_data(as_text=True)
    assert "TEAM-INTERNAL PRINT" in page
    assert "Protected Informant Qz" not in page
    for value in report_world.NONE_PERSON["names"] + [report_world.NONE_PERSON["unhcr"]]:
        assert value not in page
    # What the team may see is still printed for it: the internal person's name.
    assert report_world.INTERNAL_PERSON["names"][0] in page
    # The case file on screen is unchanged for the team.
    screen = client.get(f"/cases/{world.case.public_id}").get_data(as_text=True)
    assert report_world.NONE_PERSON["names"][0] in screen
    assert "Protected Informant Qz" in screen


def test_a_protected_source_named_in_reviewed_free_text_leaves_no_output(app, world, tmp_path):
    """A source's protected identity is the case team's alone: typed in a narrative, an event or
    an analysis, it is withheld in every export and the archive, however it is spelt, even once
    the free text was reviewed; an identity the team chose not to protect is left alone."""
    from casework.evidence import services as evidence
    from casework.reports import services

    for identity, protected in (("Farrukh Umarov", True), ("Memorial Centre", False)):
        evidence.add_source(
            world.lawyer,
            world.case,
            {
                "kind": "relative",
                "identity": identity,
                "identity_protected": protected,
                "reliability": "B",
                "credibility": "2",
            },
        )
    world.case.narrative += " Farrukh Umarov told us; Фаррух Умаров, Umarov's brother, too."
    world.case.narrative += " Memorial Centre confirmed it."
    db.session.commit()
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/archive/review", data={})
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    seen = {}
    for fmt in ("csv", "xlsx", "json"):
        response = client.post("/reports/export", data={"format": fmt})
        seen[fmt] = text_of(response.get_data(), fmt)
    archive = client.get(f"/cases/{world.case.public_id}/outputs/archive/file?format=zip")
    seen["archive"] = text_of(archive.get_data(), "zip")
    for label, text in seen.items():
        assert "was arrested at his home" in text, label  # reviewed: the free text left
        for word in ("Farrukh", "Umarov", "Фаррух", "Умаров"):
            assert word not in text, (label, word)
        assert "Memorial Centre confirmed it" in text, label


def _relative(actor, names: list[str], consent: str = "none"):
    """A person of the system who is no person of the report world's case."""
    from casework.people import services as people
    from casework.people.services import NameInput

    kinds = ["as_given"] + ["transliteration"] * (len(names) - 1)
    return people.create_person(
        actor,
        [NameInput(n, None, k) for n, k in zip(names, kinds, strict=True)],
        consent=consent,
        consent_date=None if consent == "none" else date(2024, 3, 1),
    )


def test_relatives_named_in_reviewed_free_text_leave_no_output(app, world, tmp_path):
    """A relative of a case's person who is no person of the case is still a person of the
    system: named in the case's free text ("his brother Sardor Ergashev"), they are withheld in
    every output, whole and word by word, across scripts and endings, whichever way the family
    link runs, whatever their own consent, and also when the link or the case person's link to
    the case was removed; in an export of several cases, each case's relatives are withheld in
    its own text. A named person who shares a relative's surname keeps their name."""
    from casework.cases import services as cases
    from casework.core.hiding import hide
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus, TeamRole
    from casework.people import services as people
    from casework.reports import services
    from tests.factories import make_case

    lawyer, coordinator = world.lawyer, world.coordinator
    brother = _relative(lawyer, ["Sardor Ergashev"], consent="named")
    wife = _relative(lawyer, ["Nodira Qodirova", "Нодира Кодирова"])
    cousin = _relative(lawyer, ["Timur Alimov"])
    uncle = _relative(lawyer, ["Jamshid Rakhimov"])
    namesake = _relative(lawyer, ["Ulugbek Toshev"])
    people.add_family_link(lawyer, world.people["none"], brother, "sibling")
    people.add_family_link(lawyer, wife, world.people["anonymised"], "spouse")
    hide(people.add_family_link(lawyer, cousin, world.people["none"], "other"), lawyer, "Wrong")
    people.add_family_link(lawyer, namesake, world.people["named"], "sibling")
    removed = _relative(lawyer, ["Zokir Usmonov"])
    link = cases.add_person_to_case(lawyer, world.case, removed, "witness")
    hide(link, coordinator, "Not a witness after all", case=world.case)
    people.add_family_link(lawyer, uncle, removed, "other")
    world.case.narrative += (
        " His brother Sardor Ergashev was also arrested; Сардора Эргашева beaten, the"
        " Ergashevs threatened. Nodira Qodirova and Кодировой were questioned; Timur Alimov"
        " and Alimova hid; Jamshid Rakhimov, Рахимову too. Ulugbek Toshev and Ulugbek wrote."
    )
    other = make_case(
        coordinator,
        team=((lawyer, TeamRole.LAWYER),),
        act_date=PartialDate(2012, 5),
        destination_country="UZ",
        narrative="His uncle Farhod Sobirov hid him; Собирова was searched.",
    )
    person = _relative(lawyer, ["Otabek Juraev"])
    cases.add_person_to_case(lawyer, other, person, "at_risk")
    people.add_family_link(lawyer, _relative(lawyer, ["Farhod Sobirov"]), person, "other")
    world.case.status = other.status = CaseStatus.VERIFIED
    db.session.commit()
    client = client_for(app, coordinator)
    _review_everything(client, world)
    for case in (world.case, other):
        for output in (Output.EXPORT, Output.UPR):
            services.review_free_text(coordinator, case, output)
    db.session.commit()
    seen = _generate_everything(app, world, coordinator, tmp_path)
    words = ["Sardor", "Ergashev", "Сардор", "Эргашев", "Nodira", "Qodirov", "Нодира", "Кодиров"]
    words += ["Timur", "Alimov", "Jamshid", "Rakhimov", "Рахимов", "Ulugbek", "Farhod", "Sobirov"]
    words += ["Собиров"]
    for label, text in seen.items():
        assert leaks(world, text) == [], label
        for word in words:
            assert word not in text, (label, word)
    # The free text did leave, of both cases, and the named person's name with it.
    for label in ("export csv False", "export json False", "special_procedures txt", "upr docx"):
        assert "was arrested at his home" in seen[label], label
        assert "Bakhrom Toshev" in seen[label], label
    for label in ("export csv False", "export xlsx False", "export json False", "upr docx"):
        assert "hid him" in seen[label], label


def test_a_person_whose_relative_has_family_at_risk_is_not_named_whoever_that_relative_is(
    app, world, tmp_path
):
    """Family at risk: the flagged person's relatives appear with nothing identifying, whatever
    their own consent; also when the flagged relative is no person of the case, or was removed
    from it: the named person's surname points to the family all the same."""
    from casework.cases import services as cases
    from casework.core.hiding import hide
    from casework.core.vocab import CaseStatus
    from casework.people import services as people
    from casework.reports import services

    lawyer, coordinator = world.lawyer, world.coordinator
    flagged = _relative(lawyer, ["Ulugbek Toshev"])
    flagged.family_at_risk = True
    people.add_family_link(lawyer, flagged, world.people["named"], "sibling")
    witness = _relative(lawyer, ["Komil Saidov"], consent="named")
    cases.add_person_to_case(lawyer, world.case, witness, "witness")
    removed = _relative(lawyer, ["Laziz Saidov"], consent="named")
    removed.family_at_risk = True
    link = cases.add_person_to_case(lawyer, world.case, removed, "other")
    hide(link, coordinator, "Not in this case after all", case=world.case)
    people.add_family_link(lawyer, witness, removed, "sibling")
    world.case.narrative += " Komil Saidov saw it."
    world.case.status = CaseStatus.VERIFIED
    db.session.commit()
    client = client_for(app, coordinator)
    _review_everything(client, world)
    for output in (Output.EXPORT, Output.UPR):
        services.review_free_text(coordinator, world.case, output)
    db.session.commit()
    seen = _generate_everything(app, world, coordinator, tmp_path)
    for label, text in seen.items():
        assert leaks(world, text) == [], label
        for word in ("Bakhrom", "Toshev", "Komil", "Saidov", "Ulugbek", "Laziz"):
            assert word not in text, (label, word)
    assert "was arrested at his home" in seen["special_procedures txt"]


def test_the_team_print_prints_no_name_of_a_relative_without_consent(app, world):
    """The print withholds the names of the people who gave no consent at all: a relative of a
    case's person who is no person of the case as well (as its family list does), typed in the
    narrative, through a hidden family link too; a relative who consented to the team's use is
    printed, and so is a printed person who shares a withheld relative's surname."""
    from casework.core.hiding import hide
    from casework.people import services as people

    lawyer = world.lawyer
    brother = _relative(lawyer, ["Sardor Ergashev", "Сардор Эргашев"])
    cousin = _relative(lawyer, ["Timur Alimov"])
    namesake = _relative(lawyer, ["Ulugbek Toshev"])
    known = _relative(lawyer, ["Jasur Rakhimov"], consent="internal")
    uncle = _relative(lawyer, ["Ўткир Ғуломов"])
    people.add_family_link(lawyer, uncle, world.people["internal"], "other")
    people.add_family_link(lawyer, brother, world.people["internal"], "sibling")
    hide(people.add_family_link(lawyer, world.people["none"], cousin, "other"), lawyer, "Wrong")
    people.add_family_link(lawyer, world.people["named"], namesake, "sibling")
    people.add_family_link(lawyer, known, world.people["internal"], "other")
    world.case.narrative += (
        " Her brother Sardor Ergashev (Эргашеву) was beaten; Timur Alimov hid;"
        " Ulugbek Toshev and Ulugbek wrote; Jasur Rakhimov called. O'tkir G'ulomov too."
    )
    db.session.commit()
    client = client_for(app, lawyer)
    page = client.get(f"/cases/{world.case.public_id}/print").get_data(as_text=True)
    assert "TEAM-INTERNAL PRINT" in page
    for word in ("Sardor", "Ergashev", "Эргашев", "Timur", "Alimov", "Ulugbek", "tkir", "ulomov"):
        assert word not in page, word
    assert "Jasur Rakhimov called" in page
    assert "Bakhrom Toshev" in page
    assert report_world.INTERNAL_PERSON["names"][0] in page


def test_the_team_print_prints_no_protected_source_typed_in_the_text(app, world):
    """The print says protected sources are not printed: their identity typed in the narrative
    is withheld as in the sources list, however spelt; an unprotected source stays."""
    from casework.evidence import services as evidence

    for identity, protected in (("Farrukh Umarov", True), ("Memorial Centre", False)):
        evidence.add_source(
            world.lawyer,
            world.case,
            {
                "kind": "relative",
                "identity": identity,
                "identity_protected": protected,
                "reliability": "B",
                "credibility": "2",
            },
        )
    world.case.narrative += " Farrukh Umarov told us; Умарова too. Memorial Centre confirmed it."
    db.session.commit()
    client = client_for(app, world.lawyer)
    page = client.get(f"/cases/{world.case.public_id}/print").get_data(as_text=True)
    for word in ("Farrukh", "Umarov", "Умаров"):
        assert word not in page, word
    assert "Memorial Centre confirmed it" in page


def test_the_team_print_withholds_names_in_its_text_never_in_its_markup_or_links(app, world):
    """The team's print replaced a withheld name wherever the page's HTML held it: inside a
    link's random public id (a document's, holding "Alisher" of a person who gave no consent),
    and in tag and attribute names (a protected source called "Aria Strong": <strong>,
    aria-label), which broke the link and the page. Only its text is scrubbed: what it shows,
    and the values of attributes that show text (a title). A document's hash, which the page
    shows, is no name either ("abed" in it, of a source called Abed)."""
    from casework.evidence import services as evidence
    from casework.evidence.models import Document

    evidence.add_source(
        world.lawyer,
        world.case,
        {
            "kind": "relative",
            "identity": "Aria Strong, Abed",
            "identity_protected": True,
            "reliability": "B",
            "credibility": "2",
        },
    )
    document = db.session.scalar(select(Document).where(Document.case_id == world.case.id))
    document.public_id = "xqAlisher7Zt_k2Q"
    document.sha256 = "e3b0c44298fc1c149afbf4c8996fb924abed41e4649b934ca495991b7852b855"
    world.case.narrative += " Aria Strong told us so."
    db.session.commit()
    client = client_for(app, world.lawyer)
    page = client.get(f"/cases/{world.case.public_id}/print").get_data(as_text=True)
    assert "/documents/xqAlisher7Zt_k2Q" in page
    assert "<strong>" in page and 'aria-label="' in page
    assert document.sha256 in page
    assert "Aria Strong told us" not in page and f"{NAME_WITHHELD} told us so." in page
    assert "Alisher" not in page.replace("xqAlisher7Zt_k2Q", "")


def test_a_page_s_text_is_scrubbed_wherever_no_tag_or_link_begins():
    """Only markup is left out of a page's scrub: a "<" before no tag's name, and what in a tag
    is no attribute with a value, are scrubbed as text (a name after a stray "<" was kept)."""
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Alisher Kholmatov"), "P1"))
    page = (
        '<p title="Kholmatov" class="Kholmatov">3 < 4 Kholmatov <b Alisher</p>'
        '<a href="/d/xAlisher7" open Kholmatov>Alisher</a><!-- Kholmatov -->'
    )
    assert scrub_page_text(scrubber, page) == (
        '<p title="P1" class="Kholmatov">3 < 4 P1 <b P1</p>'
        '<a href="/d/xAlisher7" open P1>P1</a><!-- P1 -->'
    )


def test_names_a_case_had_through_a_merge_since_undone_leave_no_output(app, world, tmp_path):
    """Two records merged as one person, then found to be two and unmerged: while merged, each
    case's text could call its person by the other record's names ("known as Abu Yusuf"), and
    after the unmerge those are another person's names. They are withheld in the outputs of
    both cases, as the names of someone who is no person of the case."""
    from casework.cases import services as cases
    from casework.core.types import PartialDate
    from casework.core.vocab import CaseStatus, TeamRole
    from casework.people import merging
    from casework.reports import services
    from tests.factories import make_case

    coordinator = world.coordinator
    other = make_case(
        coordinator,
        team=((world.lawyer, TeamRole.LAWYER),),
        act_date=PartialDate(2012, 5),
        destination_country="UZ",
    )
    alias = _relative(world.lawyer, ["Abu Yusuf", "Абу Юсуф"])
    cases.add_person_to_case(world.lawyer, other, alias, "at_risk")
    db.session.commit()
    merge = merging.merge_people(coordinator, world.people["none"], alias)
    world.case.narrative += " He was known as Abu Yusuf; Абу Юсуфа's friends left."
    other.narrative = "Alisher Kholmatov, as he was known, hid in Shymkent."
    db.session.commit()
    merging.unmerge(coordinator, merge)
    world.case.status = other.status = CaseStatus.VERIFIED
    db.session.commit()
    client = client_for(app, coordinator)
    _review_everything(client, world)
    for case in (world.case, other):
        for output in (Output.EXPORT, Output.UPR):
            services.review_free_text(coordinator, case, output)
    db.session.commit()
    seen = _generate_everything(app, world, coordinator, tmp_path)
    for label, text in seen.items():
        assert leaks(world, text) == [], label
        for word in ("Abu", "Yusuf", "Абу", "Юсуф"):
            assert word not in text, (label, word)
    for label in ("export csv False", "export json False", "upr docx"):
        assert "hid in Shymkent" in seen[label], label
    assert "was arrested at his home" in seen["special_procedures txt"]


def test_a_protected_source_recorded_in_arabic_script_is_withheld_word_by_word(
    app, world, tmp_path
):
    """An Uyghur source's identity recorded in Arabic script, which has no capitals: each of
    its words is still a name, withheld in any script (the whole identity was the only thing
    withheld: "Abdurehim" or "تۇردى" alone left)."""
    from casework.evidence import services as evidence
    from casework.reports import services

    evidence.add_source(
        world.lawyer,
        world.case,
        {
            "kind": "relative",
            "identity": "ئابدۇرېھىم تۇردى",
            "identity_protected": True,
            "reliability": "B",
            "credibility": "2",
        },
    )
    world.case.narrative += " Abdurehim told us; Турди's cousin and تۇردى confirmed it."
    db.session.commit()
    client = client_for(app, world.coordinator)
    client.post(f"/cases/{world.case.public_id}/outputs/archive/review", data={})
    services.review_free_text(world.coordinator, world.case, Output.EXPORT)
    db.session.commit()
    seen = {}
    for fmt in ("csv", "xlsx", "json"):
        response = client.post("/reports/export", data={"format": fmt})
        seen[fmt] = text_of(response.get_data(), fmt)
    archive = client.get(f"/cases/{world.case.public_id}/outputs/archive/file?format=zip")
    seen["archive"] = text_of(archive.get_data(), "zip")
    for label, text in seen.items():
        assert "confirmed it" in text, label
        for word in ("Abdurehim", "Турди", "تۇردى", "ئابدۇرېھىم"):
            assert word not in text, (label, word)


def test_the_team_print_prints_no_name_a_case_had_through_a_merge_since_undone(app, world):
    """As the outputs do, the team print withholds the names of a record once merged with a
    person of the case, the merge since undone, when that record gave no consent: the text
    written while merged may call the person by them, and they are another person's now. In
    the other record's case as well: there the first record's names are the other person's."""
    from casework.cases import services as cases
    from casework.core.types import PartialDate
    from casework.core.vocab import TeamRole
    from casework.people import merging
    from tests.factories import make_case

    coordinator, lawyer = world.coordinator, world.lawyer
    other = make_case(
        coordinator,
        team=((lawyer, TeamRole.LAWYER),),
        act_date=PartialDate(2012, 5),
        destination_country="UZ",
    )
    alias = _relative(lawyer, ["Abu Yusuf", "Абу Юсуф"])
    cases.add_person_to_case(lawyer, other, alias, "at_risk")
    db.session.commit()
    merge = merging.merge_people(coordinator, world.people["internal"], alias)
    world.case.narrative += " She was known as Abu Yusuf's wife; Абу Юсуфа's friends left."
    other.narrative = "Dilnoza Yusupova, as she was known, hid in Shymkent."
    db.session.commit()
    merging.unmerge(coordinator, merge)
    db.session.commit()
    client = client_for(app, lawyer)
    page = client.get(f"/cases/{world.case.public_id}/print").get_data(as_text=True)
    for word in ("Abu", "Yusuf", "Абу", "Юсуф"):
        assert word not in page, word
    assert "friends left" in page
    assert report_world.INTERNAL_PERSON["names"][0] in page  # her own, consented to
    # The first record gave consent for the team's use: the other case prints her name.
    page = client.get(f"/cases/{other.public_id}/print").get_data(as_text=True)
    assert "Dilnoza Yusupova, as she was known, hid in Shymkent" in page


def test_names_in_other_spellings_scripts_and_encodings_leave_no_output(app, world, tmp_path):
    """The case's text names its withheld people as other papers spell them (German, French,
    Uzbek and Kazakh Latin, every Uzbek apostrophe, Kazakh endings), in capitals, surname
    first, with initials, decomposed (NFD), full-width or with look-alike letters of another
    script, with a digit for a letter, misspelt in lower case, said fondly: every output
    withholds each (and the initials beside it), and the named person's name still leaves."""
    import unicodedata

    from casework.reports import services

    spellings = {
        "Kholmatov": [
            "KHOLMATOV Alisher", "Kholmatov, Alisher", "A. Kholmatov", "Kholmatov A.A.",
            "Cholmatow", "Kholmatoff", "Xolmatovning", "Холматовтың", "Ｋｈｏｌｍａｔｏｖ",
            "Хoлматов", "ΚΗΟLΜΑΤΟV", unicodedata.normalize("NFD", "Ҳолматов Алишер"),
            "Kh0lmatov", "KhoImatov", "khalmatov", "Alishka", "Alisherbek", "Z.Q. Kholmatov",
        ],
        "Yusupova": ["Jusupowa", "Youssoupova", "Iusupovaga", "YUSUPOVA D.", "Юсупованың"],
        "Nazarov": ["Nazarow", "Назаровтың", "NAZAROV, Rustam", "Rustamjon", "Рустамчик"],
    }  # fmt: skip
    text = " ".join(f"{s} was there." for group in spellings.values() for s in group)
    world.case.narrative += " " + text
    db.session.commit()
    client = client_for(app, world.coordinator)
    _review_everything(client, world)
    for output in (Output.EXPORT, Output.UPR):
        services.review_free_text(world.coordinator, world.case, output)
    db.session.commit()
    seen = _generate_everything(app, world, world.coordinator, tmp_path)
    for label, out in seen.items():
        folded = unicodedata.normalize("NFKC", out).casefold()
        assert leaks(world, out) == [], label
        for group in spellings.values():
            for spelling in group:
                word = max(unicodedata.normalize("NFKC", spelling).split(), key=len)
                assert word.strip(",").casefold() not in folded, (label, spelling)
        assert "Z.Q." not in out, label  # the initials written with a withheld name
    assert "Bakhrom Toshev" in seen["special_procedures txt"]
    assert "was there." in seen["special_procedures txt"]


def test_a_protected_source_s_surname_typed_in_capitals_is_withheld():
    """A surname is often typed in capitals ("UMAROV Farrukh, KNB insider"): a protected
    source's identity so typed gave no part of it for the surname, which left the output
    written otherwise ("Umarov", "Умаров", "UMAROV" alone). An acronym stays ("KNB", "ГКНБ",
    "UNHCR")."""
    scrubber = Scrubber()
    scrubber.add_source("UMAROV Farrukh, KNB insider")
    scrubber.add_source("Фаррух ҚАСЫМОВ (ГКНБ), UNHCR contact")
    text = "Umarov said; UMAROV; Умаров; Kasymov, Қасымовтың. KNB, ГКНБ, UNHCR."
    expected = f"{NAME_WITHHELD} said; {NAME_WITHHELD}; {NAME_WITHHELD}; {NAME_WITHHELD}, "
    assert scrubber.scrub(text) == expected + f"{NAME_WITHHELD}. KNB, ГКНБ, UNHCR."


def test_a_withheld_name_in_the_spellings_the_matcher_takes_for_it_is_withheld():
    """The people matcher takes Julia for Юлия, Mehmet for Memet and Дилька or Гулечка for
    Дилноза or Гульнара: so written (and with a case ending), the withheld name left the
    output. Words that merely begin as a name stay."""
    _each_spelling_withheld(
        {
            "Юлия Каримова": ["Julia", "Julija", "Juliya", "Julia's", "Юлии", "Юлией", "Yulia"],
            "Julia Karimova": ["Юлия", "Юлией", "Yuliya", "Julii"],
            "Memet Tohti": ["Mehmet", "Mehmetning", "Mehmetov", "Мехмет"],
            "Mehmet Tohti": ["Memet", "Мәмәт", "Memetning"],
            "Дилноза Каримова": ["Дилька", "Dilka", "Дилечка", "Дилькой", "Дилюшка"],
            "Гульнара Холматова": ["Гулька", "Гулечка", "Gulka", "Гульке"],
            "Диля Каримова": ["Дилька", "Дилечка"],
            "Гульнара Юсупова": ["Гуля", "Гулей", "Gulya"],
            "Дилноза Юсупова": ["Диля", "Дилей", "Dilya"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Юлия Дилноза Гульнара Memet"), "P1"))
    text = "July, Julian Assange, Дилижанс, Gulag, Gulf, Africa, Memento, Dilemma, Дилер."
    assert scrubber.scrub(text) == text


def test_a_withheld_russian_name_in_its_case_forms_is_withheld():
    """The endings came off the key of a word only where four letters of it were left, and a
    name whose stem changes in its cases (a vowel that falls out, ё, the soft sign) or an
    adjective's endings were not endings at all: "Ольги", "Павла", "Льва", "Петра", "Ильёй",
    "Белого" left the output. The Russian dictionary's reading of a capitalised word is
    looked up too; words that merely look alike stay."""
    _each_spelling_withheld(
        {
            "Ольга Петрова": ["Ольги", "Ольге", "Ольгу", "Ольгой", "Петровой", "Петрову"],
            "Илья Кузнецов": ["Ильи", "Илье", "Илью", "Ильёй", "Кузнецова", "Кузнецовым"],
            "Павел Соколов": ["Павла", "Павлу", "Павлом", "Павле", "Соколову"],
            "Лев Орлов": ["Льва", "Льву", "Львом", "Орловым"],
            "Пётр Белый": ["Петра", "Петру", "Петром", "Белого", "Белому", "Белым"],
            "Фаррух Каримов": ["Фарруха", "Фарруху", "Фаррухом", "Каримову", "Каримовым"],
            "Дилноза Каримова": ["Дилнозы", "Дилнозе", "Дилнозой", "Каримовой", "Каримову"],
            "Айгуль Нурланова": ["Нурлановой", "Нурланову"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Ольга Павел Лев Пётр Белый"), "P1"))
    text = "Ольховка, Павлодар, Петропавловск, Левый берег, Белгород."
    assert scrubber.scrub(text) == text


def test_a_withheld_name_in_another_spelling_and_a_case_form_is_withheld():
    """A spelling nobody recorded was withheld whole, but with a case ending only if the
    ending was of two letters and the stem's vowels were as recorded: "Ўлуғбека",
    "Ўлуғбекни" of Ulugbek, "Исмаилова" of Ismoilov, "Yuldashni" of Йўлдош left the output.
    Words alike a name only in their consonants stay."""
    _each_spelling_withheld(
        {
            "Ulugbek Karimov": ["Ўлуғбека", "Ўлуғбекни", "Ўлуғбеком", "Ulugʻbekka"],
            "Ўлуғбек Каримов": ["Ulugbekni", "Улугбека", "Улугбеком", "Ulug'bekning"],
            "Ismoilov Farkhod": ["Исмаилова", "Исмаилову", "Ismailovning"],
            "Исмаилов Фарход": ["Исмоилова", "Ismoilovga"],
            "Йўлдош Каримов": ["Yuldashni", "Yuldashga", "Юлдаша"],
            "Yuldash Karimov": ["Йўлдоша", "Yoʻldoshni", "Йўлдошга"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Ulugbek Ismoilov Yuldash"), "P1"))
    text = "Islamabad, Ismailia, Yesterday, Yieldsheet, Olgabek, Ulugh Beg, Isomalt."
    assert scrubber.scrub(text) == text


def test_a_withheld_name_ending_in_kh_is_withheld_in_its_russian_spelling_with_k():
    """The people matcher takes Farrukh and Фаррух for Фарук (a final kh, x or х is Russian
    к as often), but the outputs did not: "Фарук", "Фарука" left an output that withheld
    Farrukh, and "Farrukh", "Фарруха" one that withheld Фарук. Other names stay."""
    _each_spelling_withheld(
        {
            "Farrukh Karimov": ["Фарук", "Фарука", "Фаруку", "Faruk"],
            "Фаррух Каримов": ["Фарук", "Фаруком"],
            "Фарук Каримов": ["Farrukh", "Фаррух", "Фарруха", "Farruxni", "Farrukhning"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Farrukh Фарук"), "P1"))
    text = "Фара, Farhad, Фарида, Faruza, Farkhod, Фаршид."
    assert scrubber.scrub(text) == text


def _each_spelling_withheld(recorded: dict[str, list[str]]) -> None:
    """Each name recorded (withheld), written in each of its spellings, is withheld."""
    for name, spellings in recorded.items():
        scrubber = Scrubber(names=dict.fromkeys(name_parts(name), "P1"))
        for spelling in spellings:
            assert scrubber.scrub(f"He met {spelling} there.") == "He met P1 there.", (
                name,
                spelling,
            )


def test_a_contact_or_address_of_invisible_characters_withholds_nothing_else(app):
    """A value typed as nothing but invisible characters (zero-width spaces pasted from a
    messenger) is no value to withhold: sought as it shows, it was the empty text, found
    between every two letters, and the output became "[contact withheld]" between each. What
    is typed with it still is withheld, alone."""
    from casework.people.models import Person
    from casework.reports.anonymise import Disclosure

    for many in (False, True):  # a pass for each value, and all sought at once
        scrubber = Scrubber()
        person = Person(contacts="\u200b\u200b\u200b\u200b\n+7 701 555 1234", address="\u2060" * 6)
        person.names = []
        scrubber.add_person(person, Disclosure.WITHHELD)
        if many:
            scrubber.literals += [(f"filler value {n}", WITHHELD) for n in range(40)]
        assert scrubber.scrub("Met in Almaty.") == "Met in Almaty."
        assert "555" not in scrubber.scrub("Call +7 701 555 1234 now")


def test_a_withheld_name_with_a_lost_cedilla_and_another_vowel_is_withheld():
    """Гульшан, Gulshan, Gülşen, Gulsen and Гулшан are one woman's name: a Turkish text that
    lost the cedilla of ş and writes e for а (Gulsen, Gulsenning) let the name through where it
    was recorded Гульшан or Gulshan. Words that merely look alike stay."""
    _each_spelling_withheld(
        {
            "Гульшан Каримова": ["Gulsen", "Gülsen", "Gulsenning", "Gulsenge", "Gulsan"],
            "Gulshan Karimova": ["Gulsen", "Gülsen", "Gulsenni"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Гульшан Шакир Абдурешит Шамиль"), "P1"))
    text = "Gulls, Gulsom, Gels, Gillsen, Sakura, Seamless, Samples, Abduction, Samoyed."
    assert scrubber.scrub(text) == text


def test_a_name_recorded_without_its_cedilla_withholds_its_spellings_with_sh():
    """A name recorded without the cedilla of its ş (Gulsen, Sakenov, Abduresit) withheld its
    spellings with s only: Gulshan, Гульшан, Gülşen, Шакенов, Şäkenov left the output, alone
    and with endings. An English word with sh, lower-case or capitalised, stays."""
    _each_spelling_withheld(
        {
            "Gulsen Karimova": [
                "Gulshan", "Гульшан", "Gülşen", "Гулшан", "gulshan", "Gulshanning",
                "Гульшанға", "Гульшаном", "Gülşenin", "گۈلشەن",
            ],
            "Sakenov Galym": ["Шакенов", "Şäkenov", "Shakenov", "Шакеновой", "Şäkenovtyń"],
            "Abduresit Tohti": ["Абдурешит", "Abdureşit", "Abdureshit", "Абдурешитке"],
        }
    )  # fmt: skip
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Gulsen Sakenov Usen Sam Semenov"), "P1"))
    text = (
        "Shaken, a sham, Sham, the shame, ushers, Usher, Shallow, shemale, Sheman, Shaman, a gush, "
        "Shakespeare, Shumen, шапка, Шаман, Шамиль."
    )
    assert scrubber.scrub(text) == text


def test_a_withheld_turkish_name_in_its_russian_spelling_with_yo_is_withheld():
    """Russian writes the ö of a Turkish name ё after a consonant (Gökçe is Гёкче, Gökhan
    Гёкхан), which the key read as yo: the name recorded in one script left the output
    written in the other, alone or with an ending. Words with ё stay."""
    _each_spelling_withheld(
        {
            "Gökçe Yılmaz": ["Гёкче", "Гёкчеге", "Гёкченің", "Гокче"],
            "Гёкче Йылмаз": ["Gökçe", "Gokce", "Gökçenin", "Gökçeye"],
            "Пётр Семёнов": ["Pyotr", "Petr", "Semyonov", "Semenov", "Семенова"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Гёкче Gökhan Пётр Семён"), "P1"))
    text = "Гексоген, Гекконы, Кёльн, Кокча, Gecko, Canyon, Potter, Seminar, Semyonovsky Bridge."
    assert scrubber.scrub(text) == text


def test_a_withheld_kazakh_patronymic_with_an_ending_after_its_possessive_is_withheld():
    """A Kazakh name in -ұлы (Серікұлы: son of Серік) is a possessive, and the endings after
    a possessive are -на, -нда, -н (Серікұлына: to Серікұлы): so written, the name left the
    output. Words that end so stay."""
    _each_spelling_withheld(
        {
            "Нұрлан Серікұлы": [
                "Серікұлына", "Серікұлында", "Серікұлын", "Серікұлының", "Серікұлынан",
                "Serikulyna", "Serikulynda",
            ],
            "Айгүл Маратқызы": ["Маратқызына", "Маратқызында"],
        }
    )  # fmt: skip
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Серікұлы Маратқызы"), "P1"))
    text = "Ұлына, қызына, Ұлында, Серікке, Serika, Нурлан."
    assert scrubber.scrub(text) == text


def test_a_withheld_name_with_the_uyghur_particle_mu_is_withheld():
    """Uyghur glues the particle -مۇ ("also") to a word (تۇرسۇنمۇ: Tursun too), after a case
    ending too (تۇرسۇننىڭمۇ): so written, the withheld name left the output."""
    _each_spelling_withheld(
        {
            "ئابدۇرەھىم تۇرسۇن": ["تۇرسۇنمۇ", "تۇرسۇننىڭمۇ", "ئابدۇرەھىممۇ", "Tursunmu"],
            "Tursun Memet": ["تۇرسۇنمۇ", "Турсунму"],
        }
    )
    scrubber = Scrubber(names=dict.fromkeys(name_parts("Tursun Memet Тохти"), "P1"))
    text = "Этому, Самому, Новому, Tsunami, Emus, Тому, Memorial."
    assert scrubber.scrub(text) == text


def test_a_protected_source_described_by_kinship_keeps_those_words_in_the_text():
    """A protected source is often described, not named ("His brother", "Former cellmate",
    "Сосед по камере"): its capitalised words were each withheld as a name, so every "his" of
    the narrative became "[name withheld]" ("Arrested at [name withheld] home"). The words that
    say who without naming stay; the identity as typed, and any name in it, are still withheld."""
    scrubber = Scrubber()
    for identity in ("His brother", "Former cellmate", "Сосед по камере", "Her cousin Farrukh"):
        scrubber.add_source(identity)
    text = (
        "Arrested at his home by a former officer; her family, a brother and a cellmate saw it. "
        "Her cousin Farrukh (Фаррух) called his brother. Сосед видел. Соседи тоже."
    )
    assert scrubber.scrub(text) == (
        "Arrested at his home by a former officer; her family, a brother and a cellmate saw it. "
        f"{NAME_WITHHELD} ({NAME_WITHHELD}) called {NAME_WITHHELD}. Сосед видел. Соседи тоже."
    )
