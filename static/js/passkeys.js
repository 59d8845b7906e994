// Passkeys (WebAuthn): registering one under „Zwei-Faktor-Anmeldung“ and confirming a login with one.
// The server builds the options and checks the answers (py_webauthn); this script only carries them between the
// server and navigator.credentials, turning binary fields into base64url and back. Without JavaScript or WebAuthn
// the forms stay hidden and the page's own message names the alternatives (the app, a recovery code).
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var copy = { type: item.type, id: toBytes(item.id) };
      if (item.transports) { copy.transports = item.transports; }
      return copy;
    });
  }

  // POST JSON with the CSRF token; resolves to the parsed answer, rejects with the server's message if any.
  function post(url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        throw { serverMessage: null };
      }
      return response.json().then(function (data) {
        // The view's refusals carry a text, the platform's checks of every request (CSRF) {status, message}.
        if (!response.ok) { throw { serverMessage: (data.error && data.error.message) || data.error || null }; }
        return data;
      });
    });
  }

  function messageFor(error, box) {
    if (error && error.serverMessage) { return error.serverMessage; }
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") { return box.getAttribute("data-message-cancelled"); }
    if (name === "InvalidStateError" && box.hasAttribute("data-message-duplicate")) {
      return box.getAttribute("data-message-duplicate");
    }
    return box.getAttribute("data-message-failed");
  }

  // Shows what is happening (polite) or what went wrong (an alert), and keeps the button from a second press.
  function ui(box, button) {
    var status = box.querySelector("#passkey-status");
    var alertBox = box.querySelector("#passkey-error");
    return {
      busy: function () {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        alertBox.textContent = "";
        alertBox.className = "";
        status.textContent = box.getAttribute("data-message-working");
      },
      fail: function (text) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        status.textContent = "";
        // The markup of the server's own alerts (macros/forms.html), built without innerHTML.
        var header = document.createElement("div");
        var icon = document.createElement("span");
        var title = document.createElement("span");
        header.className = "kern-alert__header";
        icon.className = "kern-icon kern-icon--danger";
        icon.setAttribute("aria-hidden", "true");
        title.className = "kern-title";
        title.textContent = text;
        header.appendChild(icon);
        header.appendChild(title);
        alertBox.textContent = "";
        alertBox.className = "kern-alert kern-alert--danger";
        alertBox.appendChild(header);
      }
    };
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && window.fetch);
  }

  function reveal(box) {
    var note = document.getElementById("passkey-unsupported");
    if (!supported()) {
      if (note) { note.textContent = note.getAttribute("data-message-no-webauthn"); }
      return false;
    }
    if (note) { note.hidden = true; }
    box.hidden = false;
    return true;
  }

  // --- registering (the profile) ---------------------------------------------------------------------------
  var register = document.getElementById("passkey-register");
  if (register && reveal(register)) {
    var nameInput = register.querySelector("#passkey-name");
    var nameError = register.querySelector("#passkey-name-error");
    var registerButton = register.querySelector("button[type=submit]");
    var registerUi = ui(register, registerButton);
    var registerToken = register.querySelector("input[name=csrf_token]").value;

    var showNameError = function (text) {
      nameError.hidden = !text;
      nameError.querySelector(".kern-body").textContent = text || "";
      if (text) {
        nameInput.setAttribute("aria-invalid", "true");
        nameInput.setAttribute("aria-describedby", "passkey-name-hint passkey-name-error");
        nameInput.focus();
      } else {
        nameInput.removeAttribute("aria-invalid");
        nameInput.setAttribute("aria-describedby", "passkey-name-hint");
      }
    };

    register.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = nameInput.value.trim();
      if (!name) {
        showNameError(register.getAttribute("data-message-name"));
        return;
      }
      showNameError("");
      registerUi.busy();
      post(register.getAttribute("data-options-url"), registerToken, { name: name }).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        options.excludeCredentials = descriptors(options.excludeCredentials);
        return navigator.credentials.create({ publicKey: options });
      }).then(function (credential) {
        var response = credential.response;
        return post(register.getAttribute("data-verify-url"), registerToken, {
          name: name,
          credential: {
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            authenticatorAttachment: credential.authenticatorAttachment || null,
            clientExtensionResults: credential.getClientExtensionResults(),
            response: {
              clientDataJSON: toBase64url(response.clientDataJSON),
              attestationObject: toBase64url(response.attestationObject),
              transports: response.getTransports ? response.getTransports() : []
            }
          }
        });
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(function (error) {
        registerUi.fail(messageFor(error, register));
      });
    });
  }

  // --- confirming a login ----------------------------------------------------------------------------------
  var login = document.getElementById("passkey-login");
  if (login && reveal(login)) {
    var loginButton = document.getElementById("passkey-login-button");
    var loginUi = ui(login, loginButton);
    var loginToken = login.getAttribute("data-csrf-token");

    loginButton.addEventListener("click", function () {
      loginUi.busy();
      post(login.getAttribute("data-options-url"), loginToken, {}).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.allowCredentials = descriptors(options.allowCredentials);
        return navigator.credentials.get({ publicKey: options });
      }).then(function (credential) {
        var response = credential.response;
        return post(login.getAttribute("data-verify-url"), loginToken, {
          credential: {
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            authenticatorAttachment: credential.authenticatorAttachment || null,
            clientExtensionResults: credential.getClientExtensionResults(),
            response: {
              clientDataJSON: toBase64url(response.clientDataJSON),
              authenticatorData: toBase64url(response.authenticatorData),
              signature: toBase64url(response.signature),
              userHandle: response.userHandle ? toBase64url(response.userHandle) : null
            }
          }
        });
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(function (error) {
        loginUi.fail(messageFor(error, login));
      });
    });
  }
}());
