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
    failed: german ? "Automatisches Speichern fehlgeschlagen; bitte „Entwurf speichern“ verwenden." : "Autosave failed; please use “Save draft”.",
    line: german ? "Zeile " : "Line ",
    column: german ? ", Spalte " : ", column ",
    unsaved: german ? "Es gibt ungespeicherte Änderungen." : "There are unsaved changes.",
    problems: german ? "Prüfung: %n Probleme" : "Check: %n problems",
    oneProblem: german ? "Prüfung: 1 Problem" : "Check: 1 problem",
    noProblems: german ? "Prüfung: keine Probleme" : "Check: no problems"
  };
  var announce = document.getElementById("problem-count");
  var lastCount = problems.querySelectorAll(".problem-list li").length;
  var timer = null;
  // What the server holds: the text the page came with. Typing can begin before this deferred script runs (a slow
  // connection, a busy machine); such a change is then saved and checked at once below, not only at the next key.
  var saved = source.defaultValue;
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
    // Measure where the line starts: a copy of the textarea holding only the text above it is as high as that text
    // (wrapped lines included), so the line can be scrolled to the top third of the visible area.
    var mirror = source.cloneNode(false);
    mirror.removeAttribute("id");
    mirror.removeAttribute("name");
    mirror.setAttribute("aria-hidden", "true");
    mirror.tabIndex = -1;
    mirror.style.cssText = "position:absolute;visibility:hidden;height:0;min-height:0;overflow:hidden;width:" + source.clientWidth + "px";
    mirror.value = source.value.slice(0, offset);
    source.parentNode.appendChild(mirror);
    var above = mirror.scrollHeight;
    mirror.parentNode.removeChild(mirror);
    source.focus();
    source.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
    source.scrollTop = Math.max(0, above - source.clientHeight / 3);
    source.scrollIntoView({ block: "nearest" });
    updatePosition();
  }

  // --- toolbar: writes Markdown at the cursor; one tab stop, arrow keys move between its buttons ---
  // A text field that was never focused has its cursor at the very start, above the front matter's „---“: a button
  // pressed before the author clicked into the text would break the file there, so the cursor goes to the end first.
  var placed = false;
  source.addEventListener("focus", function () { placed = true; });
  function cursorForToolbar() {
    if (!placed) { source.setSelectionRange(source.value.length, source.value.length); }
  }

  function insert(textToInsert, selectFrom, selectTo) {
    var start = source.selectionStart;
    source.focus();
    source.setRangeText(textToInsert, start, source.selectionEnd, "end");
    if (selectFrom !== undefined) { source.setSelectionRange(start + selectFrom, start + selectTo); }
    source.dispatchEvent(new Event("input", { bubbles: true }));
    updatePosition();
  }

  function wrap(marker, placeholder) {
    var selected = source.value.slice(source.selectionStart, source.selectionEnd) || placeholder;
    insert(marker + selected + marker, marker.length, marker.length + selected.length);
  }

  function prefixLines(prefix) {
    var value = source.value;
    var start = value.lastIndexOf("\n", source.selectionStart - 1) + 1;
    var end = source.selectionEnd;
    var block = value.slice(start, end);
    var numbered = /^\d+\. $/.test(prefix);
    var count = 0;
    var changed = block.split("\n").map(function (line) { count += 1; return (numbered ? count + ". " : prefix) + line; }).join("\n");
    source.setSelectionRange(start, end);
    insert(changed);
  }

  function blockSnippet(snippet) {
    var before = source.value.slice(0, source.selectionStart);
    var gap = before === "" || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    insert(gap + snippet + "\n\n");
  }

  var toolbar = document.getElementById("toolbar");
  var picker = document.getElementById("image-picker");
  var pickerOpener = null;
  if (toolbar) {
    toolbar.hidden = false;
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      cursorForToolbar();
      buttons.forEach(function (b) { b.tabIndex = b === button ? 0 : -1; });
      var placeholder = button.getAttribute("data-placeholder") || "";
      if (button.hasAttribute("data-wrap")) { wrap(button.getAttribute("data-wrap"), placeholder); }
      else if (button.hasAttribute("data-wrap-line")) { prefixLines(button.getAttribute("data-wrap-line")); }
      else if (button.hasAttribute("data-link")) {
        var label = source.value.slice(source.selectionStart, source.selectionEnd) || placeholder;
        insert("[" + label + "](https://)", label.length + 3, label.length + 11);
      }
      else if (button.hasAttribute("data-snippet")) { blockSnippet(button.getAttribute("data-snippet")); }
      else if (button.hasAttribute("data-image-picker") && picker) { pickerOpener = button; picker.showModal(); }
    });
  }
  if (picker) {
    var alt = document.getElementById("image-alt");
    var altError = document.getElementById("image-alt-error");
    var close = function () { picker.close(); };
    picker.addEventListener("close", function () {
      if (altError) { altError.hidden = true; alt.removeAttribute("aria-invalid"); }
      if (pickerOpener) { pickerOpener.focus(); }
    });
    document.getElementById("image-cancel").addEventListener("click", close);
    var insertButton = document.getElementById("image-insert");
    if (insertButton) {
      var choose = function () {
        var chosen = picker.querySelector("input[name=picked-image]:checked");
        var description = alt.value.replace(/[\[\]\n]/g, " ").trim();
        if (!description) {
          altError.hidden = false;
          alt.setAttribute("aria-invalid", "true");
          alt.focus();
          return;
        }
        pickerOpener = null;
        picker.close();
        blockSnippet("![" + description + "](" + chosen.value + ")");
        alt.value = "";
      };
      insertButton.addEventListener("click", choose);
      alt.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); choose(); } });
    }
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
        // The view's own refusals carry a text, the platform's checks of every request {status, message}.
        var error = result.data.error;
        status.textContent = (error && error.message) || (typeof error === "string" && error) || text.failed;
        return;
      }
      saved = sending;
      revision.value = result.data.revision;
      // The server has seen the session: a timeout warning on the page (session-timeout.js) starts again.
      document.dispatchEvent(new CustomEvent("lms:server-activity"));
      preview.innerHTML = result.data.preview_html;
      problems.innerHTML = result.data.problems_html;
      if (result.data.problems !== lastCount) {
        lastCount = result.data.problems;
        announce.textContent = lastCount === 0 ? text.noProblems : (lastCount === 1 ? text.oneProblem : text.problems.replace("%n", lastCount));
      }
      // German local time, as the server writes every time on its pages (the browser's own zone may be another),
      // and in the page language's format: 22:52 / 10:52 PM.
      status.textContent = text.saved + new Date(result.data.saved_at).toLocaleTimeString(german ? "de-DE" : "en-US", { hour: german ? "2-digit" : "numeric", minute: "2-digit", timeZone: "Europe/Berlin" });
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
  if (source.value !== saved) { schedule(); }
}());
