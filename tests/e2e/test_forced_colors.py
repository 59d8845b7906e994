"""Windows high-contrast mode (forced colours, light and dark) and reduced motion, in a real Chromium.

An accessibility test found, under ``forced-colors: active`` (WCAG 1.4.11, 2.4.7): a checked KERN radio without its
dot once focus left it; a focused checkbox or radio without border or ring on a light canvas; every KERN icon (the
select's chevron, alert icons) painted white on a white canvas; the progress bar inverted on a black canvas; the SVG
charts' fixed dark fills on a black canvas. And KERN's smooth scrolling ignored ``prefers-reduced-motion``.
static/css/app.css and programme.css now paint those parts in system colours; these tests look at the result.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

SCHEMES = ["light", "dark"]
#: A learner of its own (its quiz attempt and reading progress stay out of every other test's way).
LEARNER = "hoher-kontrast@offenbach.example"
PASSWORD = "Kontrast auch im Rathaus"
#: Read-only visits: the staff list and the dashboard with its charts.
COORDINATOR = "koordination@darmstadt-dieburg.example"
MODULE = "kommunikation-buergerkontakt"
_created: set[str] = set()

#: Any CSS colour (rgb(), oklch(), a system colour) as "r,g,b,a" in sRGB, by painting it on a canvas: computed
#: styles write the same colour in different notations (KERN's white is oklch(1 0 0), CanvasText rgb(255, 255, 255)).
NORMALISE_JS = """const normalise = colour => {
  const context = new OffscreenCanvas(1, 1).getContext('2d');
  context.fillStyle = colour;
  context.fillRect(0, 0, 1, 1);
  return Array.from(context.getImageData(0, 0, 1, 1).data).join(',');
};"""
SYSTEM_COLOURS_JS = (
    "names => { "
    + NORMALISE_JS
    + """ return Object.fromEntries(names.map(name => {
  const probe = document.createElement('span');
  probe.style.forcedColorAdjust = 'none';
  probe.style.color = name;
  document.body.append(probe);
  const value = normalise(getComputedStyle(probe).color);
  probe.remove();
  return [name, value];
})); }"""
)
STYLE_JS = (
    "(element, pseudo) => { "
    + NORMALISE_JS
    + """ const s = getComputedStyle(element, pseudo);
  return {background: normalise(s.backgroundColor), borderColor: normalise(s.borderTopColor),
          borderWidth: s.borderTopWidth, borderStyle: s.borderTopStyle, outlineColor: normalise(s.outlineColor),
          outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, fill: normalise(s.fill),
          stroke: normalise(s.stroke), scrollBehavior: s.scrollBehavior}; }"""
)


def system_colours(page: Any) -> dict[str, str]:
    """What Canvas, CanvasText … resolve to in the page's current (forced) palette, normalised."""
    return page.evaluate(SYSTEM_COLOURS_JS, ["Canvas", "CanvasText", "Highlight", "LinkText", "ButtonText"])


def rgb(value: str) -> tuple[int, int, int]:
    red, green, blue = (int(n) for n in value.split(",")[:3])
    return red, green, blue


def pixel(locator: Any, x: float, y: float) -> tuple[int, int, int]:
    """The colour a person sees at (x, y) CSS px inside the element (a screenshot, not a computed style)."""
    image = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    scale = image.width / locator.bounding_box()["width"]
    red, green, blue = image.getpixel((int(x * scale), int(y * scale)))
    return red, green, blue


def close_to(seen: tuple[int, int, int], wanted: tuple[int, int, int], tolerance: int = 48) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(seen, wanted, strict=True))


def style(locator: Any, pseudo: str | None = None) -> dict[str, str]:
    """The computed style that matters here, colours normalised (see NORMALISE_JS)."""
    return locator.evaluate(STYLE_JS, pseudo)


def assert_visible_focus(box: Any, colours: dict[str, str]) -> None:
    """A focused checkbox or radio keeps a text-coloured border and gets a ring in Highlight (WCAG 2.4.7, 1.4.11)."""
    box.focus()
    seen = style(box)
    assert seen["borderStyle"] == "solid" and float(seen["borderWidth"].removesuffix("px")) >= 2, seen
    assert seen["borderColor"] == colours["CanvasText"], seen
    assert seen["outlineStyle"] == "solid" and float(seen["outlineWidth"].removesuffix("px")) >= 2, seen
    assert seen["outlineColor"] == colours["Highlight"], seen
    assert seen["background"] == colours["Canvas"], seen


@pytest.fixture
def learner_page(page: Any, log_in: Callable[..., None], live_cli: Callable[..., None]) -> Any:
    if LEARNER not in _created:
        live_cli(
            "users",
            "create",
            LEARNER,
            "--name",
            "Hanna Kontrast",
            "--municipality",
            "offenbach",
            "--password",
            PASSWORD,
        )
        _created.add(LEARNER)
    log_in(page, LEARNER, PASSWORD)
    return page


@pytest.mark.parametrize("scheme", SCHEMES)
def test_quiz_radios_and_checkboxes_show_their_state_and_focus(
    learner_page: Any, start_quiz: Callable[[Any, str], None], scheme: str
) -> None:
    page = learner_page
    start_quiz(page, MODULE)
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    colours = system_colours(page)
    canvas, text = rgb(colours["Canvas"]), rgb(colours["CanvasText"])
    assert canvas != text

    radio = page.locator("input.kern-form-check__radio").first
    radio.check()
    radio.evaluate("element => element.blur()")
    expect(radio).not_to_be_focused()
    # The dot (12 px in the middle of a 32 px circle) is painted in the text colour, not in the canvas colour.
    centre = pixel(radio, 16, 16)
    assert close_to(centre, text), f"checked radio's centre is {centre}, canvas {canvas}, text {text}"
    assert style(radio, "::before")["background"] == colours["CanvasText"]

    assert_visible_focus(radio, colours)
    checkbox = page.locator("input.kern-form-check__checkbox").first
    assert_visible_focus(checkbox, colours)
    checkbox.check()
    assert style(checkbox, "::before")["borderColor"] == colours["CanvasText"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_progress_bar_is_drawn_in_system_colours(learner_page: Any, scheme: str) -> None:
    page = learner_page
    page.goto(f"/module/{MODULE}/abschnitt/1")  # one section read: the bar has a filled part
    page.goto("/module")
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    colours = system_colours(page)
    bar = page.locator(f"progress#progress-{MODULE}")
    assert float(bar.get_attribute("value") or 0) > 0
    seen = style(bar)
    assert seen["background"] == colours["Canvas"] and seen["borderColor"] == colours["CanvasText"], seen
    height = bar.bounding_box()["height"]
    done, rest = pixel(bar, 3, height / 2), pixel(bar, bar.bounding_box()["width"] - 3, height / 2)
    assert close_to(done, rgb(colours["CanvasText"])), f"filled part {done}, colours {colours}"
    assert close_to(rest, rgb(colours["Canvas"])), f"rest {rest}, colours {colours}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_staff_checkboxes_icons_and_charts_under_forced_colours(
    page: Any, log_in: Callable[..., None], scheme: str
) -> None:
    log_in(page, COORDINATOR)
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    page.goto("/kommunen/darmstadt-dieburg/beschaeftigte")
    colours = system_colours(page)
    assert_visible_focus(page.locator("table input.kern-form-check__checkbox").first, colours)

    page.goto("/kommunen/darmstadt-dieburg")
    # The select's chevron is an icon (a mask painted with the background colour): in the text colour.
    chevron = style(page.locator(".kern-form-input__select-wrapper").first, "::after")
    assert chevron["background"] == colours["CanvasText"], chevron

    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    for text in chart.locator("text").all():
        assert style(text)["fill"] == colours["CanvasText"]
    assert style(chart.locator(".chart__bar").first)["fill"] == colours["CanvasText"]
    track = style(chart.locator(".chart__track").first)
    assert track["fill"] == colours["Canvas"] and track["stroke"] == colours["CanvasText"], track


@pytest.mark.parametrize("scheme", SCHEMES)
def test_alert_icons_take_the_text_colour(page: Any, scheme: str) -> None:
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(LEARNER)
    page.get_by_label("Passwort", exact=True).fill("bestimmt falsch")
    page.get_by_role("button", name="Anmelden").click()
    icon = page.locator(".kern-alert .kern-icon").first
    expect(icon).to_be_visible()
    colours = system_colours(page)
    assert style(icon)["background"] == colours["CanvasText"]


def test_reduced_motion_turns_smooth_scrolling_off(page: Any) -> None:
    page.goto("/anmelden")
    assert style(page.locator("html"))["scrollBehavior"] == "smooth"  # KERN's default
    page.emulate_media(reduced_motion="reduce")
    assert style(page.locator("html"))["scrollBehavior"] == "auto"
