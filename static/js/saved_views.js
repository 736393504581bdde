// The navigation's "Saved views" menu: its list is fetched each time it opens, so pages don't pay for it.
(function () {
  "use strict";
  document.querySelectorAll("[data-saved-views]").forEach(function (menu) {
    var body = menu.querySelector("[data-saved-views-body]");
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      fetch(menu.dataset.savedViews, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          // Server-rendered and escaped by the template engine, from this site.
          body.innerHTML = html;
          menu.dataset.loaded = "true";
        })
        .catch(function () { /* keep the link to the saved views page */ });
    });
  });
})();
