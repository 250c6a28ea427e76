// Deflection on the request form: while the customer describes the problem, articles that may
// answer it are listed. Opening one is recorded on the search log (through the link itself); a
// request submitted afterwards marks the search "followed by a request" on the server.
// IME-safe like the header search: nothing is asked while a conversion is in progress.
const DELAY_MS = 700;
const MIN_CHARS = 3;
const MAX_CHARS = 400;

function attach(box) {
  const form = box.closest("article").querySelector("form");
  const fields = ["subject", "description"]
    .map((name) => form.querySelector(`[name="${name}"]`))
    .filter(Boolean);
  const list = box.querySelector("ul");
  let composing = false;
  let timer = null;
  let last = "";

  function show(results) {
    list.replaceChildren(
      ...results.map((result) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = result.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.lang = result.language;
        link.textContent = result.title;
        item.append(link);
        return item;
      }),
    );
    box.hidden = results.length === 0;
  }

  async function ask() {
    const text = fields.map((field) => field.value.trim()).join(" ").trim().slice(0, MAX_CHARS);
    if (text.length < MIN_CHARS || text === last) return;
    last = text;
    try {
      const response = await fetch(`${box.dataset.mdgDeflection}?q=${encodeURIComponent(text)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) show((await response.json()).results || []);
    } catch {
      // Suggestions are a help, not a step: the form works without them.
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY_MS);
  }

  fields.forEach((field) => {
    field.addEventListener("compositionstart", () => {
      composing = true;
      clearTimeout(timer);
    });
    field.addEventListener("compositionend", () => {
      composing = false;
      later();
    });
    field.addEventListener("input", (event) => {
      if (!composing && !event.isComposing) later();
    });
  });
}

document.querySelectorAll("[data-mdg-deflection]").forEach(attach);
