// Progressive enhancement for Funnel CRM: every action also works as a plain form without this file.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Inline status selects submit on change; unqualified asks for the reason first.
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var form = select.form;
      var initial = select.value;
      form.querySelectorAll("[data-js-hide]").forEach(function (el) { el.hidden = true; });
      select.addEventListener("change", function () {
        if (select.value === "unqualified") {
          var reason = window.prompt("Why is this lead unqualified?");
          if (!reason || !reason.trim()) { select.value = initial; return; }
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "reason"; input.value = reason.trim();
          form.appendChild(input);
        }
        form.submit();
      });
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
        column.querySelector(".cards").appendChild(dragged);
        column.classList.add("busy");
        form.submit();
      });
    });
  }

  // The activity form asks for a due date only when scheduling a task.
  function dueField() {
    document.querySelectorAll(".activity-form").forEach(function (form) {
      var due = form.querySelector("[data-due-field]");
      if (!due) return;
      function refresh() {
        var kind = form.querySelector('input[name="kind"]:checked');
        due.hidden = !(kind && kind.value === "task") && !due.querySelector(".error");
      }
      form.querySelectorAll('input[name="kind"]').forEach(function (r) { r.addEventListener("change", refresh); });
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
    autosubmit();
    bulk();
    board();
  });
})();
