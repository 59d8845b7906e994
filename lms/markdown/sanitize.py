"""The one HTML allow-list: everything shown to learners passes through ``sanitize_html``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

# bleach (with its vendored html5lib) is imported at the first sanitising: when content is published or edited, not
# in the page views, which show stored HTML (bench/README.md, memory).
if TYPE_CHECKING:
    import bleach

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "sub",
        "section",
        "aside",
        "div",
        "span",
    }
)

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Attributes per tag; "class" and "id" are further restricted by value below.
_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "id", "class"}),
    "img": frozenset({"src", "alt", "title"}),
    "ol": frozenset({"start", "class"}),
    "li": frozenset({"id", "class"}),
    "sup": frozenset({"class"}),
    "hr": frozenset({"class"}),
    "section": frozenset({"class"}),
    "aside": frozenset({"class", "aria-label"}),
    # The scroll box around a table (lms.markdown.render._table_in_scroll_box); role and tabindex by value below.
    "div": frozenset({"class", "role", "tabindex", "aria-label"}),
    # Row and column headers (lms.markdown.tables); the value is checked below.
    "th": frozenset({"scope"}),
}

# Only the classes our own Markdown pipeline emits (footnotes, callouts), so authors and
# future editors cannot borrow the platform's CSS (e.g. to fake buttons or hide text).
_CLASSES: dict[str, re.Pattern[str]] = {
    "a": re.compile(r"footnote-backref"),
    "sup": re.compile(r"footnote-ref"),
    "ol": re.compile(r"footnotes-list"),
    "li": re.compile(r"footnote-item"),
    "hr": re.compile(r"footnotes-sep"),
    "section": re.compile(r"footnotes"),
    "aside": re.compile(r"callout(-[a-z]+)?|facilitator-note"),
    "div": re.compile(r"kern-table-responsive|table-scroll"),
}

# Footnote ids as markdown-it writes them ("fn1", "fnref-s2-1:1"); anything else could clobber DOM globals.
_FOOTNOTE_ID = re.compile(r"fn(ref)?(-[a-z0-9-]+-)?\d+(:\d+)?")


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Bleach attribute callable: is this attribute (and, for class/id, this value) allowed?"""
    if name not in _ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        pattern = _CLASSES.get(tag)
        classes = value.split()
        return bool(classes) and pattern is not None and all(pattern.fullmatch(c) for c in classes)
    if name == "id":
        return _FOOTNOTE_ID.fullmatch(value) is not None
    if name == "role":  # a scroll box is a region; no other role (a fake button, a fake alert)
        return value == "region"
    if name == "scope":
        return value in ("row", "col")
    if name == "tabindex":  # in the tab order where it stands, never ahead of the page's own controls
        return value == "0"
    return True


@cache
def _cleaner() -> bleach.Cleaner:
    """The one cleaner, built at the first use."""
    import bleach

    # bleach documents this import for custom filters; types-bleach leaves the re-export out on purpose.
    from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]

    class _ExternalLinkFilter(Filter):
        """Give links to other sites rel="noopener noreferrer"; they open in the same tab (no target)."""

        def __iter__(self) -> Iterator[dict[str, Any]]:  # html5lib tokens
            for token in super().__iter__():
                if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                    attrs = dict(token.get("data") or {})
                    attrs.pop((None, "target"), None)
                    href = attrs.get((None, "href"), "")
                    if href.lower().startswith(("http://", "https://")):
                        attrs[(None, "rel")] = "noopener noreferrer"
                    token["data"] = attrs
                yield token

    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_ExternalLinkFilter],
    )


def sanitize_html(html: str) -> str:
    """Reduce HTML to the platform's allow-list: no scripts, styles, event handlers or foreign classes."""
    return _cleaner().clean(html)
