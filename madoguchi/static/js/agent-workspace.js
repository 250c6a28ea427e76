// Keyboard shortcuts of the agent workspace, and the macro finder. Shortcuts never fire while
// the agent types in a field or composes text with an input method (IME).
const dialog = document.getElementById("mdg-shortcuts");
const queueUrl = document.getElementById("mdg-queue-url")?.dataset.url;
const rows = [...document.querySelectorAll("[data-mdg-rows] tr")];
const reply = document.getElementById("id_body");
const internal = document.getElementById("id_internal");
const queueSearch = document.getElementById("mdg-queue-search");
const SEQUENCE_MS = 1500;

let current = -1;
let pendingG = 0;

for (const element of document.querySelectorAll(".mdg-js-only")) element.hidden = false;

function typingInField(event) {
  const target = event.target;
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

function rowLink(index) {
  return rows[index]?.querySelector("a[href]");
}

function move(step) {
  if (rows.length === 0) return;
  current = Math.max(0, Math.min(rows.length - 1, current + step));
  rows.forEach((row, index) => row.classList.toggle("mdg-current", index === current));
  rowLink(current)?.focus();
}

function write(asNote) {
  if (!reply) return;
  if (internal) internal.checked = asNote;
  reply.focus();
}

const ACTIONS = {
  j: () => move(1),
  k: () => move(-1),
  o: () => rowLink(current)?.click(),
  r: () => write(false),
  n: () => write(true),
  "?": () => dialog?.showModal(),
};
// Only where there is a queue to search, so the key keeps its own meaning elsewhere.
if (queueSearch) ACTIONS["/"] = () => queueSearch.focus();

document.addEventListener("keydown", (event) => {
  // keyCode 229: the key went to an input method, which Safari reports without isComposing.
  if (event.isComposing || event.keyCode === 229) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (typingInField(event) || dialog?.open) return;
  if (event.key === "q" && Date.now() - pendingG < SEQUENCE_MS && queueUrl) {
    event.preventDefault();
    window.location.assign(queueUrl);
    return;
  }
  pendingG = event.key === "g" ? Date.now() : 0;
  if (event.key === "Enter" && current >= 0 && document.activeElement === document.body) {
    rowLink(current)?.click();
    return;
  }
  const action = ACTIONS[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

// After a macro was applied, the agent goes on editing its text.
if (reply && document.querySelector("[data-mdg-macro-applied]")) reply.focus();

// The macro finder narrows the list of macros to those whose name holds the words typed.
const filter = document.getElementById("mdg-macro-filter");
const picker = document.getElementById("mdg-macro");
if (filter && picker) {
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let first = null;
    for (const option of picker.options) {
      if (!option.value) continue;
      const shown = words.every((word) => option.text.toLowerCase().includes(word));
      option.hidden = !shown;
      if (shown && first === null) first = option;
    }
    picker.value = first ? first.value : "";
  });
  // Enter in the finder applies the macro; the form's first button (Send) would send the reply.
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      filter.form.querySelector("[name=apply_macro]").click();
    }
  });
}
