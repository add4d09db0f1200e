/* fazhi: long tables made sortable and searchable, offline.
   `fazhi report` inlines this file once into a page that holds a long table (an element with the
   attribute data-fazhi-sortable around it, written by fazhi_lib.vocab.view); nothing is fetched.
   The rows are already in the page as a plain HTML table: without this script (JupyterLab, JavaScript
   off) the table is the same, scrolling, only not sortable. The script reads cells as text
   (textContent) and writes only text (textContent), never HTML: a cell cannot become markup. */
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var T = zh
    ? { search: "在本表中搜索", all: "共 {m} 行", some: "显示 {n} / {m} 行", sort: "点击列名排序" }
    : { search: "Search this table", all: "{m} rows", some: "{n} of {m} rows", sort: "click a column name to sort" };
  var collator = new Intl.Collator(zh ? "zh-CN-u-co-pinyin" : "en", { numeric: true, sensitivity: "base" });
  var BLANK = { "": 1, "–": 1, "-": 1, "—": 1 };

  function number(text) {
    var t = text.replace(/[,\s%％]/g, "");
    return t !== "" && isFinite(t) ? Number(t) : null;
  }

  // empty cells last whatever the direction; numbers before text; numbers by value, text by pinyin
  function compare(a, b, dir) {
    var ea = BLANK[a.text] === 1, eb = BLANK[b.text] === 1;
    if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
    if (a.num !== null && b.num !== null) return dir * (a.num - b.num);
    if (a.num !== null || b.num !== null) return a.num !== null ? -1 : 1;
    return dir * collator.compare(a.text, b.text);
  }

  function say(template, n, m) {
    return template.replace("{n}", n).replace("{m}", m);
  }

  function enhance(box, k) {
    var table = box.querySelector("table");
    if (!table || !table.tHead || !table.tBodies.length || box.hasAttribute("data-fazhi-live")) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    var cells = rows.map(function (r) {
      return Array.prototype.map.call(r.cells, function (c) {
        var text = c.textContent.trim();
        return { text: text, num: number(text) };
      });
    });
    var haystack = rows.map(function (r) {
      return r.textContent.toLowerCase();
    });

    var tools = document.createElement("div");
    tools.className = "fazhi-tools";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = T.search + "…";
    input.setAttribute("aria-label", T.search);
    input.id = "fazhi-search-" + k;
    var count = document.createElement("span");
    count.className = "fazhi-count";
    count.textContent = say(T.all, rows.length, rows.length) + " · " + T.sort;
    tools.appendChild(input);
    tools.appendChild(count);
    box.parentNode.insertBefore(tools, box);

    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (r, i) {
        r.hidden = q !== "" && haystack[i].indexOf(q) < 0;
        if (!r.hidden) shown++;
      });
      count.textContent = q === "" ? say(T.all, rows.length, rows.length) : say(T.some, shown, rows.length);
    });

    var order = rows.map(function (_, i) {
      return i;
    });
    Array.prototype.forEach.call(heads, function (th, col) {
      if (th.colSpan !== 1) return;
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      function sort() {
        // ascending → descending → the order the page was written in
        var state = th.getAttribute("aria-sort");
        var next = state === "none" ? "ascending" : state === "ascending" ? "descending" : "none";
        Array.prototype.forEach.call(heads, function (h) {
          if (h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", next);
        var dir = next === "descending" ? -1 : 1;
        order.sort(function (i, j) {
          if (next === "none") return i - j;
          var a = cells[i][col], b = cells[j][col];
          return (a && b ? compare(a, b, dir) : 0) || i - j; // ties keep the written order
        });
        var frag = document.createDocumentFragment();
        order.forEach(function (i) {
          frag.appendChild(rows[i]);
        });
        body.appendChild(frag);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          sort();
        }
      });
    });
    box.setAttribute("data-fazhi-live", "");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-fazhi-sortable]"), enhance);
})();
