// Warns five minutes before an idle session ends (a quiz page: the answers are not saved until submitted).
// „Angemeldet bleiben“ tells the server the person is still there; any page load does the same.
(function () {
  "use strict";
  var warning = document.getElementById("session-warning");
  if (!warning) { return; }
  var idle = parseInt(warning.getAttribute("data-idle-seconds"), 10) * 1000;
  var lead = Math.min(5 * 60 * 1000, idle / 2);
  var timer = null;

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { warning.hidden = false; }, idle - lead);
  }

  document.getElementById("session-keepalive").addEventListener("click", function () {
    fetch(warning.getAttribute("data-keepalive-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": warning.getAttribute("data-csrf-token") }
    }).then(function (response) {
      if (response.ok) {
        warning.hidden = true;
        schedule();
      }
    });
  });
  schedule();
}());
