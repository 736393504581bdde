"""Read a rendered page's form controls and links the way a browser submits and follows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit


@dataclass
class Link:
    href: str
    text: str = ""
    attrs: dict[str, str | None] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.href).path

    @property
    def params(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(urlsplit(self.href).query).items()}


class PageControls(HTMLParser):
    """Inputs by name (type and value), each select's selected value, and every link with its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.selected: dict[str, str] = {}
        self.links: list[Link] = []
        self._select: str | None = None
        self._link: Link | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = {"type": attrs.get("type"), "value": attrs.get("value") or ""}
        elif tag == "select":
            self._select = attrs.get("name")
            self.selected.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.selected[self._select] = attrs.get("value") or ""
        elif tag == "a" and attrs.get("href"):
            self._link = Link(attrs["href"], attrs=attrs)
            self.links.append(self._link)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link.text += data

    def link(self, text: str) -> Link:
        """Return the one link whose text is `text`."""
        found = [link for link in self.links if link.text.strip() == text]
        assert len(found) == 1, f"{len(found)} links read {text!r}"
        return found[0]

    def links_to(self, path_part: str) -> list[Link]:
        return [link for link in self.links if path_part in link.path]

    def form_params(self, names) -> dict[str, str]:
        """Return what submitting the filter form would send for `names`, as the page pre-filled them."""
        return {
            name: self.selected[name] if name in self.selected else (self.inputs.get(name) or {}).get("value") or ""
            for name in names
        }
