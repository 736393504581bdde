// The header's search box: "/" focuses it from anywhere on the page, unless the person is typing in a field.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var box = document.querySelector("[data-site-search]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
