// A file larger than its field allows is refused here, before the form is sent. Sent, a body over the server's
// limit is refused unread (413), and everything typed into the form is lost with it (pages are not cached).
// Fields opt in with data-max-bytes and data-too-large (the message, in the page's language).
(function () {
  "use strict";

  function describedBy(input, id, add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (value) {
      return value && value !== id;
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var limit = Number(input.getAttribute("data-max-bytes"));
      var id = input.id + "-size-error";
      var shown = document.getElementById(id);
      var tooLarge = Array.prototype.some.call(input.files || [], function (file) {
        return file.size > limit;
      });
      if (shown) {
        shown.remove();
      }
      describedBy(input, id, tooLarge);
      if (!tooLarge) {
        continue;
      }
      event.preventDefault();
      var message = document.createElement("p");
      message.className = "kern-error";
      message.id = id;
      message.setAttribute("role", "alert");
      message.textContent = input.getAttribute("data-too-large");
      input.parentNode.insertBefore(message, input);
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
  });
})();
