// The question builder shows the fields of the chosen type only. Progressive enhancement:
// without JavaScript every field is shown and the server ignores those the type lacks.
(function () {
  "use strict";
  document.querySelectorAll("form.question-form").forEach(function (form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) return;
    function update() {
      form.querySelectorAll("[data-kinds]").forEach(function (field) {
        field.hidden = field.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
      });
    }
    kind.addEventListener("change", update);
    update();
  });
})();
