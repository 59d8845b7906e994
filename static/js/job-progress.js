// Updates a background job's progress bar while it runs (GET …/stand every few seconds). The state line is a
// polite live region, so a screen reader hears when the state changes, not every step; at the end a link to the
// result appears instead of the page reloading by itself.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-progress-url");
  var state = document.getElementById("job-state");
  var bar = document.getElementById("job-bar");
  var count = document.getElementById("job-count");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (state.textContent !== data.state_text) { state.textContent = data.state_text; }
        if (bar && data.total) {
          bar.max = data.total;
          bar.value = data.done;
          bar.textContent = (data.percent || 0) + " %";
          if (count) { count.textContent = count.textContent.replace(/^\S+/, String(data.done)); }
        }
        if (data.finished) {
          document.getElementById("job-reload").hidden = false;
        } else {
          window.setTimeout(poll, 3000);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
}());
