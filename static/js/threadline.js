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
