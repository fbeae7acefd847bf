// Behaviour that pages declare with data- attributes, so that no page needs inline script
// (the Content-Security-Policy allows scripts from the project's static files only).
(function () {
  "use strict";
  // <form data-reset-on-success>: empty the form after htmx posted it successfully.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reset-on-success]");
    if (form && event.detail.successful) form.reset();
  });
  // <select data-fill="id">: fetch the chosen option's address and put the text in #id.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fill]") || !select.value) return;
    fetch(select.value, { credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.text() : Promise.reject(reply.status); })
      .then(function (text) {
        var target = document.getElementById(select.getAttribute("data-fill"));
        if (target) target.value = text;
      });
  });
})();
