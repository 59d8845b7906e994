"""A file over its field's limit is refused in the browser before the form is sent (static/js/file-limits.js):
sent, the server refuses the whole body unread (413) and what was typed beside the file is gone. Found by a QA
sweep with a 9 MB attachment to a practice example."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_a_too_large_attachment_is_refused_before_sending_and_the_text_stays(page: Any) -> None:
    login(page, "koordination@darmstadt-dieburg.example")
    page.goto("/praxisbeispiele/neu")
    page.get_by_label("Titel").fill("Mehrsprachige Aushänge im Bürgerbüro")
    page.get_by_label("Was haben Sie gemacht, und was hat funktioniert?").fill("Ein langer Bericht.")
    attachment = page.get_by_label("Datei (freiwillig)")
    attachment.set_input_files(
        {
            "name": "bericht.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.7\n" + b"0" * (9 * 1024 * 1024),
        }
    )
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Die gewählte Datei ist zu groß: höchstens 5 MB.")
    expect(attachment).to_be_focused()
    expect(attachment).to_have_attribute("aria-invalid", "true")
    assert page.url.endswith("/praxisbeispiele/neu")
    expect(page.get_by_label("Titel")).to_have_value("Mehrsprachige Aushänge im Bürgerbüro")
    # A file within the limit is sent as before.
    attachment.set_input_files(
        {"name": "kurz.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"}
    )
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert").filter(has_text="zu groß")).to_have_count(0)
