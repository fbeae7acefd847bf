// Display logic inside one page of a public survey. Progressive enhancement only: without
// JavaScript every question is shown and the server applies the same rules on submit.
(function () {
  "use strict";
  // After a refused page, the summary of what needs attention takes the focus, so a screen
  // reader reads it and a keyboard user starts from it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  var form = document.querySelector("main.survey form");
  if (!form) return;

  // Answers given on earlier pages that a condition here looks at, sent by the server.
  var known = JSON.parse(form.getAttribute("data-known") || "{}");

  function valueOf(key) {
    var field = document.getElementById("field-" + key);
    if (!field) return Object.prototype.hasOwnProperty.call(known, key) ? known[key] : null;
    var checked = field.querySelectorAll("input:checked");
    var text = field.querySelector("textarea");
    if (text) return text.value.trim() || null;
    if (!checked.length) return null;
    if (checked[0].type === "checkbox") return Array.prototype.map.call(checked, function (i) { return i.value; });
    if (checked.length > 1) {  // matrix or expectation: compare the mean, as the server does
      var sum = 0; checked.forEach(function (i) { sum += Number(i.value); });
      return sum / checked.length;
    }
    var v = checked[0].value;
    return isNaN(Number(v)) ? v : Number(v);
  }

  function test(logic) {
    var actual = valueOf(logic.question), want = logic.value, op = logic.op;
    var answered = actual !== null && !(Array.isArray(actual) && !actual.length);
    if (op === "answered") return answered;
    if (op === "not_answered") return !answered;
    if (!answered) return false;
    if (Array.isArray(actual)) {
      var wanted = Array.isArray(want) ? want : [want];
      var hit = actual.some(function (a) { return wanted.indexOf(a) >= 0; });
      return (op === "eq" || op === "in") ? hit : (op === "neq" || op === "not_in") ? !hit : false;
    }
    switch (op) {
      case "eq": return String(actual) === String(want);
      case "neq": return String(actual) !== String(want);
      case "lt": return actual < Number(want);
      case "lte": return actual <= Number(want);
      case "gt": return actual > Number(want);
      case "gte": return actual >= Number(want);
      case "in": return want.map(String).indexOf(String(actual)) >= 0;
      case "not_in": return want.map(String).indexOf(String(actual)) < 0;
    }
    return true;
  }

  // Several conditions are joined by "all" (every one met) or "any" (at least one).
  function met(logic) {
    if (logic.all) return logic.all.every(test);
    if (logic.any) return logic.any.some(test);
    return test(logic);
  }

  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (field) {
      field.hidden = !met(JSON.parse(field.getAttribute("data-show-if")));
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
