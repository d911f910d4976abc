"""What an output over many cases costs in scrubbing their free text: each case adds the work
of its own people and words, not again the work of every word the other cases' texts share.
And the work kept from one case for the next never carries one case's names into another's
text: each case's text is scrubbed against its own people."""

from __future__ import annotations

from collections import Counter
from datetime import date

from casework.cases import services as cases
from casework.core.db import db
from casework.core.vocab import CaseStatus, Role
from casework.people import services as people
from casework.people.services import NameInput
from casework.reports import anonymise, services, upr
from casework.reports.anonymise import CONTACT_WITHHELD, NAME_WITHHELD, Output, Scrubber
from tests.factories import make_case, make_user

PERIOD = upr.Period(date(2014, 1, 1), date(2014, 12, 31))
# The same words in every case's text, as a template or a copied paragraph gives them.
SHARED = (
    "was detained at the migration service after a routine document check, taken to the "
    "detention centre, questioned without a lawyer and told that the extradition request had "
    "been received from the prosecutor's office."
)


def _case(coordinator, number: int, *named: tuple[str, str]):
    """A verified case of 2014 whose people (name, consent) its text names, reviewed for the
    UPR submission."""
    case = make_case(
        coordinator,
        reference=f"KZ-2014-{number:04d}",
        act_date="2014-05",
        narrative=" ".join(f"{name} {SHARED}" for name, _ in named),
    )
    for name, consent in named:
        person = people.create_person(
            coordinator,
            [NameInput(name, None, "as_given")],
            consent=consent,
            consent_date=None if consent == "none" else date(2014, 1, 1),
        )
        cases.add_person_to_case(coordinator, case, person, "at_risk")
    case.status = CaseStatus.VERIFIED  # a person added sends a verified case back to review
    db.session.commit()
    services.review_free_text(coordinator, case, Output.UPR)
    db.session.commit()
    return case


def test_the_words_the_cases_texts_share_are_keyed_once_not_once_per_case(app, monkeypatch):
    coordinator = make_user(Role.COORDINATOR)
    surnames = ("Umarov", "Karimov", "Saidov", "Rakhimov", "Tursunov", "Yuldashev")
    for number, surname in enumerate(surnames, 1):
        _case(coordinator, number, (f"Farrukh {surname}", "none"))
    upr.generate_text(coordinator, PERIOD, joint=False)  # pseudonyms, and words keyed once
    keyed: Counter[str] = Counter()
    real = anonymise.latin_key

    def counted(text: str) -> str:
        keyed[text] += 1
        return real(text)

    monkeypatch.setattr(anonymise, "latin_key", counted)
    text = upr.generate_text(coordinator, PERIOD, joint=False)
    assert text.count(f"{NAME_WITHHELD} {SHARED}") == len(surnames), text
    # Keyed the first time (once for all six cases), nothing is keyed again: six cases cost
    # what one does.
    assert not keyed, keyed.most_common(5)


def test_a_name_withheld_in_one_case_is_named_in_the_case_whose_person_consented(app):
    """Two cases with the same text: in the first its person is named (consent to be named)
    and the other's withheld (a witness who gave none); in the second the other way round.
    The document names each where its case names them, and nowhere else."""
    coordinator = make_user(Role.COORDINATOR)
    names = ("Farrukh Umarov", "Dilnoza Karimova")
    _case(coordinator, 1, (names[0], "named"), (names[1], "none"))
    _case(coordinator, 2, (names[1], "named"), (names[0], "none"))
    _case(coordinator, 3, (names[0], "none"), (names[1], "none"))
    for _ in range(2):  # the second time with what the first one kept
        text = upr.generate_text(coordinator, PERIOD, joint=False)
        summaries = {
            line.split(":")[0]: line for line in text.splitlines() if line.startswith("Case KZ-")
        }
        first, second, third = (summaries[f"Case KZ-2014-{n:04d}"] for n in (1, 2, 3))
        assert f"{names[0]} {SHARED} {NAME_WITHHELD} {SHARED}" in first, first
        assert names[1] not in first and "Karimov" not in first, first
        assert f"{names[1]} {SHARED} {NAME_WITHHELD} {SHARED}" in second, second
        assert "Umarov" not in second and "Farrukh" not in second, second
        assert "Umarov" not in third and "Karimov" not in third, third
        assert third.count(NAME_WITHHELD) >= 2, third


def test_a_withheld_value_is_compiled_once_not_once_per_document(monkeypatch):
    """A document over a thousand cases withholds thousands of names, numbers and contacts as
    typed, and gives a pseudonym to hundreds of people, more than the regular expression module
    keeps compiled (512): the next document, or the next text, compiles none of them again."""
    from re import _compiler

    scrubber = Scrubber(literals=[(f"+7 701 555 {n:04d}", CONTACT_WITHHELD) for n in range(600)])
    text = "Call +7 701 555 0042 or +7 701 555 0599, not +7 701 555 9999."
    scrubbed = f"Call {CONTACT_WITHHELD} or {CONTACT_WITHHELD}, not +7 701 555 9999."
    assert scrubber.scrub(text, generic=False) == scrubbed
    # A pseudonym each person: the initials written with each go with it.
    pseudonyms = Scrubber(names={f"name{n}": f"Person AB{n:03d}" for n in range(600)})
    named = " ".join(f"A.B. Person AB{n:03d} Person AB{n:03d}, K. wrote." for n in range(600))
    plain = " ".join(f"Person AB{n:03d} wrote." for n in range(600))
    assert pseudonyms.scrub(named, generic=False) == plain
    compiled: list[str] = []
    real = _compiler.compile

    def counted(pattern, flags):
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(_compiler, "compile", counted)
    assert scrubber.scrub(text, generic=False) == scrubbed
    # A scrubber of few values (a pass each) among them: the values the text held.
    few = [literal for literal in scrubber.literals if literal[0] in text]
    assert Scrubber(literals=few).scrub(text, generic=False) == scrubbed
    assert pseudonyms.scrub(named, generic=False) == plain
    assert not compiled, compiled[:5]
    # Another set of many values: the one pattern that seeks them all, none of them again.
    many = Scrubber(literals=scrubber.literals[:300])
    assert many.scrub(text, generic=False) == text.replace("+7 701 555 0042", CONTACT_WITHHELD)
    assert len(compiled) == 1, compiled


def test_a_text_is_searched_for_the_values_it_holds_not_once_for_every_value(monkeypatch):
    """A UPR draft is scrubbed against every value withheld as typed of the period's people
    (a thousand cases: thousands of names, numbers and contacts): the values are sought all at
    once, and a value is replaced in a pass of its own only when the text holds it. What is
    withheld is withheld all the same, and the rest of the text stays."""
    scrubber = Scrubber(
        literals=[(f"Farrukh Umarov{n}", NAME_WITHHELD) for n in range(1000)]
        + [(f"+7 701 555 {n:04d}", CONTACT_WITHHELD) for n in range(1000)]
    )
    text = "Farrukh Umarov17 (+7 701 555 0042) met FARRUKH UMAROV170 and Farrukh Umarov. " * 50
    passes: list[str] = []
    real = anonymise._literal

    def counted(value: str):
        passes.append(value)
        return real(value)

    monkeypatch.setattr(anonymise, "_literal", counted)
    scrubbed = scrubber.scrub(text, generic=False)
    assert scrubbed == (
        f"{NAME_WITHHELD} ({CONTACT_WITHHELD}) met {NAME_WITHHELD} and Farrukh Umarov. " * 50
    )
    # One pass for each of the four values the text holds (Farrukh Umarov1 too, the start of
    # Farrukh Umarov17), not two thousand.
    assert sorted(passes) == [
        "+7 701 555 0042",
        "Farrukh Umarov1",
        "Farrukh Umarov17",
        "Farrukh Umarov170",
    ]


def test_a_text_naming_hundreds_by_pseudonym_is_not_searched_again_for_each(monkeypatch):
    """A UPR draft names the people of hundreds of cases by their pseudonyms: the initials
    written with one, or the same one twice, are sought where each is written, in one pass,
    not in three passes over the whole draft for each pseudonym it holds. Those written with
    initials or twice read as before."""
    pseudonyms = Scrubber(names={f"name{n}": f"Person AB{n:03d}" for n in range(600)})
    plain = " ".join(f"Person AB{n:03d} was detained." for n in range(600))
    text = plain.replace("Person AB007", "A.B. Person AB007, K.").replace(
        "Person AB042", "Person AB042 Person AB042"
    )
    passes: list[str] = []
    real = anonymise._around

    def counted(replacement: str):
        passes.append(replacement)
        return real(replacement)

    monkeypatch.setattr(anonymise, "_around", counted)
    assert pseudonyms.scrub(text, generic=False) == plain
    assert sorted(passes) == ["Person AB007", "Person AB042"]
