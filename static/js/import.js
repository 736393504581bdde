// Poll the import's status every second and refresh the figures until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var finished = { done: true, failed: true };

  function show(data) {
    box.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.getAttribute("data-field");
      var value = data[name];
      if (name === "percent") { el.value = value; el.textContent = value + "%"; return; }
      el.textContent = (value === null || value === undefined || value === "") ? (name === "detail" ? "" : "—") : String(value);
    });
    box.setAttribute("data-status", data.status);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        show(data);
        if (!finished[data.status]) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (!finished[box.getAttribute("data-status")]) { poll(); }
}());
