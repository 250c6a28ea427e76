// Predictive search: article titles suggested while typing, as an ARIA combobox.
// IME-safe: nothing is requested between compositionstart and compositionend, so typing Japanese
// does not fire half-converted queries; Enter that confirms a conversion is left to the IME.
const DELAY_MS = 200;
const MIN_CHARS = 2;

function attach(form) {
  const input = form.querySelector('[role="combobox"]');
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const status = form.querySelector("[data-mdg-suggest-status]");
  const url = form.dataset.mdgPredictiveSearch;
  let composing = false;
  let timer = null;
  let pending = null;
  let active = -1;

  const options = () => Array.from(list.querySelectorAll('[role="option"]'));

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function show(results) {
    close();
    results.forEach((result, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.lang = result.language;
      option.dataset.url = result.url;
      option.textContent = result.title;
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => window.location.assign(result.url));
      list.append(option);
    });
    const count = results.length;
    status.textContent = count ? `${count} ${form.dataset.mdgSuggestLabel || ""}`.trim() : "";
    if (count) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  async function fetchSuggestions() {
    const text = input.value.trim();
    if (pending) pending.abort();
    if (text.length < MIN_CHARS) {
      close();
      return;
    }
    pending = new AbortController();
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(text)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      });
      if (!response.ok) return;
      const data = await response.json();
      if (input.value.trim() === text && !composing) show(data.results || []);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DELAY_MS);
  }

  input.addEventListener("compositionstart", () => {
    composing = true;
    clearTimeout(timer);
  });
  input.addEventListener("compositionend", () => {
    composing = false;
    later();
  });
  input.addEventListener("input", (event) => {
    if (composing || event.isComposing) return;
    later();
  });
  input.addEventListener("keydown", (event) => {
    if (composing || event.isComposing || event.keyCode === 229) return;
    const open = !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) choose(active + 1);
      else fetchSuggestions();
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      choose(active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

document.querySelectorAll("[data-mdg-predictive-search]").forEach(attach);
