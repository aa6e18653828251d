// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  navigator.clipboard?.writeText(field.value || field.textContent).then(() => {
    button.innerHTML = '<i class="bi bi-check2" aria-hidden="true"></i> Copied';
  });
});

// A "tick all" box ticks (or unticks) every box its data-tick-all selector names.
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-tick-all]");
  if (!box) return;
  document.querySelectorAll(box.dataset.tickAll).forEach((other) => { other.checked = box.checked; });
});

// A form with data-confirm asks before it is sent; a select with data-autosubmit sends its form.
// (Handlers live here, not in attributes: the Content-Security-Policy allows no inline script.)
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});
