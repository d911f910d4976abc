"""The import format's legal_grounds cell: parsed tolerantly, unknown codes refused clearly."""

from __future__ import annotations

import pytest

from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.legal import seeding, services


@pytest.fixture(autouse=True)
def catalogue():
    seeding.seed_catalogue()
    db.session.commit()


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("CSR51:33;CAT:3", ["CSR51:33", "CAT:3"]),
        (" csr51:33 ; cat:3 ", ["CSR51:33", "CAT:3"]),
        ("CAT : 3, ICCPR:7,MINSK93", ["CAT:3", "ICCPR:7", "MINSK93"]),
        ("CAT:3 ICCPR:7", ["CAT:3", "ICCPR:7"]),
        ("cat-444/2010;CAT:3;cat:3", ["CAT-444/2010", "CAT:3"]),
        ("", []),
        (None, []),
        (" ; ,", []),
    ],
)
def test_codes_are_resolved(text, codes):
    assert [p.code for p in services.resolve_provision_codes(text)] == codes


def test_unknown_codes_give_a_clear_error():
    with pytest.raises(ValidationFailed) as exc:
        services.resolve_provision_codes("CAT:3; CAT:99;echr:3")
    assert exc.value.errors == {"legal_grounds": ["Unknown provision code(s): CAT:99, ECHR:3"]}


def test_retired_codes_are_refused():
    services.get_provision("SCO01").retired = True
    services.get_instrument("MINSK93").retired = True
    db.session.commit()
    with pytest.raises(ValidationFailed) as exc:
        services.resolve_provision_codes("SCO01;MINSK93;CAT:3;X")
    assert exc.value.errors["legal_grounds"] == [
        "Unknown provision code(s): X",
        "Retired provision code(s): SCO01, MINSK93",
    ]
