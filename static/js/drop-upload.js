// Drag-and-drop onto an upload form: a file dropped on [data-drop-target] goes into the form's file
// input (the form still works with the plain input, without JavaScript). From a file, as the CSP wants.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-drop-zone]").forEach((form) => {
    const target = form.querySelector("[data-drop-target]");
    const input = form.querySelector('input[type="file"]');
    if (!target || !input) return;
    const show = (on) => target.classList.toggle("border-primary", on);
    ["dragenter", "dragover"].forEach((name) => form.addEventListener(name, (event) => { event.preventDefault(); show(true); }));
    ["dragleave", "drop"].forEach((name) => form.addEventListener(name, () => show(false)));
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      target.textContent = `Ready to upload: ${input.files[0].name}`;
    });
  });
});
