// The knowledge-base editor: EasyMDE on the draft's text, a preview rendered by the server (the
// same sanitiser and renderer as the published page), and files uploaded by drag-and-drop, paste
// or the file button. Without scripts the plain textarea and the form still work.
const box = document.querySelector(".mdg-kb-editor");

function csrfToken() {
  const input = box.closest("form").querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function post(url, body) {
  return fetch(url, {
    method: "POST",
    body,
    headers: { "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
  });
}

async function renderedHtml(text) {
  const body = new FormData();
  body.append("body", text);
  const response = await post(box.dataset.previewUrl, body);
  return response.ok ? response.text() : "";
}

function say(message) {
  box.querySelector(".mdg-kb-upload-status").textContent = message;
}

async function upload(file, insert) {
  if (!box.dataset.uploadUrl) return;
  say(box.dataset.labelUploading);
  const body = new FormData();
  body.append("file", file);
  let answer = {};
  let response = null;
  try {
    response = await post(box.dataset.uploadUrl, body);
    answer = await response.json();
  } catch {
    // A refusal before the view (a body over the size limit) is a page, not JSON.
    answer = { error: response ? `${response.status} ${response.statusText}` : "" };
  }
  if (!answer.url) {
    say(answer.error || file.name);
    return;
  }
  // Brackets and parentheses would end the Markdown early: they are dropped from the name.
  const name = answer.name.replace(/[[\]()]/g, "");
  insert(answer.image ? `![${name}](${answer.url})` : `[${name}](${answer.url})`);
  say(name);
}

function setUp() {
  const textarea = box.querySelector("textarea");
  const previewBox = document.querySelector(".mdg-kb-preview");
  const label = (name) => box.dataset[`label${name}`];
  const fileInput = document.getElementById("mdg-kb-upload");
  let editor = null;
  const insert = (markdown) => {
    if (editor) editor.codemirror.replaceSelection(`${markdown}\n`);
    else textarea.setRangeText(`${markdown}\n`, textarea.selectionStart, textarea.selectionEnd, "end");
  };
  const refreshPreview = async () => {
    const text = editor ? editor.value() : textarea.value;
    const html = await renderedHtml(text);
    // The server's HTML is sanitised by the same function that publishes articles.
    previewBox.innerHTML = html || `<p>${previewBox.dataset.empty}</p>`;
  };
  if (window.EasyMDE) {
    const button = (name, action, text, title) => ({ name, action, text, title, className: `mdg-kb-tool-${name}` });
    editor = new window.EasyMDE({
      element: textarea,
      autoDownloadFontAwesome: false,
      spellChecker: false,
      forceSync: true,
      // The status bar's words are English only; the page says what matters itself.
      status: false,
      previewRender: (text, preview) => {
        renderedHtml(text).then((html) => { preview.innerHTML = html; });
        return preview.innerHTML;
      },
      toolbar: [
        button("bold", window.EasyMDE.toggleBold, "B", label("Bold")),
        button("italic", window.EasyMDE.toggleItalic, "I", label("Italic")),
        button("heading", window.EasyMDE.toggleHeadingSmaller, "H", label("Heading")),
        "|",
        button("quote", window.EasyMDE.toggleBlockquote, "❝", label("Quote")),
        button("unordered-list", window.EasyMDE.toggleUnorderedList, "•", label("List")),
        button("ordered-list", window.EasyMDE.toggleOrderedList, "⒈", label("Numbers")),
        button("link", window.EasyMDE.drawLink, "🔗", label("Link")),
        button("table", window.EasyMDE.drawTable, "▦", label("Table")),
        button("upload", () => fileInput?.click(), "📎", label("Image")),
        "|",
        button("preview", window.EasyMDE.togglePreview, "👁", label("Preview")),
        button("side-by-side", window.EasyMDE.toggleSideBySide, "◫", label("Side")),
      ],
    });
    editor.codemirror.getInputField().setAttribute("aria-label", label("Text"));
    // EasyMDE takes its buttons out of the tab order; keyboard users need them in it.
    for (const tool of box.querySelectorAll(".editor-toolbar button")) tool.tabIndex = 0;
    editor.codemirror.on("drop", (cm, event) => {
      const files = [...(event.dataTransfer?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      for (const file of files) upload(file, insert);
    });
    editor.codemirror.on("paste", (cm, event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      for (const file of files) upload(file, insert);
    });
  }
  fileInput?.addEventListener("change", () => {
    for (const file of fileInput.files) upload(file, insert);
    fileInput.value = "";
  });
  document.querySelector(".mdg-kb-preview-button").addEventListener("click", refreshPreview);
  refreshPreview();
}

if (box) setUp();
