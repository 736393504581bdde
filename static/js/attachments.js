/* Attachments on a record page: drop a file on the card to upload it. Without this script the form still works. */
(function () {
  "use strict";
  var card = document.querySelector("[data-attachments]");
  var form = card && card.querySelector("[data-attachment-form]");
  if (!form || form.dataset.ready) { return; }
  form.dataset.ready = "1";
  var input = form.querySelector("input[type=file]");
  var status = form.querySelector("[data-attachment-status]");

  function upload(file) {
    var data = new FormData(form);
    data.set("file", file);
    status.textContent = "Uploading " + file.name + "…";
    fetch(form.action, { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) {
            status.textContent = "Attached " + body.name + ".";
            window.location.reload();
          } else {
            status.textContent = body.detail || ("Upload failed (" + response.status + ").");
          }
        });
      })
      .catch(function () { status.textContent = "Upload failed: the server could not be reached."; });
  }

  ["dragenter", "dragover"].forEach(function (name) {
    card.addEventListener(name, function (event) {
      event.preventDefault();
      card.classList.add("drop-target");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    card.addEventListener(name, function () { card.classList.remove("drop-target"); });
  });
  card.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) { upload(files[0]); }
  });
  form.addEventListener("submit", function (event) {
    if (input.files && input.files.length) {
      event.preventDefault();
      upload(input.files[0]);
    }
  });
})();
