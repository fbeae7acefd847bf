// Contento's web widget, for a business's own site:
//   <script src="https://contento.example/static/contento/widget.js"
//           data-workspace="WORKSPACE-CODE" data-survey="OPTIONAL-SURVEY-CODE"
//           data-visitor="OPTIONAL-SIGNED-VISITOR-TOKEN" defer></script>
// It adds a button that opens Contento's help in a frame: the contact form, the chat and,
// with data-survey, a survey. It asks nothing of any other server, sets no cookie, and works
// under a strict Content-Security-Policy: the site allows this script and the frame
// (script-src and frame-src of the Contento address), and nothing inline is needed, since
// styles are set through the DOM, not as attributes or a <style> element.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.workspace) return;
  var origin = new URL(script.src).origin;
  var lang = (script.dataset.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  var url = origin + "/w/" + encodeURIComponent(script.dataset.workspace) + "/?lang=" + lang;
  if (script.dataset.survey) url += "&survey=" + encodeURIComponent(script.dataset.survey);
  // A site whose visitor has signed in names them with a token its server signed (see the
  // workspace settings): the widget then writes as that customer, asking no name or address.
  if (script.dataset.visitor) url += "&visitor=" + encodeURIComponent(script.dataset.visitor);
  var labels = { en: "Help", es: "Ayuda", fr: "Aide", ru: "Помощь", vi: "Trợ giúp", id: "Bantuan" };
  var closeLabels = { en: "Close", es: "Cerrar", fr: "Fermer", ru: "Закрыть", vi: "Đóng", id: "Tutup" };

  function style(element, rules) {
    Object.keys(rules).forEach(function (name) { element.style[name] = rules[name]; });
  }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "contento-widget-button";
  button.textContent = script.dataset.label || labels[lang] || labels.en;
  button.setAttribute("aria-expanded", "false");
  style(button, {
    position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483646",
    padding: ".75rem 1.1rem", borderRadius: "2rem", border: "0", cursor: "pointer",
    background: script.dataset.colour || "#0b5cad", color: "#fff", font: "600 16px system-ui, sans-serif",
    boxShadow: "0 2px 8px rgba(0,0,0,.25)"
  });

  var frame = null;
  button.addEventListener("click", function () {
    if (frame) {
      frame.remove();
      frame = null;
      button.setAttribute("aria-expanded", "false");
      button.textContent = script.dataset.label || labels[lang] || labels.en;
      return;
    }
    frame = document.createElement("iframe");
    frame.id = "contento-widget-frame";
    frame.src = url;
    frame.title = script.dataset.label || labels[lang] || labels.en;
    style(frame, {
      position: "fixed", right: "1rem", bottom: "4.5rem", zIndex: "2147483647",
      width: "min(24rem, calc(100vw - 2rem))", height: "min(36rem, calc(100vh - 6rem))",
      border: "1px solid #d0d7de", borderRadius: ".75rem", background: "#fff",
      boxShadow: "0 4px 24px rgba(0,0,0,.2)"
    });
    document.body.appendChild(frame);
    button.setAttribute("aria-expanded", "true");
    button.textContent = closeLabels[lang] || closeLabels.en;
    frame.focus();
  });
  document.body.appendChild(button);
})();
