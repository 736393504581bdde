// Duplicate hints: a field marked data-duplicates asks that endpoint (?<data-duplicates-param>=value, and
// ?exclude= the record being edited) a moment after the user stops typing, and shows "Possible duplicate: <link>"
// under the field for each record the user can see that looks the same. Only a hint: saving stays allowed.
(function () {
  "use strict";

  var DELAY = 400;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function setup(input) {
    // The live region exists before anything is said in it, so screen readers announce what appears.
    var hint = document.createElement("div");
    hint.className = "dup-hint";
    hint.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", hint);
    var timer = null;
    var asked = 0;
    var last = null;

    function show(results) {
      hint.textContent = "";
      results.forEach(function (result) {
        var line = document.createElement("p");
        line.appendChild(document.createTextNode("Possible duplicate: "));
        var link = document.createElement("a");
        link.href = result.url;
        link.textContent = result.label;
        link.target = "_blank";
        link.rel = "noopener";
        line.appendChild(link);
        if (result.detail) line.appendChild(document.createTextNode(" (" + result.detail + ")"));
        hint.appendChild(line);
      });
    }

    function check() {
      var value = input.value.trim();
      if (value === last) return;
      last = value;
      if (!value) { show([]); return; }
      var params = new URLSearchParams();
      params.set(input.getAttribute("data-duplicates-param"), value);
      var exclude = input.getAttribute("data-duplicates-exclude");
      if (exclude) params.set("exclude", exclude);
      var ticket = ++asked;
      fetch(input.getAttribute("data-duplicates") + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) { if (ticket === asked) show(body.results || []); })
        .catch(function () { /* no hint is still a working form */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, DELAY);
    });
    input.addEventListener("change", check);
    // Typed before this script ran (a slow page): check what is already there.
    if (input.value.trim()) check();
  }

  ready(function () {
    document.querySelectorAll("input[data-duplicates]").forEach(setup);
  });
})();
