// Madoguchi search widget: paste into any page of your own website.
//
//   <div data-madoguchi-search></div>
//   <script src="https://help.example.com/static/js/search-widget.js"
//           data-endpoint="https://help.example.com/en/search/widget.json" defer></script>
//
// The page's origin must be listed in the brand's "search widget origins". Results are the
// help centre's public articles; no cookies are sent and no third-party code is loaded.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var endpoint = script.dataset.endpoint;
  var lang = (endpoint.match(/\/(en|ja)\/search\//) || [])[1] || "en";
  var TEXT = {
    en: { label: "Search the help centre", button: "Search", none: "No articles match.", error: "Search is not available right now." },
    ja: { label: "ヘルプセンターを検索", button: "検索", none: "該当する記事はありません。", error: "現在検索を利用できません。" },
  }[lang];
  var count = 0;

  function attach(host) {
    count += 1;
    var id = "madoguchi-search-" + count;
    var form = document.createElement("form");
    form.setAttribute("role", "search");
    form.className = "madoguchi-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = TEXT.label;
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.name = "q";
    input.autocomplete = "off";
    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = TEXT.button;
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    var list = document.createElement("ul");
    list.className = "madoguchi-results";
    form.append(label, input, button);
    host.append(form, status, list);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      fetch(endpoint + "?q=" + encodeURIComponent(text), { mode: "cors", credentials: "omit" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          list.replaceChildren();
          (data.results || []).forEach(function (result) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = result.url;
            link.textContent = result.title;
            link.lang = result.language;
            var snippet = document.createElement("p");
            snippet.textContent = result.snippet;
            item.append(link, snippet);
            list.append(item);
          });
          status.textContent = list.children.length ? "" : TEXT.none;
        })
        .catch(function () {
          list.replaceChildren();
          status.textContent = TEXT.error;
        });
    });
  }

  function start() {
    document.querySelectorAll("[data-madoguchi-search]").forEach(attach);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
