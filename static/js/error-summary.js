// After a failed submission (WCAG 3.3.1, 4.1.3): the error summary at the top of <main> takes the focus, so a
// screen reader says at once that the form was not accepted and what to fix. Each of its links moves the focus to
// its field (a fragment link alone scrolls, but not every browser moves the focus) and shows the field's label.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) { return; }
    event.preventDefault();
    var label = target.id ? document.querySelector("label[for='" + CSS.escape(target.id) + "']") : null;
    (label || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
