// Images pasted or dropped into a reply box go with the reply as its files, and the reply names
// them where the cursor was: ![shot.png](shot.png). The server shows each named image in the
// thread (tickets/thread_images.py); without this script, typing that line works the same
// (a name with spaces written <like this.png> or like%20this.png).
const IMAGE = /^image\//;

function uniqueName(file, taken) {
  // Letters, digits, "-" and "_" only, and short: a name the server keeps as it is, which the
  // Markdown can name. A pasted screenshot is always "image.png": each gets a name of its own.
  const dot = file.name.lastIndexOf(".");
  const stem =
    (dot > 0 ? file.name.slice(0, dot) : file.name)
      .normalize("NFC")
      .replace(/[^\p{L}\p{N}_-]+/gu, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "image";
  const suffix = dot > 0 ? `.${file.name.slice(dot + 1).replace(/[^A-Za-z0-9]/g, "").slice(0, 10)}` : ".png";
  let name = `${stem}${suffix}`;
  for (let number = 2; taken.has(name); number += 1) name = `${stem}-${number}${suffix}`;
  return name;
}

function insertAtCursor(textarea, text) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const before = start > 0 && !value[start - 1].match(/\s/) ? " " : "";
  textarea.value = `${value.slice(0, start)}${before}${text}${value.slice(end)}`;
  textarea.selectionStart = textarea.selectionEnd = start + before.length + text.length;
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

function attach(textarea, input, files) {
  const images = [...files].filter((file) => IMAGE.test(file.type));
  if (images.length === 0) return false;
  const all = new DataTransfer();
  const taken = new Set();
  for (const file of input.files) {
    all.items.add(file);
    taken.add(file.name);
  }
  const names = images.map((image) => {
    const name = uniqueName(image, taken);
    taken.add(name);
    all.items.add(new File([image], name, { type: image.type }));
    return name;
  });
  input.files = all.files;
  insertAtCursor(textarea, names.map((name) => `![${name}](${encodeURIComponent(name)})`).join("\n"));
  return true;
}

for (const textarea of document.querySelectorAll("textarea[data-mdg-images-into]")) {
  const input = document.getElementById(textarea.dataset.mdgImagesInto);
  if (!input) continue;
  const hint = document.getElementById(`${textarea.id}_images`);
  if (hint) hint.hidden = false;
  textarea.addEventListener("paste", (event) => {
    if (attach(textarea, input, event.clipboardData?.files ?? [])) event.preventDefault();
  });
  textarea.addEventListener("dragover", (event) => {
    if ([...(event.dataTransfer?.items ?? [])].some((item) => item.kind === "file")) {
      event.preventDefault();
    }
  });
  textarea.addEventListener("drop", (event) => {
    if (attach(textarea, input, event.dataTransfer?.files ?? [])) event.preventDefault();
  });
}
