// Warns shortly before an idle session ends (five minutes, or half the idle time if that is shorter), and says so
// once it has ended. Whatever the page has not yet sent would be lost: a comment being typed, or quiz answers changed
// since the last autosave. The server counts every request as activity, so the countdown starts again whenever the
// page talks to it successfully: a page load, „Angemeldet bleiben“, and every autosave — scripts announce those by
// dispatching the event „lms:server-activity“ on the document (attempt-autosave.js, editor.js do).
// When the warning appears the focus moves to its button, so that a keyboard user deep in a long form can extend the
// session with one key press (WCAG 2.2.1); afterwards the focus returns to where it was.
(function () {
  "use strict";
  var warning = document.getElementById("session-warning");
  if (!warning) { return; }
  var idle = parseInt(warning.getAttribute("data-idle-seconds"), 10) * 1000;
  var lead = Math.min(5 * 60 * 1000, idle / 2);
  var soon = warning.querySelector("[data-session-state=warning]");
  var ended = warning.querySelector("[data-session-state=ended]");
  var button = document.getElementById("session-keepalive");
  var warnTimer = null;
  var endTimer = null;
  var returnFocus = null;
  var over = false;

  function show() {
    if (over) { return; }
    returnFocus = document.activeElement;
    warning.hidden = false;
    button.focus();
  }

  function restoreFocus() {
    var target = returnFocus;
    returnFocus = null;
    if (target && target !== document.body && document.contains(target)) { target.focus(); }
  }

  function hide() {
    var hadFocus = warning.contains(document.activeElement);
    warning.hidden = true;
    if (hadFocus) { restoreFocus(); } else { returnFocus = null; }
  }

  function end() {
    over = true;
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    // The focus moves on to „Anmelden“ if it was on the warning; a person still in a text field keeps it there (to
    // copy what they typed before logging in again).
    var active = document.activeElement;
    var move = !active || active === document.body || warning.contains(active);
    soon.hidden = true;
    ended.hidden = false;
    warning.hidden = false;
    returnFocus = null;
    if (move) { document.getElementById("session-login").focus(); }
  }

  // The server has just seen this session: the idle time starts again.
  function activity() {
    if (over) { return; }
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    if (!warning.hidden) { hide(); }
    warnTimer = window.setTimeout(show, idle - lead);
    endTimer = window.setTimeout(end, idle);
  }

  button.addEventListener("click", function () {
    fetch(warning.getAttribute("data-keepalive-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": warning.getAttribute("data-csrf-token") }
    }).then(function (response) {
      // An ended session is sent to the login page (a redirect that fetch follows), not answered with 204.
      if (response.status === 204) { activity(); } else if (response.redirected || response.status === 401) { end(); }
    });
  });
  document.addEventListener("lms:server-activity", activity);
  activity();
}());
