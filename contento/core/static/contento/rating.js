// One click from the rating email: the page opens with the score chosen and records it at
// once, so a link-scanning mail filter (which runs no script) never records a rating. The
// note that says so is a live region, so a screen reader announces it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  const data = new FormData(form);
  data.delete("comment");
  fetch(form.action || window.location.pathname, { method: "POST", body: data, credentials: "same-origin" })
    .then((response) => {
      if (response.ok) {
        form.removeAttribute("data-autosubmit");
        const note = form.querySelector(".saved");
        if (note) note.textContent = form.dataset.savedText || "✓";
      }
    });
});
