/* 阳光账本: small accessibility fixes on top of Material.

   A box that scrolls sideways (a wide table, a code sample) can be
   reached with the keyboard: it gets tabindex=0 and a name, but only while it
   actually overflows, so narrow tables add no extra tab stops. */
(function () {
  "use strict";
  var selector = ".sl-scroll, .md-typeset__scrollwrap, .md-typeset pre > code";

  function fix() {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
      var wide = el.scrollWidth > el.clientWidth + 1;
      if (wide && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-sl-focusable", "");
        if (!el.hasAttribute("aria-label") && el.tagName !== "CODE") {
          var caption = el.querySelector("caption");
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", caption ? caption.textContent : "可左右滚动的表格");
        }
      } else if (!wide && el.hasAttribute("data-sl-focusable")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-sl-focusable");
      }
    });
  }

  /* Material searches on keyup only; text pasted, chosen from a Chinese input
     method or spoken (语音输入) arrives as `input` without a keyup. */
  function searchOnInput() {
    var box = document.querySelector("input.md-search__input");
    if (!box || box.hasAttribute("data-sl-input")) { return; }
    box.setAttribute("data-sl-input", "");
    var poke = function (e) {
      if (e.isComposing) { return; }
      box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    };
    box.addEventListener("input", poke);
    box.addEventListener("compositionend", poke);
  }
  searchOnInput();

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { window.setTimeout(fix, 0); });
  } else {
    window.addEventListener("load", fix);
  }
  window.addEventListener("resize", fix);
})();
