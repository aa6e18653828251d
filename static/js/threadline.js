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

// A slug field follows the field its data-slug-from names ("Orders API" → "orders-api") until it is
// edited by hand.
document.addEventListener("input", (event) => {
  if (event.target.matches("[data-slug-from]")) { event.target.dataset.edited = "1"; return; }
  document.querySelectorAll("[data-slug-from]").forEach((slug) => {
    if (slug.dataset.edited || !event.target.matches(slug.dataset.slugFrom)) return;
    slug.value = event.target.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "");
  });
});
