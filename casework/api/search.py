"""Full-text search (POST: search terms stay out of URLs and logs), as on the search page."""

from __future__ import annotations

from pydantic import Field

from casework import permissions
from casework.api.framework import Call, operation
from casework.api.schemas import Input, Output
from casework.audit.services import record
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.search import services
from casework.search.services import MAX_TERMS, QUERY_MAX_LEN

TAG = "Search"


class SearchQuery(Input):
    q: str = Field(min_length=1, max_length=QUERY_MAX_LEN, description="Every word must match.")


class SearchHit(Output):
    kind: str = Field(description="case, event, source, comment, status or document")
    label: str
    excerpt_html: str = Field(description="HTML-escaped excerpt, matched words in <mark>")


class CaseHit(Output):
    case_id: str
    reference: str
    status: str
    kinds: list[str]
    names: list[str] = Field(description="Names of the case's people matched by a name word")
    hits: list[SearchHit]
    more_hits: int


class CatalogueHit(Output):
    code: str
    title: str


class RecommendationHit(Output):
    id: str
    number: str
    recommending_state: str = Field(
        description="The State's name as the UPR report writes it (not an ISO code)."
    )
    text: str


class SearchAnswer(Output):
    terms_ignored: list[str]
    cases: list[CaseHit]
    more: bool = Field(description="More cases matched than listed: refine the search")
    instruments: list[CatalogueHit]
    provisions: list[CatalogueHit]
    recommendations: list[RecommendationHit]


@operation("POST", "/search", summary="Full-text search of the cases you may read and the "
           "legal catalogue", tag=TAG, response=SearchAnswer, body=SearchQuery)  # fmt: skip
def search(call: Call) -> SearchAnswer:
    if not permissions.can_search(call.user):
        raise PermissionDenied()
    if services.too_many_words(call.body.q):
        raise ValidationFailed({"q": [f"Search at most {MAX_TERMS} words at a time."]})
    found = services.search(call.user, call.body.q)
    answer = SearchAnswer(
        terms_ignored=found.ignored,
        cases=[
            CaseHit(
                case_id=r.case.public_id,
                reference=r.case.reference,
                status=r.case.status.value,
                kinds=r.kinds,
                names=r.names,
                hits=[
                    SearchHit(kind=h.kind, label=h.label, excerpt_html=str(h.snippet))
                    for h in r.hits
                ],  # fmt: skip
                more_hits=r.more_hits,
            )
            for r in found.cases
        ],
        more=found.more,
        instruments=[CatalogueHit(code=i.code, title=i.title) for i in found.instruments],
        provisions=[CatalogueHit(code=p.code, title=p.title) for p in found.provisions],
        recommendations=[
            RecommendationHit(
                id=r.public_id,
                number=r.number,
                recommending_state=r.recommending_state,
                text=r.text,
            )
            for r in found.recommendations
        ],
    )
    record(call.user, "search.run", object_type="search", cases=len(answer.cases))
    return answer
