// The browser editor: saves the draft while the author types and refreshes the preview and the problem list.
// Without this script the editor still works: „Entwurf speichern“ saves and re-renders the page.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var source = document.getElementById("source");
  if (!form || !source) { return; }
  var revision = document.getElementById("revision");
  var preview = document.getElementById("preview");
  var problems = document.getElementById("problems-body");
  var status = document.getElementById("save-status");
  var position = document.getElementById("cursor-position");
  var token = form.querySelector("input[name=csrf_token]").value;
  var url = form.getAttribute("data-autosave-url");
  var german = (document.documentElement.lang || "de").indexOf("de") === 0;
  var text = {
    saving: german ? "Speichert …" : "Saving …",
    saved: german ? "Entwurf gespeichert um " : "Draft saved at ",
    failed: german ? "Automatisches Speichern fehlgeschlagen; bitte „Entwurf speichern“ verwenden." : "Autosave failed; please use „Save draft“.",
    line: german ? "Zeile " : "Line ",
    column: german ? ", Spalte " : ", column ",
    unsaved: german ? "Es gibt ungespeicherte Änderungen." : "There are unsaved changes."
  };
  var timer = null;
  var saved = source.value;
  var stopped = false;
  var inFlight = false;

  function updatePosition() {
    var before = source.value.slice(0, source.selectionStart);
    var lines = before.split("\n");
    position.textContent = text.line + lines.length + text.column + (lines[lines.length - 1].length + 1);
  }

  function goToLine(line) {
    var lines = source.value.split("\n");
    var offset = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) { offset += lines[i].length + 1; }
    source.focus();
    source.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
    // Scroll the line into view: approximate by the share of the text above it.
    source.scrollTop = Math.max(0, (line - 3) * (source.scrollHeight / Math.max(lines.length, 1)));
    updatePosition();
  }

  function save() {
    if (stopped || inFlight || source.value === saved) { return; }
    var sending = source.value;
    inFlight = true;
    status.textContent = text.saving;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: JSON.stringify({ source: sending, revision: parseInt(revision.value, 10) })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    }).then(function (result) {
      inFlight = false;
      if (!result.ok) {
        if (result.status === 409) { stopped = true; }
        status.textContent = result.data.error || text.failed;
        return;
      }
      saved = sending;
      revision.value = result.data.revision;
      preview.innerHTML = result.data.preview_html;
      problems.innerHTML = result.data.problems_html;
      status.textContent = text.saved + new Date(result.data.saved_at).toLocaleTimeString(german ? "de-DE" : "en-GB", { hour: "2-digit", minute: "2-digit" });
      if (source.value !== saved) { schedule(); }
    }).catch(function () {
      inFlight = false;
      status.textContent = text.failed;
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 800);
  }

  source.addEventListener("input", schedule);
  ["keyup", "click", "focus", "select"].forEach(function (name) { source.addEventListener(name, updatePosition); });
  problems.addEventListener("click", function (event) {
    var target = event.target.closest("[data-line]");
    if (target) { goToLine(parseInt(target.getAttribute("data-line"), 10)); }
  });
  // The buttons submit the textarea themselves; autosave must not race them with a stale revision.
  form.addEventListener("submit", function () { stopped = true; window.clearTimeout(timer); });
  window.addEventListener("beforeunload", function (event) {
    if (!stopped && source.value !== saved) { event.preventDefault(); event.returnValue = text.unsaved; return text.unsaved; }
  });
  updatePosition();
}());
