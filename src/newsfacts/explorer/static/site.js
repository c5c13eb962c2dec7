// The explorer's one script (newsfacts site): what a static page cannot do alone. Pages read fully without it.
// - A highlighted span shows its rows while it is pointed at or focused.
// - The span an address names (#q-000-01) is marked.
// - A selection in a seed text shows its offsets, in Unicode code points as `newsfacts validate` counts
//   them, and a ready CSV row of each span table.
"use strict";

(function () {
  const seed = document.querySelector(".seed");
  if (!seed) return;

  // --- rows of a highlighted span ---
  const tip = document.getElementById("tip");
  let shownFor = null;
  function showRows(segment) {
    const anchors = (segment.dataset.rows || "").split(" ").filter(Boolean);
    tip.replaceChildren();
    for (const anchor of anchors) {
      const row = document.getElementById("row-" + anchor);
      if (!row) continue;
      const copy = row.cloneNode(true);
      copy.removeAttribute("id");
      for (const element of copy.querySelectorAll("[id]")) element.removeAttribute("id");
      const title = document.createElement("p");
      const name = copy.querySelector(".anchor-link");
      if (name) name.replaceWith(title);
      title.textContent = row.closest("ul").previousElementSibling.textContent.replace(/ \(\d+\)$/, "") + " #" + anchor;
      tip.append(copy);
    }
    const box = segment.getBoundingClientRect();
    tip.hidden = false;
    tip.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8)) + "px";
    tip.style.top = window.scrollY + box.bottom + 6 + "px";
    segment.setAttribute("aria-describedby", "tip");
    shownFor = segment;
  }
  function hideRows() {
    if (shownFor) shownFor.removeAttribute("aria-describedby");
    tip.hidden = true;
    shownFor = null;
  }
  seed.addEventListener("mouseover", (event) => {
    const segment = event.target.closest(".seg");
    if (segment && segment !== shownFor) showRows(segment);
  });
  seed.addEventListener("mouseleave", hideRows);
  seed.addEventListener("focusin", (event) => {
    const segment = event.target.closest(".seg");
    if (segment) showRows(segment);
  });
  seed.addEventListener("focusout", hideRows);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideRows();
  });

  // --- the span an address names ---
  function markTarget() {
    for (const marked of seed.querySelectorAll(".targeted")) marked.classList.remove("targeted");
    let anchor = "";
    try {
      anchor = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return; // an address such as #% names nothing
    }
    if (!anchor) return;
    for (const segment of seed.querySelectorAll(".seg")) {
      if (segment.dataset.rows.split(" ").includes(anchor)) segment.classList.add("targeted");
    }
  }
  // A row on a later page of a long article, named at its first page's address: go to its page.
  const elsewhere = document.getElementById("anchors-elsewhere");
  function followAnchor() {
    if (!elsewhere || !location.hash) return false;
    let anchor = "";
    try {
      anchor = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return false;
    }
    const pages = JSON.parse(elsewhere.textContent);
    if (!Object.hasOwn(pages, anchor) || document.getElementById(anchor)) return false;
    const page = pages[anchor];
    location.replace(page + location.hash);
    return true;
  }
  window.addEventListener("hashchange", () => followAnchor() || markTarget());
  if (!followAnchor()) markTarget();

  // --- offsets of a selection ---
  // Code points, not UTF-16 units: an astral character (an emoji) is one code point and two units.
  function codePoints(text) {
    let count = 0;
    for (const _ of text) count += 1;
    return count;
  }
  // The offset in the seed of a boundary point (node, offset) inside the seed element: every piece of
  // text is one text node in an element whose data-at is its first code point's offset.
  function seedOffset(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const holder = node.parentElement.closest("[data-at]");
      return Number(holder.dataset.at) + codePoints(node.data.slice(0, offset));
    }
    // A point between children: the offset where the next piece of text starts, or the page's end.
    const after = node.childNodes[offset];
    if (after) {
      const holder = after.nodeType === Node.ELEMENT_NODE && after.matches("[data-at]") ? after : null;
      const inside = holder || (after.nodeType === Node.ELEMENT_NODE ? after.querySelector("[data-at]") : null);
      if (inside) return Number(inside.dataset.at);
      if (after.nextSibling) return seedOffset(node, offset + 1);
    }
    const parent = node.parentNode;
    if (node !== seed && parent) return seedOffset(parent, Array.prototype.indexOf.call(parent.childNodes, node) + 1);
    return Number(seed.dataset.end);
  }

  const config = JSON.parse(document.getElementById("selection-config").textContent);
  const panel = document.getElementById("selection");

  // A CSV field as the package's CSV files write it: quoted where it holds a comma, a quote or a line break.
  function csvField(value) {
    const text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function showSelection() {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!seed.contains(range.commonAncestorContainer)) return;
    const start = seedOffset(range.startContainer, range.startOffset);
    const end = seedOffset(range.endContainer, range.endOffset);
    if (!(end > start)) return;
    const text = range.toString();
    panel.hidden = false;
    panel.dataset.start = String(start);
    panel.dataset.end = String(end);
    panel.querySelector(".offsets").textContent = "[" + start + ", " + end + ")";
    panel.querySelector(".length").textContent = String(end - start);
    panel.querySelector(".selected-text").textContent = text;
    const rows = panel.querySelector(".csv-rows");
    rows.replaceChildren();
    for (const [table, fields] of Object.entries(config.tables)) {
      const known = { article_id: config.article_id, text: text, char_start: start, char_end: end };
      const heading = document.createElement("h3");
      heading.textContent = "A row of " + table + ".csv (fill in the empty fields)";
      const block = document.createElement("pre");
      block.dataset.table = table;
      block.textContent = fields.join(",") + "\n" + fields.map((name) => csvField(known[name])).join(",");
      rows.append(heading, block);
    }
  }
  document.addEventListener("selectionchange", () => {
    clearTimeout(showSelection.timer);
    showSelection.timer = setTimeout(showSelection, 60);
  });
})();
