// Live updates without a build step: poll small endpoints and refresh what changed.
(function () {
  "use strict";
  var PERIOD = 3000;

  function poll(url, onText) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { Accept: "*/*" } })
        .then(function (r) {
          if (r.status === 401) { window.location.reload(); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (text) { if (text !== null) onText(text); })
        .catch(function () {})
        .then(function () { busy = false; });
    }, PERIOD);
  }

  var rows = document.querySelector("[data-poll]");
  if (rows) {
    poll(rows.getAttribute("data-poll"), function (html) {
      if (rows.innerHTML.trim() !== html.trim()) rows.innerHTML = html;
    });
  }

  var incident = document.querySelector("[data-stamp]");
  if (incident) {
    var rendered = incident.getAttribute("data-stamp-value");
    poll(incident.getAttribute("data-stamp"), function (text) {
      if (text === rendered) return;
      // Keep a half-typed reason: wait while someone is typing in a field.
      var active = document.activeElement;
      if (active && active.tagName === "INPUT" && active.value) return;
      window.location.replace(window.location.pathname);
    });
  }
})();
