// Inline edits (core.inline). Without this file every page keeps its ordinary links and forms.
// - A value marked data-inline="<endpoint>" data-field="<name>" gets an edit button: click the value (or Enter on the
//   button) for an input; Enter or leaving the input saves, Escape cancels, errors show beside the input.
// - A form marked data-inline (the lead board's move menus) is sent to the endpoint instead of reloading the page;
//   it then fires inline:saved (detail: the answer) or inline:failed on itself.
// - A status or stage change shows a toast with Undo for 10 seconds: undo sends the previous value back.
// - A choice listed in needs_reason / data-needs-reason (unqualified, lost) asks why in a dialog first.
(function () {
  "use strict";

  var script = document.currentScript;
  var csrf = script ? script.getAttribute("data-csrf") : "";
  var UNDO_MS = 10000;
  var toasts, dialog;

  function send(url, field, value, reason) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ field: field, value: value === null ? "" : value, reason: reason || "" })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    }, function () { return { ok: false, status: 0, body: {} }; });
  }

  function errorText(result) {
    var body = result.body || {};
    if (body.detail) return body.detail;
    var messages = [];
    Object.keys(body).forEach(function (key) { if (Array.isArray(body[key])) messages = messages.concat(body[key]); });
    if (messages.length) return messages.join(" ");
    if (result.status === 404) return "This record is not there any more, or not yours to see.";
    return result.status ? "Not saved (error " + result.status + ")." : "Not saved: the server did not answer.";
  }

  function toast(message, undo, isError) {
    var item = document.createElement("div");
    item.className = "toast" + (isError ? " error" : "");
    var text = document.createElement("span");
    text.textContent = message;
    item.appendChild(text);
    var timer = setTimeout(function () { item.remove(); }, UNDO_MS);
    if (undo) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = "Undo";
      button.setAttribute("data-undo", "");
      button.addEventListener("click", function () { clearTimeout(timer); item.remove(); undo(); });
      item.appendChild(button);
    }
    toasts.appendChild(item);
  }

  // The reason for unqualified / lost, in a modal dialog; resolves to the text, or null when cancelled.
  function askReason(title) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "reason-dialog";
      dialog.setAttribute("aria-labelledby", "reason-dialog-title");
      dialog.innerHTML = '<form method="dialog"><h2 id="reason-dialog-title"></h2>' +
        '<label for="reason-dialog-input">Reason</label>' +
        '<input id="reason-dialog-input" maxlength="255" autocomplete="off" aria-describedby="reason-dialog-error">' +
        '<p class="error" id="reason-dialog-error" role="alert"></p>' +
        '<div class="form-actions"><button type="submit" class="primary">Save</button>' +
        '<button type="button" data-cancel>Cancel</button></div></form>';
      document.body.appendChild(dialog);
    }
    var back = document.activeElement;
    var input = dialog.querySelector("input");
    var error = dialog.querySelector(".error");
    dialog.querySelector("h2").textContent = title;
    input.value = "";
    error.textContent = "";
    return new Promise(function (resolve) {
      function finish(value) {
        if (dialog.open) dialog.close();
        if (back && back.isConnected) back.focus();
        resolve(value);
      }
      dialog.querySelector("form").onsubmit = function (event) {
        event.preventDefault();
        if (!input.value.trim()) { error.textContent = "Say why."; input.focus(); return; }
        finish(input.value.trim());
      };
      dialog.querySelector("[data-cancel]").onclick = function () { finish(null); };
      dialog.oncancel = function (event) { event.preventDefault(); finish(null); };
      dialog.showModal();
      input.focus();
    });
  }

  function needsReason(list, value) { return (list || []).map(String).indexOf(String(value)) >= 0; }

  // After a saved status or stage change: a toast whose Undo sends the previous value, then `apply`s the answer.
  function offerUndo(url, what, answer, apply) {
    if (!answer.undo) return;
    toast(what + " changed to " + answer.display + ".", function () {
      send(url, answer.field, answer.undo.value, answer.undo.reason).then(function (result) {
        if (!result.ok) { toast(errorText(result), null, true); return; }
        apply(result.body);
        toast("Undone: " + what + " is " + result.body.display + " again.");
      });
    });
  }

  function fire(el, name, detail) { el.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail })); }

  // --- values edited in place -------------------------------------------------------------------------------
  function setupValue(el) {
    var url = el.getAttribute("data-inline");
    var field = el.getAttribute("data-field");
    var label = el.getAttribute("data-label") || field;
    var of = el.getAttribute("data-of");  // in a list: whose value it is, for the button's name
    var display = el.querySelector("[data-display]") || el;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "inline-edit-button";
    button.setAttribute("aria-label", "Edit " + label.toLowerCase() + (of ? " of " + of : ""));
    button.title = "Edit " + label.toLowerCase();
    button.innerHTML = '<span aria-hidden="true">✎</span>';
    el.appendChild(button);
    el.classList.add("inline-editable");

    function apply(answer) {
      var prefix = display.getAttribute("data-class-prefix");
      if (prefix) {
        display.classList.remove(prefix + el.getAttribute("data-value"));
        display.classList.add(prefix + answer.value);
      }
      el.setAttribute("data-value", answer.value === null ? "" : answer.value);
      display.textContent = answer.display;
      fire(el, "inline:saved", answer);
    }

    function open() {
      if (el.querySelector(".inline-editor")) return;
      var kind = el.getAttribute("data-input") || "text";
      var spec = kind === "select"
        ? fetch(url + "?field=" + encodeURIComponent(field), { credentials: "same-origin", headers: { "Accept": "application/json" } })
            .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); })
        : Promise.resolve({ ok: true, body: { input: kind, value: el.getAttribute("data-value") } });
      spec.then(function (result) {
        if (!result.ok) { toast(errorText(result), null, true); return; }
        edit(result.body);
      });
    }

    function edit(spec) {
      var editor = document.createElement("span");
      editor.className = "inline-editor";
      var input;
      if (spec.input === "select") {
        input = document.createElement("select");
        spec.choices.forEach(function (choice) {
          var option = new Option(choice[1], choice[0]);
          option.selected = String(choice[0]) === String(spec.value === null ? "" : spec.value);
          input.appendChild(option);
        });
      } else {
        input = document.createElement("input");
        input.type = spec.input;
        if (spec.input === "number") input.step = "0.01";
        input.value = spec.value === null ? "" : spec.value;
      }
      var initial = input.value;
      var errorId = "inline-error-" + field + "-" + Math.random().toString(36).slice(2);
      var error = document.createElement("span");
      error.className = "error";
      error.id = errorId;
      error.setAttribute("role", "alert");
      input.setAttribute("aria-label", label);
      input.setAttribute("aria-describedby", errorId);
      input.setAttribute("data-inline-input", field);
      editor.appendChild(input);
      editor.appendChild(error);
      display.hidden = true;
      button.hidden = true;
      el.appendChild(editor);
      input.focus();
      var busy = false;

      function close() {
        editor.remove();
        display.hidden = false;
        button.hidden = false;
      }
      function fail(message) {
        busy = false;
        input.disabled = false;
        input.setAttribute("aria-invalid", "true");
        error.textContent = message;
        input.focus();
      }
      function commit() {
        if (busy) return;
        if (input.value === initial) { close(); return; }
        busy = true;
        var value = input.value;
        var reason = needsReason(spec.needs_reason, value)
          ? askReason("Why " + (input.options ? input.options[input.selectedIndex].text : value) + "?")
          : Promise.resolve("");
        reason.then(function (why) {
          if (why === null) { busy = false; input.value = initial; close(); button.focus(); return; }
          input.disabled = true;
          send(url, field, value, why).then(function (result) {
            if (!result.ok) { fail(errorText(result)); return; }
            close();
            apply(result.body);
            button.focus();
            offerUndo(url, label, result.body, apply);
          });
        });
      }
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); commit(); }
        else if (event.key === "Escape") { event.preventDefault(); busy = true; close(); button.focus(); }
      });
      input.addEventListener("blur", function () {
        // Leaving for the reason dialog is not leaving the field.
        if (!busy && editor.isConnected) commit();
      });
    }

    button.addEventListener("click", open);
    el.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select, .inline-editor")) return;
      open();
    });
  }

  // --- forms sent in place (the lead board) -----------------------------------------------------------------
  function setupForm(form) {
    var url = form.getAttribute("data-inline");
    var field = form.getAttribute("data-field");
    var label = form.getAttribute("data-label") || field;
    var select = form.querySelector("select");
    var reasonInput = form.querySelector("input[name=reason]");
    function saved() {
      var option = Array.prototype.filter.call(select.options, function (o) { return o.defaultSelected; })[0];
      return option ? option.value : select.value;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = select.value;
      var current = saved();
      if (value === current) return;
      var typed = reasonInput ? reasonInput.value.trim() : "";
      var needs = (form.getAttribute("data-needs-reason") || "").split(" ");
      var why = needsReason(needs, value) && !typed
        ? askReason("Why is " + label + " " + select.options[select.selectedIndex].text.toLowerCase() + "?")
        : Promise.resolve(typed);
      why.then(function (reason) {
        if (reason === null) { select.value = current; fire(form, "inline:failed", {}); return; }
        send(url, field, value, reason).then(function (result) {
          if (!result.ok) {
            select.value = current;
            toast(label + ": " + errorText(result), null, true);
            fire(form, "inline:failed", result.body);
            return;
          }
          if (reasonInput) reasonInput.value = "";
          fire(form, "inline:saved", result.body);
          offerUndo(url, label + "'s " + field, result.body, function (answer) { fire(form, "inline:saved", answer); });
        });
      });
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var values = document.querySelectorAll("[data-inline][data-field]:not(form)");
    var forms = document.querySelectorAll("form[data-inline]");
    if (!values.length && !forms.length) return;
    toasts = document.createElement("div");
    toasts.className = "toasts";
    toasts.setAttribute("role", "status");
    document.body.appendChild(toasts);
    values.forEach(setupValue);
    forms.forEach(setupForm);
  });
})();
