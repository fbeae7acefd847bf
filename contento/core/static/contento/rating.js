// One click from the rating email: the page opens with the score chosen and records it at
// once, so a link-scanning mail filter (which runs no script) never records a rating.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  const data = new FormData(form);
  data.delete("comment");
  fetch(form.action || window.location.pathname, { method: "POST", body: data, credentials: "same-origin" })
    .then((response) => {
      if (response.ok) {
        form.removeAttribute("data-autosubmit");
        const note = document.createElement("p");
        note.className = "saved";
        note.textContent = form.dataset.savedText || "✓";
        form.querySelector("fieldset").after(note);
      }
    });
});
