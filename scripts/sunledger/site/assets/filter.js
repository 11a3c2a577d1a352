/* 阳光账本: filter the project list by stage, fund and category.
   Works without any library; without JavaScript every project stays visible.
   The choice is kept in the address (?stage=实施&fund=Guangming) so it can be shared. */
(function () {
  "use strict";
  var keys = ["stage", "fund", "category"];
  var selects = {};
  keys.forEach(function (k) { selects[k] = document.getElementById("filter-" + k); });
  if (!selects.stage) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll(".sl-project"));
  var count = document.getElementById("sl-project-count");
  var none = document.getElementById("sl-project-none");

  function apply() {
    var shown = 0;
    items.forEach(function (el) {
      var ok = keys.every(function (k) {
        var want = selects[k] ? selects[k].value : "";
        return !want || el.getAttribute("data-" + k) === want;
      });
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) { count.textContent = "显示 " + shown + " 个项目（共 " + items.length + " 个）"; }
    if (none) { none.hidden = shown !== 0; }
  }

  function save() {
    if (!window.history || !window.URLSearchParams) { return; }
    var params = new URLSearchParams();
    keys.forEach(function (k) { if (selects[k] && selects[k].value) { params.set(k, selects[k].value); } });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  if (window.URLSearchParams) {
    var params = new URLSearchParams(window.location.search);
    keys.forEach(function (k) {
      var v = params.get(k);
      if (v && selects[k] && Array.prototype.some.call(selects[k].options, function (o) { return o.value === v; })) {
        selects[k].value = v;
      }
    });
  }
  keys.forEach(function (k) {
    if (selects[k]) { selects[k].addEventListener("change", function () { apply(); save(); }); }
  });
  apply();
})();
