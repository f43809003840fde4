"""Just enough of a browser to fill in forms: find them in HTML and build what submitting sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    tag: str
    type: str
    name: str
    value: str
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def choices(self, name: str) -> list[str]:
        """Values of the radio buttons called ``name``."""
        return [f.value for f in self.fields if f.name == name and f.type == "radio"]

    def buttons(self) -> list[Field]:
        return [f for f in self.fields if f.tag == "button" or f.type == "submit"]

    def submission(self, button: Field | None = None, **chosen: str) -> dict[str, str]:
        """The form data a browser sends when ``button`` is pressed, with ``chosen`` values."""
        data: dict[str, str] = {}
        for f in self.fields:
            if not f.name or f.tag == "button" or f.type == "submit":
                continue
            if f.type == "radio":
                if f.name in chosen:
                    continue
                if f.checked:
                    data[f.name] = f.value
            else:
                data[f.name] = f.value
        for name, value in chosen.items():
            if name in {f.name for f in self.fields if f.type == "radio"}:
                assert value in self.choices(name), (name, value, self.choices(name))
            data[name] = value
        if button is not None and button.name:
            data[button.name] = button.value
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag in ("input", "button", "select", "textarea") and self.forms:
            default_type = "submit" if tag == "button" else "text"
            self.forms[-1].fields.append(
                Field(
                    tag,
                    a.get("type", default_type).lower(),
                    a.get("name", ""),
                    a.get("value", ""),
                    "checked" in a,
                )
            )


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms
