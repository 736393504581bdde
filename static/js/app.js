// Progressive enhancement for Funnel CRM: every action also works as a plain form without this file.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Inline status selects in a list save only on an explicit confirm: the Set button, or Enter on the select.
  // Never on a change event: ArrowDown on a focused select (or the wheel) changes its value, and a keyboard user
  // walking the list must not rewrite a lead's status. A picked but unsaved status marks the form pending; Escape
  // puts the saved one back. Unqualified asks for the reason before it is sent.
  function statusConfirm() {
    document.querySelectorAll("form[data-status-confirm]").forEach(function (form) {
      var select = form.querySelector("select[name=status]");
      // The saved status is the option the page marked selected (a restored page may show another).
      var saved = Array.prototype.filter.call(select.options, function (o) { return o.defaultSelected; })[0];
      var initial = saved ? saved.value : select.value;
      function refresh() { form.classList.toggle("pending", select.value !== initial); }
      select.addEventListener("change", refresh);
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          form.requestSubmit();
        } else if (event.key === "Escape" && select.value !== initial) {
          select.value = initial;
          refresh();
        }
      });
      form.addEventListener("submit", function (event) {
        if (select.value === initial) { event.preventDefault(); return; }
        if (select.value === "unqualified" && !form.querySelector("input[name=reason]")) {
          var reason = window.prompt("Why is this lead unqualified?");
          if (!reason || !reason.trim()) { event.preventDefault(); return; }
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "reason"; input.value = reason.trim();
          form.appendChild(input);
        }
      });
      refresh();
    });
  }

  // Bulk bar: select all on the page, count the selection, show the fields of the chosen action.
  function bulk() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var boxes = function () { return document.querySelectorAll('input[name="ids"][form="bulk-form"]'); };
    var all = document.querySelector("[data-select-all]");
    var counter = form.querySelector("[data-selected-count]");
    var action = form.querySelector("[data-bulk-action]");
    function refresh() {
      var n = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
      counter.textContent = n ? n + " selected:" : "Select leads, then";
      form.querySelectorAll("[data-bulk-for]").forEach(function (el) {
        el.hidden = el.getAttribute("data-bulk-for") !== action.value;
      });
    }
    if (all) all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
    boxes().forEach(function (b) { b.addEventListener("change", refresh); });
    action.addEventListener("change", refresh);
    refresh();
  }

  // Pipeline board: drag a card onto a column to move the deal there (the card's form posts the move).
  function board() {
    var boardEl = document.querySelector("[data-board]");
    if (!boardEl) return;
    var dragged = null;
    boardEl.querySelectorAll("[data-card]").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        dragged = card;
        card.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.getAttribute("data-card"));
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("dragging");
        dragged = null;
      });
    });
    boardEl.querySelectorAll("[data-stage]").forEach(function (column) {
      column.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        column.classList.add("drop-target");
      });
      column.addEventListener("dragleave", function (event) {
        if (!column.contains(event.relatedTarget)) column.classList.remove("drop-target");
      });
      column.addEventListener("drop", function (event) {
        event.preventDefault();
        column.classList.remove("drop-target");
        if (!dragged) return;
        var form = dragged.querySelector("[data-move-form]");
        var select = form.querySelector("[data-stage-select]");
        var stage = column.getAttribute("data-stage");
        if (select.value === stage) return;
        select.value = stage;
        if (form.hasAttribute("data-inline")) {
          // inline_edit.js saves it in place and answers with inline:saved or inline:failed (handled below).
          form.requestSubmit();
          return;
        }
        column.querySelector(".cards").appendChild(dragged);
        column.classList.add("busy");
        form.submit();
      });
    });
    // A card saved in place (the lead board): move it to its new column, newest first, and recount both columns.
    boardEl.addEventListener("inline:saved", function (event) {
      var card = event.target.closest("[data-card]");
      var to = boardEl.querySelector('[data-stage="' + event.detail.value + '"]');
      var from = card && card.closest("[data-stage]");
      if (!card || !to || to === from) return;
      var list = to.querySelector(".cards");
      list.insertBefore(card, list.firstChild);
      [[from, -1], [to, 1]].forEach(function (pair) {
        var count = pair[0].querySelector("[data-count]");
        if (count) count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + pair[1]));
      });
      var select = card.querySelector("[data-stage-select]");
      Array.prototype.forEach.call(select.options, function (o) { o.defaultSelected = o.value === event.detail.value; });
      select.value = event.detail.value;
      var menu = card.querySelector("details[open]");
      if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  }

  // The activity form shows the fields of the chosen kind only (`data-kinds="task meeting"`): a task's due date
  // and reminder, a call's outcome and duration. A field with an error always shows.
  function dueField() {
    document.querySelectorAll(".activity-form").forEach(function (form) {
      var groups = form.querySelectorAll("[data-kinds]");
      var remind = form.querySelector('select[name="remind"]');
      var custom = form.querySelector("[data-remind-custom]");
      function refresh() {
        var kind = form.querySelector('input[name="kind"]:checked');
        groups.forEach(function (group) {
          var kinds = group.dataset.kinds.split(" ");
          group.hidden = !(kind && kinds.indexOf(kind.value) !== -1) && !group.querySelector(".error");
        });
        if (remind && custom) custom.hidden = remind.value !== "custom" && !custom.querySelector(".error");
      }
      form.querySelectorAll('input[name="kind"]').forEach(function (r) { r.addEventListener("change", refresh); });
      if (remind) remind.addEventListener("change", refresh);
      refresh();
    });
  }

  // Narrow screens: the menu button shows and hides the navigation. Without this file the navigation stays
  // open (the button only shows once the header is marked collapsible here).
  function navToggle() {
    var button = document.querySelector("[data-nav-toggle]");
    if (!button) return;
    var header = button.closest(".topbar");
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("nav-open", open);
    }
    header.classList.add("nav-collapsible");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      setOpen(false);
      button.focus();
    });
  }

  ready(function () {
    navToggle();
    dueField();
    statusConfirm();
    bulk();
    board();
  });
})();
