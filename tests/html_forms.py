"""Reading forms out of HTML pages, as a browser would submit them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("file", "password"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1][1][a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1][1][a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select, self._select_chosen = a["name"], False
        elif tag == "option" and self._select is not None:
            self._option(a)

    def _option(self, a: dict[str, str]) -> None:
        """The selected option, or the first one when none is."""
        fields = self.forms[-1][1]
        if self._select_chosen or ("selected" not in a and self._select in fields):
            return
        fields[self._select] = a.get("value", "")
        self._select_chosen = "selected" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.forms[-1][1][self._textarea] += data


def form_fields(html: str, action: str | None = None) -> dict[str, str]:
    """The named fields of the first form in ``html`` posting to ``action`` ("" for a form that
    posts to its own page), or of the first form at all when ``action`` is None."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if action is None or form_action == action:
            return fields
    raise LookupError(f"no form posting to {action!r}")
