// The header's notification bell: its latest notifications are fetched each time the menu opens.
(function () {
  "use strict";
  document.querySelectorAll("[data-notifications]").forEach(function (menu) {
    var body = menu.querySelector("[data-notifications-body]");
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      fetch(menu.dataset.notifications, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          // Server-rendered and escaped by the template engine, from this site.
          body.innerHTML = html;
          menu.dataset.loaded = "true";
        })
        .catch(function () { /* keep the link to the notifications page */ });
    });
  });
})();
