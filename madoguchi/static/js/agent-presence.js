// Show which other agents are viewing or typing on this request, over a WebSocket. Presence is
// kept by heartbeat: someone unheard of for VIEWING_TTL is forgotten, even without a goodbye.
const region = document.getElementById("mdg-presence");
const reply = document.getElementById("id_body");

const HEARTBEAT_MS = 15000;
const VIEWING_TTL_MS = 40000;
const TYPING_TTL_MS = 6000;
const TYPING_EVERY_MS = 3000;
const BACKOFF_MAX_MS = 30000;

const others = new Map(); // socket id -> {name, seenAt, typingAt}
let socket = null;
let backoff = 1000;
let heartbeat = null;
let lastTypingSent = 0;

function say(template, name) {
  return template.replace("{name}", name);
}

function render() {
  const now = Date.now();
  const viewing = new Set();
  const typing = new Set();
  for (const [id, other] of others) {
    if (now - other.seenAt > VIEWING_TTL_MS) {
      others.delete(id);
    } else if (now - other.typingAt < TYPING_TTL_MS) {
      typing.add(other.name);
    } else {
      viewing.add(other.name);
    }
  }
  for (const name of typing) viewing.delete(name);
  const lines = [
    ...[...typing].map((name) => say(region.dataset.typing, name)),
    ...[...viewing].map((name) => say(region.dataset.viewing, name)),
  ];
  const text = lines.join(" · ");
  // Rewriting the same text would make screen readers announce it again.
  if (region.textContent !== text) region.textContent = text;
}

function receive(event) {
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  if (data.type !== "presence") return;
  if (data.state === "left") {
    others.delete(data.id);
  } else {
    const known = others.get(data.id) || { name: data.name, typingAt: 0 };
    known.seenAt = Date.now();
    known.name = data.name;
    if (data.state === "typing") known.typingAt = Date.now();
    if (data.state === "viewing") known.typingAt = 0;
    others.set(data.id, known);
  }
  render();
}

function send(type) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type }));
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}${region.dataset.wsPath}`);
  socket.addEventListener("open", () => {
    backoff = 1000;
    heartbeat = window.setInterval(() => send("heartbeat"), HEARTBEAT_MS);
  });
  socket.addEventListener("message", receive);
  socket.addEventListener("close", () => {
    window.clearInterval(heartbeat);
    others.clear();
    render();
    // Back off, with jitter, so a restarted server is not hit by every browser at once.
    const wait = backoff / 2 + Math.random() * (backoff / 2);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    window.setTimeout(connect, wait);
  });
}

if (region && region.dataset.wsPath) {
  connect();
  window.setInterval(render, 1000);
  if (reply) {
    reply.addEventListener("input", () => {
      const now = Date.now();
      if (now - lastTypingSent >= TYPING_EVERY_MS) {
        lastTypingSent = now;
        send("typing");
      }
    });
    reply.addEventListener("blur", () => {
      if (lastTypingSent) send("stopped");
      lastTypingSent = 0;
    });
  }
}
