// Warns shortly before an idle session ends (five minutes, or half the idle time if that is shorter), and says so
// once it has ended. Whatever the page has not yet sent would be lost: a comment being typed, or quiz answers changed
// since the last autosave. The server counts every request as activity, so the countdown starts again whenever the
// page talks to it successfully: a page load, „Angemeldet bleiben“, and every autosave — scripts announce those by
// dispatching the event „lms:server-activity“ on the document (attempt-autosave.js, editor.js do).
// When the warning appears the focus moves to its button, so that a keyboard user deep in a long form can extend the
// session with one key press (WCAG 2.2.1); afterwards the focus returns to where it was.
// Typing counts too: a person who typed into the page within the last minutes before the warning is due (a long
// comment that is only sent at the end) is at work, so the session is extended quietly instead of taking the focus
// from the text and the keystrokes with it; the warning comes once they have stopped for its lead time.
// Tabs of the same browser share one session: each tells the others when the server saw it (BroadcastChannel), so a
// tab left open does not warn, or call the session ended, while the person works in another.
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
  var lastTyped = -Infinity;

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

  var tabs = "BroadcastChannel" in window ? new BroadcastChannel("lms-session-activity") : null;

  // The server has just seen this session: the idle time starts again (here, and in the other tabs unless the news
  // came from one of them).
  function activity(fromAnotherTab) {
    if (over) { return; }
    if (tabs && fromAnotherTab !== true) { tabs.postMessage("activity"); }
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    if (!warning.hidden) { hide(); }
    warnTimer = window.setTimeout(due, idle - lead);
    endTimer = window.setTimeout(end, idle);
  }

  // Tells the server that the person is still here; quietly: a failure without an answer shows the warning.
  function keepAlive(quietly) {
    fetch(warning.getAttribute("data-keepalive-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": warning.getAttribute("data-csrf-token") }
    }).then(function (response) {
      // An ended session is sent to the login page (a redirect that fetch follows), or, when it ended elsewhere (a
      // logout in another tab, „andere Geräte abmelden“), its CSRF token went with it: 400. Either way it is over.
      if (response.status === 204) {
        activity();
      } else if (response.redirected || [400, 401, 403].indexOf(response.status) !== -1) {
        end();
      } else if (quietly) {
        show();
      }
    }).catch(function () {
      // No answer (the network): the warning stays (or comes), and the button can be pressed again.
      if (quietly) { show(); }
    });
  }

  function due() {
    if (Date.now() - lastTyped < lead) { keepAlive(true); } else { show(); }
  }

  button.addEventListener("click", function () { keepAlive(false); });
  document.addEventListener("input", function (event) {
    if (!warning.contains(event.target)) { lastTyped = Date.now(); }
  });
  document.addEventListener("lms:server-activity", function () { activity(); });
  if (tabs) { tabs.onmessage = function () { activity(true); }; }
  activity();
}());
