(function () {
  "use strict";
  var table = document.getElementById("cases");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.case"));
  var groups = Array.prototype.slice.call(table.querySelectorAll("tbody.family"));
  var headings = Array.prototype.slice.call(table.querySelectorAll("tbody.operation"));
  var search = document.getElementById("search");
  var family = document.getElementById("family");
  var operation = document.getElementById("operation");
  var chips = Array.prototype.slice.call(document.querySelectorAll("#verdict-filter input[type=checkbox]"));
  var count = document.getElementById("shown");
  var empty = document.getElementById("no-match");

  function detailsOf(row) { return document.getElementById(row.getAttribute("data-details")); }

  function setOpen(row, open) {
    var details = detailsOf(row);
    var button = row.querySelector(".toggle");
    if (!details) { return; }
    details.hidden = !open;
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  function apply() {
    var wanted = {};
    chips.forEach(function (c) { wanted[c.value] = c.checked; });
    var fam = family ? family.value : "";
    var op = operation ? operation.value : "";
    var terms = (search ? search.value : "").toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var ok = wanted[row.getAttribute("data-verdict")] !== false &&
        (!fam || row.getAttribute("data-family") === fam) &&
        (!op || row.getAttribute("data-operation") === op) &&
        terms.every(function (t) { return text.indexOf(t) !== -1; });
      row.hidden = !ok;
      if (!ok) { setOpen(row, false); }
      if (ok) { shown += 1; }
    });
    groups.forEach(function (g) {
      g.hidden = !g.querySelector("tr.case:not([hidden])");
    });
    // An operation's heading stays while one of its cases is shown.
    headings.forEach(function (h) {
      var name = h.getAttribute("data-operation");
      h.hidden = !rows.some(function (row) {
        return !row.hidden && row.getAttribute("data-operation") === name;
      });
    });
    if (count) { count.textContent = shown + " of " + rows.length + " cases shown"; }
    if (empty) { empty.hidden = shown !== 0; }
  }

  rows.forEach(function (row) {
    row.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) { return; }
      var details = detailsOf(row);
      setOpen(row, details ? details.hidden : false);
    });
  });
  chips.forEach(function (c) { c.addEventListener("change", apply); });
  if (family) { family.addEventListener("change", apply); }
  if (operation) { operation.addEventListener("change", apply); }
  if (search) { search.addEventListener("input", apply); }

  Array.prototype.slice.call(document.querySelectorAll("[data-only-verdict]")).forEach(function (b) {
    b.addEventListener("click", function () {
      var v = b.getAttribute("data-only-verdict");
      chips.forEach(function (c) { c.checked = c.value === v; });
      apply();
      table.scrollIntoView({block: "start"});
    });
  });
  function resetFilters() {
    chips.forEach(function (c) { c.checked = true; });
    if (family) { family.value = ""; }
    if (operation) { operation.value = ""; }
    if (search) { search.value = ""; }
    apply();
  }
  var reset = document.getElementById("reset-filters");
  if (reset) { reset.addEventListener("click", resetFilters); }
  var expand = document.getElementById("expand-all");
  if (expand) {
    expand.addEventListener("click", function () {
      var open = expand.getAttribute("data-open") !== "true";
      rows.forEach(function (row) { if (!row.hidden) { setOpen(row, open); } });
      expand.setAttribute("data-open", open ? "true" : "false");
      expand.textContent = open ? "Collapse all" : "Expand all";
    });
  }

  function openFromHash() {
    var id = "";
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { id = ""; }
    var row = id ? document.getElementById(id) : null;
    if (row && row.classList.contains("case")) {
      row.hidden = false;
      setOpen(row, true);
      row.scrollIntoView({block: "center"});
    } else if (row && table.contains(row)) {
      // An operation's heading or a family's group (the matrix's links): shown, filters reset if need be.
      var body = row.closest("tbody");
      var bar = document.querySelector(".toolbar");
      if (body && body.hidden) { resetFilters(); }
      // Below the sticky toolbar, however many lines it takes.
      row.style.scrollMarginTop = (bar ? bar.offsetHeight : 0) + "px";
      row.scrollIntoView({block: "start"});
    }
  }
  window.addEventListener("hashchange", openFromHash);
  apply();
  openFromHash();
}());
