// Record pickers: an id field marked data-combobox becomes an autocompleting combobox (WAI-ARIA 1.2 pattern:
// an input with role=combobox and a listbox popup). The id moves to a hidden input of the same name, so the form
// posts what it posted without this file. Typing searches data-source (?q=, and ?<data-filter>= the value of
// that form field, e.g. the chosen account); ArrowDown/ArrowUp walk the options, Enter or a click picks one,
// Escape closes the list. Text that was not picked clears the id: the form then says what is missing.
(function () {
  "use strict";

  var DELAY = 200;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function setup(input, index) {
    var form = input.form;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = input.value;
    input.removeAttribute("name");
    input.removeAttribute("inputmode");
    input.parentNode.insertBefore(hidden, input);
    input.value = input.getAttribute("data-label") || "";

    var listId = (input.id || "combobox-" + index) + "-listbox";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "listbox";
    list.setAttribute("role", "listbox");
    var label = input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    list.setAttribute("aria-label", label ? label.textContent.replace("*", "").trim() : "Matches");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "combobox-status muted small";
    status.setAttribute("role", "status");

    var wrap = document.createElement("div");
    wrap.className = "combobox";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var active = -1;
    var results = [];
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(next) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (next + options.length) % options.length;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function pick(i) {
      var result = results[i];
      if (!result) return;
      hidden.value = String(result.id);
      input.value = result.label;
      input.setAttribute("data-label", result.label);
      status.textContent = "";
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (result, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.label;
        if (result.detail) {
          var detail = document.createElement("span");
          detail.className = "muted small";
          detail.textContent = " · " + result.detail;
          option.appendChild(detail);
        }
        // mousedown, not click: the input keeps the focus (its blur would close the list first).
        option.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = found.length ? "" : "No matches.";
    }

    function search() {
      var params = new URLSearchParams({ q: input.value.trim() });
      var filter = input.getAttribute("data-filter");
      if (filter && form && form.elements[filter] && form.elements[filter].value) {
        params.set(filter, form.elements[filter].value);
      }
      var ticket = ++asked;
      fetch(input.getAttribute("data-source") + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) {
          if (ticket === asked && document.activeElement === input) render(body.results || []);
        })
        .catch(function () { /* a lost answer leaves the plain text field; the form still validates */ });
    }

    input.addEventListener("input", function () {
      if (hidden.value) {
        hidden.value = "";
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();
        pick(active >= 0 ? active : 0);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      close();
      // Text left unpicked: show that no record is chosen rather than a name that will not be saved.
      if (!hidden.value && input.value.trim()) status.textContent = "Pick one from the list to choose it.";
    });
  }

  ready(function () {
    document.querySelectorAll("input[data-combobox]").forEach(setup);
  });
})();
