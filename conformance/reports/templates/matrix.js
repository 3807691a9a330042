(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#matrix tr.mrow"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("#matrix tbody.family"));
  var headings = Array.prototype.slice.call(document.querySelectorAll("#matrix tbody.operation"));
  var only = document.getElementById("only-differing");
  var search = document.getElementById("msearch");
  var shown = document.getElementById("mshown");
  function apply() {
    var terms = (search ? search.value : "").toLowerCase().split(/\s+/).filter(Boolean);
    var n = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var ok = (!only || !only.checked || row.getAttribute("data-differs") === "true") &&
        terms.every(function (t) { return text.indexOf(t) !== -1; });
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("tr.mrow:not([hidden])"); });
    // An operation's heading stays while one of its families is shown.
    headings.forEach(function (h) {
      var name = h.getAttribute("data-operation");
      h.hidden = !groups.some(function (g) { return !g.hidden && g.getAttribute("data-operation") === name; });
    });
    if (shown) { shown.textContent = n + " of " + rows.length + " cases shown"; }
  }
  if (only) { only.addEventListener("change", apply); }
  if (search) { search.addEventListener("input", apply); }
  apply();
}());
