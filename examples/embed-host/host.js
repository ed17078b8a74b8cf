// Example parent page for the embedding protocol (shared/contract/console.md). Plain script, no
// inline code, so it works under a strict CSP of its own.
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  const consoleUrl = params.get("console") || "http://127.0.0.1:8080/";
  const consoleOrigin = new URL(consoleUrl, location.href).origin;
  const frame = document.getElementById("console");
  const themeSelect = document.getElementById("theme");
  const tokenInput = document.getElementById("token");
  const log = document.getElementById("log");
  // Kept for tests and for curious readers: every message received, in order.
  window.__received = [];
  let consoleReady = false;

  // The token never comes from this page's URL (console.md forbids tokens in URLs: they end up in
  // history, logs and Referer headers). A real host has it from its own sign-in; this example takes
  // it from the form field, or from a message its own opener or a test posts to this window:
  // {type: "example-host:token", token}.
  themeSelect.value = params.get("theme") || "light";

  function send(msg) {
    // Exact origin, never "*": a token must reach only the console.
    frame.contentWindow.postMessage(msg, consoleOrigin);
  }

  window.addEventListener("message", function (event) {
    // A token handed to this page by a same-origin window (a test, or the host's own sign-in).
    if (event.origin === location.origin && event.data && event.data.type === "example-host:token" && typeof event.data.token === "string") {
      tokenInput.value = event.data.token;
      // Before the console is ready, `init` will carry it.
      if (consoleReady) send({ type: "regional-console:token", token: tokenInput.value });
      return;
    }
    if (event.origin !== consoleOrigin || event.source !== frame.contentWindow) return;
    const msg = event.data;
    if (!msg || typeof msg.type !== "string" || !msg.type.startsWith("regional-console:")) return;
    window.__received.push(msg);
    const item = document.createElement("li");
    item.textContent = JSON.stringify(msg.type === "regional-console:resize" ? msg : msg);
    log.prepend(item);
    switch (msg.type) {
      case "regional-console:ready":
        consoleReady = true;
        send({ type: "regional-console:init", token: tokenInput.value || undefined, theme: themeSelect.value, region: params.get("region") || undefined });
        break;
      case "regional-console:resize":
        if (Number.isFinite(msg.height) && msg.height > 0) frame.style.height = Math.min(msg.height, 20000) + "px";
        break;
      case "regional-console:navigate":
        document.getElementById("route").textContent = "console at " + msg.path;
        history.replaceState(null, "", "#console=" + encodeURIComponent(msg.path));
        break;
      case "regional-console:auth-required":
        // A real host would refresh its IAM token here; the example resends what it has.
        if (tokenInput.value) send({ type: "regional-console:token", token: tokenInput.value });
        break;
    }
  });

  themeSelect.addEventListener("change", function () {
    send({ type: "regional-console:theme", theme: themeSelect.value });
  });
  document.getElementById("send-token").addEventListener("click", function () {
    send({ type: "regional-console:token", token: tokenInput.value });
  });

  frame.src = consoleUrl;
})();
