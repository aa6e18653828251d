// Mermaid diagrams (templates/architecture/_diagram.html and _diagram_editor.html).
//
// * <figure data-diagram>: drawn from the text of its hidden <pre data-diagram-source>; its toolbar
//   copies that source and downloads the drawing as an SVG file named after data-name. A source that
//   doesn't parse shows Mermaid's message and the source instead.
// * [data-diagram-editor]: the Mermaid textarea of a form gets line numbers, a preview redrawn 300 ms
//   after the last keystroke, and Mermaid's parse error next to the line ("Line 3: …", line marked).
//   The form itself is an ordinary form: without JavaScript it still submits.
//
// Load static/vendor/mermaid/mermaid.min.js first (templates/architecture/_diagram_scripts.html does
// both). No inline script or eval: this file only reads data-* attributes (Content-Security-Policy).
(() => {
  "use strict";

  const mermaid = window.mermaid;
  const SECURE = ["secure", "securityLevel", "startOnLoad", "maxTextSize", "suppressErrorRendering", "maxEdges",
    "htmlLabels", "themeCSS"];
  let ready = false;

  function setUp() {
    if (ready || !mermaid) return ready;
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      htmlLabels: false,
      flowchart: { htmlLabels: false },
      theme: "default",
      maxTextSize: 100000, // settings.ARCHITECTURE_MAX_DIAGRAM_CHARS
      suppressErrorRendering: true, // throw instead of drawing a "Syntax error" picture
      secure: SECURE, // keys a diagram's own %%{init}%% or front matter may not change
    });
    ready = true;
    return ready;
  }

  // ---- Mermaid calls, one at a time (Mermaid keeps global state between parse and render) ---------

  let queue = Promise.resolve();
  let counter = 0;

  function serially(task) {
    const job = queue.then(task);
    queue = job.catch(() => {});
    return job;
  }

  // Mermaid draws in a temporary element on <body> and, on some errors, leaves it (or an error
  // picture) behind; take away anything of ours that is still there.
  function sweep() {
    document.querySelectorAll('body > [id^="tl-mermaid-"], body > [id^="dtl-mermaid-"], body > [id^="itl-mermaid-"]')
      .forEach((stray) => stray.remove());
  }

  function render(source) {
    return serially(async () => {
      const id = `tl-mermaid-${++counter}`;
      try {
        return (await mermaid.render(id, source)).svg;
      } finally {
        sweep();
      }
    });
  }

  function parse(source) {
    return serially(async () => {
      try {
        return await mermaid.parse(source);
      } finally {
        sweep();
      }
    });
  }

  // ---- Error messages and line numbers ------------------------------------------------------------

  function messageOf(error) {
    const text = error && typeof error === "object" && "message" in error ? error.message : error;
    return String(text ?? "The diagram could not be drawn.").trim() || "The diagram could not be drawn.";
  }

  // Before parsing, Mermaid (preprocessDiagram in 11.x) removes the YAML front matter, %%{…}%%
  // directives, %% comment lines and leading blank lines, and its errors count lines in what is left.
  // Repeat those removals here, remembering where each remaining character came from, so a reported
  // line number can be turned back into a line of the text the user typed.
  const REMOVALS = [
    /^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/gs,
    /%{2}{\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2}).|\r?\n)*))?\s*(?:}%{2})?/gi,
    /^\s*%%(?!{)[^\n]+\n?/gm,
    /^\s+/g,
  ];

  function lineMap(source) {
    let text = source;
    let origin = Array.from({ length: text.length + 1 }, (_, index) => index);
    for (const pattern of REMOVALS) {
      let kept = "";
      let keptOrigin = [];
      let last = 0;
      for (const match of text.matchAll(pattern)) {
        if (!match[0]) continue;
        kept += text.slice(last, match.index);
        keptOrigin = keptOrigin.concat(origin.slice(last, match.index));
        last = match.index + match[0].length;
      }
      text = kept + text.slice(last);
      origin = keptOrigin.concat(origin.slice(last));
    }
    return { text, origin };
  }

  // Mermaid's line (1-based, counted after preprocessing) -> the line of `source` (1-based).
  function sourceLine(source, reported) {
    const normal = source.replace(/\r\n?/g, "\n");
    const total = normal.split("\n").length;
    const { text, origin } = lineMap(normal);
    let offset = 0;
    for (let line = 1; line < reported; line += 1) {
      const next = text.indexOf("\n", offset);
      if (next < 0) { offset = -1; break; }
      offset = next + 1;
    }
    if (offset < 0 || offset >= text.length) { // past the end: the last line with something on it
      const lines = normal.split("\n");
      let last = lines.length;
      while (last > 1 && !lines[last - 1].trim()) last -= 1;
      return last;
    }
    const at = origin[offset];
    return Math.min(normal.slice(0, at).split("\n").length, total);
  }

  // The lines an error points at, in `source`'s numbering (1-based). Jison parsers (flowchart,
  // sequence, class …) carry hash.loc.first_line (1-based: where the bad token starts) and hash.line
  // (0-based: where the lexer stopped); langium ones (pie, gitGraph, architecture …) only say
  // "on line N" in the message.
  const ON_LINE = /\bon line (\d+)/gi;

  function errorLines(error, source) {
    const hash = error && error.hash;
    const reported = [];
    if (hash && hash.loc && Number.isInteger(hash.loc.first_line)) reported.push(hash.loc.first_line);
    reported.push(...[...messageOf(error).matchAll(ON_LINE)].map((match) => Number(match[1])));
    if (!reported.length && hash && Number.isInteger(hash.line)) reported.push(hash.line + 1);
    if (!reported.length && error && error.name === "UnknownDiagramError") reported.push(1);
    return [...new Set(reported.filter((line) => line > 0).map((line) => sourceLine(source, line)))];
  }

  // The message with Mermaid's line numbers replaced by the user's.
  function userMessage(error, source) {
    return messageOf(error).replace(ON_LINE, (_, line) => `on line ${sourceLine(source, Number(line))}`);
  }

  // ---- Copy and download --------------------------------------------------------------------------

  async function copyText(text, returnFocus) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (error) {
      // Not allowed here: fall back to selecting the text in a throwaway textarea.
    }
    const buffer = document.createElement("textarea");
    buffer.value = text;
    buffer.setAttribute("readonly", "");
    buffer.setAttribute("aria-hidden", "true");
    buffer.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;";
    document.body.appendChild(buffer);
    buffer.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    buffer.remove();
    if (returnFocus) returnFocus.focus();
    return copied;
  }

  function fileName(name) {
    const base = String(name || "diagram").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\w-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
    return `${base || "diagram"}.svg`;
  }

  function download(svg, name) {
    const blob = new Blob([`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`], { type: "image/svg+xml" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName(name);
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function flash(button, html) {
    if (!button.dataset.original) button.dataset.original = button.innerHTML;
    button.innerHTML = html;
    clearTimeout(button.flashTimer);
    button.flashTimer = setTimeout(() => { button.innerHTML = button.dataset.original; }, 2000);
  }

  // ---- Figures ------------------------------------------------------------------------------------

  function say(figure, text) {
    const status = figure.querySelector("[data-diagram-status]");
    if (status) status.textContent = text;
  }

  function toggled(button, shown) {
    button.setAttribute("aria-expanded", String(shown));
    const text = button.querySelector("[data-toggle-label]");
    if (text) text.textContent = shown ? "Hide source" : "Show source";
  }

  function showFigureError(figure, message) {
    const box = figure.querySelector("[data-diagram-error]");
    const source = figure.querySelector("[data-diagram-source]");
    const canvas = figure.querySelector("[data-diagram-canvas]");
    if (box) {
      const title = document.createElement("strong");
      title.textContent = "This diagram could not be drawn. ";
      const detail = document.createElement("pre");
      detail.className = "mb-0 mt-1 small";
      detail.style.cssText = "white-space:pre;overflow-x:auto;";
      detail.textContent = message;
      box.replaceChildren(title, detail);
      box.hidden = false;
    }
    if (canvas) canvas.hidden = true;
    if (source) source.hidden = false;
    figure.querySelectorAll("[data-diagram-toggle]").forEach((button) => toggled(button, true));
    figure.dataset.state = "error";
  }

  function drawFigure(figure) {
    if (figure.dataset.state) return;
    figure.dataset.state = "drawing";
    const source = figure.querySelector("[data-diagram-source]");
    const canvas = figure.querySelector("[data-diagram-canvas]");
    const text = source ? source.textContent : "";
    if (source && !source.id) source.id = `tl-diagram-source-${++counter}`;
    figure.querySelectorAll("[data-diagram-toggle]").forEach((button) => button.setAttribute("aria-controls", source.id));
    if (!setUp()) {
      showFigureError(figure, "The diagram library did not load; here is the diagram's Mermaid source.");
      return;
    }
    if (!text.trim()) {
      canvas.textContent = "Nothing to draw yet.";
      figure.dataset.state = "empty";
      return;
    }
    render(text).then((svg) => {
      figure.svg = svg;
      canvas.innerHTML = svg; // Mermaid's own output, sanitised by it (securityLevel "strict")
      figure.querySelectorAll("[data-diagram-download]").forEach((button) => { button.disabled = false; });
      figure.dataset.state = "ready";
    }, (error) => showFigureError(figure, messageOf(error)));
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-diagram-copy], [data-diagram-download], [data-diagram-toggle]");
    const figure = button && button.closest("[data-diagram]");
    if (!figure) return;
    const source = figure.querySelector("[data-diagram-source]");
    if (button.matches("[data-diagram-copy]")) {
      copyText(source ? source.textContent : "", button).then((copied) => {
        if (copied) {
          flash(button, '<i class="bi bi-check2" aria-hidden="true"></i> Copied');
          say(figure, "Mermaid source copied to the clipboard.");
        } else {
          if (source) source.hidden = false;
          figure.querySelectorAll("[data-diagram-toggle]").forEach((toggle) => toggled(toggle, true));
          say(figure, "Could not copy: the source is shown below; select it and copy it.");
        }
      });
    } else if (button.matches("[data-diagram-download]")) {
      if (!figure.svg) return;
      download(figure.svg, figure.dataset.name);
      say(figure, "SVG downloaded.");
    } else if (source) {
      source.hidden = !source.hidden;
      toggled(button, !source.hidden);
    }
  });

  // ---- Editor -------------------------------------------------------------------------------------

  function setUpEditor(root) {
    if (root.dataset.state) return;
    root.dataset.state = "ready";
    const textarea = root.querySelector("textarea");
    const gutter = root.querySelector("[data-editor-gutter]");
    const preview = root.querySelector("[data-editor-preview]");
    const errorBox = root.querySelector("[data-editor-error]");
    if (!textarea || !preview) return;
    if (!setUp()) {
      preview.textContent = "The preview is not available: the diagram library did not load.";
      return;
    }
    let lineCount = 0;
    let marked = [];
    let timer = 0;
    let turn = 0;

    textarea.setAttribute("wrap", "off"); // one text line per gutter line
    textarea.style.whiteSpace = "pre";
    textarea.style.overflowX = "auto";
    if (errorBox && errorBox.id) {
      const described = (textarea.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (!described.includes(errorBox.id)) textarea.setAttribute("aria-describedby", [...described, errorBox.id].join(" "));
    }

    // The gutter is as tall as the textarea (its numbers sit in an absolutely placed column that
    // doesn't stretch it) and follows the textarea's scrolling.
    const numbers = document.createElement("div");
    if (gutter) {
      const style = getComputedStyle(textarea);
      gutter.style.position = "relative";
      numbers.style.cssText = "position:absolute;left:0;right:0;top:0;padding:0 .5rem;will-change:transform;";
      numbers.style.fontFamily = style.fontFamily;
      numbers.style.fontSize = style.fontSize;
      numbers.style.lineHeight = style.lineHeight;
      numbers.style.paddingTop = `${parseFloat(style.paddingTop) + parseFloat(style.borderTopWidth)}px`;
      gutter.replaceChildren(numbers);
      gutter.hidden = false;
      textarea.classList.add("rounded-start-0");
    }

    function follow() {
      numbers.style.transform = `translateY(${-textarea.scrollTop}px)`;
    }

    function paintGutter(errorLines) {
      if (!gutter) return;
      const lines = textarea.value.split("\n").length;
      if (lines !== lineCount) {
        const column = document.createDocumentFragment();
        for (let line = 1; line <= lines; line += 1) {
          const number = document.createElement("div");
          number.textContent = String(line);
          column.appendChild(number);
        }
        numbers.replaceChildren(column);
        lineCount = lines;
        marked = [];
      }
      marked.forEach((number) => {
        number.classList.remove("bg-danger-subtle", "text-danger-emphasis", "fw-bold");
        number.removeAttribute("title");
      });
      marked = errorLines.map((line) => numbers.children[line - 1]).filter(Boolean);
      marked.forEach((number) => {
        number.classList.add("bg-danger-subtle", "text-danger-emphasis", "fw-bold");
        number.title = "Mermaid can't parse this line";
      });
      follow();
    }

    function goTo(line) {
      const lines = textarea.value.split("\n");
      const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
      textarea.focus();
      textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
      const height = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
      textarea.scrollTop = Math.max(0, (line - 3) * height);
      follow();
    }

    function clearError() {
      if (errorBox) { errorBox.hidden = true; errorBox.replaceChildren(); }
      textarea.removeAttribute("aria-invalid");
      preview.classList.remove("opacity-50");
      root.dataset.result = "ok";
      paintGutter([]);
    }

    function showError(error, source) {
      const lines = errorLines(error, source);
      paintGutter(lines);
      textarea.setAttribute("aria-invalid", "true");
      if (preview.querySelector("svg")) preview.classList.add("opacity-50"); // the last drawing that worked, faded
      else preview.textContent = "The preview appears once the source parses.";
      root.dataset.result = "error";
      if (!errorBox) return;
      const where = document.createElement("strong");
      where.textContent = lines.length ? `Line ${lines[0]}: ` : "Error: ";
      const detail = document.createElement("pre");
      detail.className = "mb-1 small";
      detail.style.cssText = "white-space:pre;overflow-x:auto;"; // keeps Mermaid's "----^" under the culprit
      detail.textContent = userMessage(error, source);
      const parts = [where, detail];
      if (lines.length) {
        const jump = document.createElement("button");
        jump.type = "button";
        jump.className = "btn btn-link btn-sm p-0 align-baseline";
        jump.textContent = `Go to line ${lines[0]}`;
        jump.addEventListener("click", () => goTo(lines[0]));
        parts.push(jump);
      }
      errorBox.replaceChildren(...parts);
      errorBox.hidden = false;
    }

    async function refresh() {
      const mine = ++turn;
      const source = textarea.value;
      if (!source.trim()) {
        clearError();
        preview.textContent = "Write Mermaid source to see a preview.";
        return;
      }
      try {
        await parse(source);
      } catch (error) {
        if (mine === turn) showError(error, source);
        return;
      }
      if (mine !== turn) return;
      try {
        const svg = await render(source);
        if (mine !== turn) return;
        preview.innerHTML = svg; // Mermaid's own output, sanitised by it (securityLevel "strict")
        clearError();
      } catch (error) {
        if (mine === turn) showError(error, source);
      }
    }

    textarea.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
      if (gutter && textarea.value.split("\n").length !== lineCount) paintGutter([]);
    });
    textarea.addEventListener("scroll", follow);
    refresh();
  }

  // ---- Start --------------------------------------------------------------------------------------

  function scan(root) {
    const scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("figure[data-diagram]").forEach(drawFigure);
    scope.querySelectorAll("[data-diagram-editor]").forEach(setUpEditor);
  }

  window.tlDiagrams = { scan, errorLines, sourceLine };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan(document));
  else scan(document);
  document.addEventListener("htmx:load", (event) => scan(event.target)); // content htmx swaps in
})();
