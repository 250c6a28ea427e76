// Keep SLA timers current: each <time data-mdg-countdown datetime="…"> rewrites its text as the
// time left (or overdue) every half minute. The server already rendered the same text, so
// without JavaScript the page shows the time as of loading. The phrases come translated, once
// per page, in #mdg-sla-phrases (data-left and data-overdue with a {time} placeholder; Intl
// formats the units). A running target (data-mdg-running) that passes its due time also changes
// its badge's word to data-breached and its class.
const UNITS = [
  ["day", 86400000],
  ["hour", 3600000],
  ["minute", 60000],
];
const lang = document.documentElement.lang || undefined;
const phrases = document.getElementById("mdg-sla-phrases")?.dataset ?? {};

function duration(ms) {
  const parts = [];
  let rest = Math.abs(ms);
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 || (unit === "minute" && parts.length === 0)) {
      parts.push(new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(amount));
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

function markBreached(element) {
  const badge = element.closest(".mdg-sla");
  const word = badge?.querySelector("strong");
  if (!badge || !word) return;
  badge.className = "mdg-sla mdg-sla-breached";
  word.textContent = phrases.breached;
  delete element.dataset.mdgRunning;
}

function refresh() {
  const now = Date.now();
  for (const element of document.querySelectorAll("time[data-mdg-countdown]")) {
    const due = Date.parse(element.getAttribute("datetime"));
    if (Number.isNaN(due)) continue;
    const phrase = due > now ? phrases.left : phrases.overdue;
    if (phrase) element.textContent = phrase.replace("{time}", duration(due - now));
    if (due <= now && "mdgRunning" in element.dataset) markBreached(element);
  }
}

refresh();
setInterval(refresh, 30000);
