// After a failed submission (WCAG 3.3.1, 4.1.3): the error summary at the top of <main> takes the focus, so a
// screen reader says at once that the form was not accepted and what to fix. Each of its links moves the focus to
// its field (a fragment link alone scrolls, but not every browser moves the focus) and shows the field's label.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  // A fragment in the address (the skip link's #main, kept when the form posted back to the same address): the
  // browser jumps to it after this script ran and takes the focus to its element. The fragment goes from the address
  // (so that it does not follow the next submission either), and the summary gets the focus back after the jump.
  if (window.location.hash) {
    var jumpTarget = null;
    try {
      jumpTarget = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } catch (malformed) {
      // A fragment that is no valid percent-encoding (#%E0%A4%A): nothing of the page is its target.
    }
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    var reclaim = function () {
      var active = document.activeElement;
      if (!active || active === document.body || active === jumpTarget) { summary.focus(); }
    };
    window.addEventListener("load", function () { reclaim(); window.setTimeout(reclaim, 0); });
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = null;
    try {
      target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    } catch (malformed) {
      return;
    }
    if (!target) { return; }
    event.preventDefault();
    var label = target.id ? document.querySelector("label[for='" + CSS.escape(target.id) + "']") : null;
    (label || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
