// A quiz attempt saves its answers while the learner goes (PUT /api/v1/attempts/<id>/responses), shows
// „Gespeichert“ in a live region and warns before leaving with changes not yet saved.
// Without this script the form still works: „Zwischenspeichern“ posts the answers and the server keeps them.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var status = document.getElementById("attempt-save-status");
  if (!form || !status) { return; }
  var url = form.getAttribute("data-autosave-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var german = (document.documentElement.lang || "de").indexOf("de") === 0;
  var text = {
    saving: german ? "Speichert …" : "Saving …",
    saved: german ? "Gespeichert" : "Saved",
    failed: german ? "Speichern fehlgeschlagen; bitte „Zwischenspeichern“ verwenden." : "Saving failed; please use “Save for later”."
  };
  var timer = null;
  var inFlight = false;
  var submitting = false;
  // The save in flight, so that submitting the form can call it off: a save that reached the server after the
  // submission was refused (409, "already submitted") and showed that message on the way to the result page.
  var inFlightSave = null;

  function answers() {
    var result = {};
    var fields = form.querySelectorAll("input[name], select[name], textarea[name]");
    Array.prototype.forEach.call(fields, function (field) {
      var name = field.name;
      if (name === "csrf_token" || name === "action" || name === "confirm_incomplete") { return; }
      // A matrix row or a gap posts as "q1~row"; the question's answer holds it as "row:value" (as the server does).
      var cut = name.indexOf("~");
      var part = cut > 0 ? name.slice(cut + 1) : null;
      if (part !== null) { name = name.slice(0, cut); }
      if (!result.hasOwnProperty(name)) { result[name] = []; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      if (part !== null) {
        if (field.value.trim() !== "") { result[name].push(part + ":" + field.value); }
        return;
      }
      result[name].push(field.value);
    });
    return result;
  }

  var saved = JSON.stringify(answers());

  function dirty() { return JSON.stringify(answers()) !== saved; }

  function save() {
    if (submitting || inFlight || !dirty()) { return; }
    var sending = JSON.stringify(answers());
    inFlight = true;
    inFlightSave = window.AbortController ? new AbortController() : null;
    status.textContent = text.saving;
    fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: JSON.stringify({ responses: JSON.parse(sending) }),
      signal: inFlightSave ? inFlightSave.signal : undefined
    }).then(function (response) {
      inFlight = false;
      if (submitting) { return; }
      if (!response.ok) {
        return response.json().then(function (data) {
          status.textContent = (data.error && data.error.message) || text.failed;
        }, function () { status.textContent = text.failed; });
      }
      saved = sending;
      status.textContent = text.saved;
      // The server has seen the session: the timeout warning (session-timeout.js) starts its countdown again.
      document.dispatchEvent(new CustomEvent("lms:server-activity"));
      if (dirty()) { schedule(); }
    }).catch(function () {
      inFlight = false;
      if (!submitting) { status.textContent = text.failed; }
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 600);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
  // The submission carries every answer: no save may follow it (nor be waiting for its timer).
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
    if (inFlightSave) { inFlightSave.abort(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !dirty()) { return; }
    save();
    event.preventDefault();
    event.returnValue = "";
  });
}());
