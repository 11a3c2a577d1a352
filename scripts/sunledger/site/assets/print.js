/* 阳光账本: the print button of a monthly notice (for the 公示栏).
   A file of the site, not an inline onclick: the Content-Security-Policy refuses inline handlers. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-sl-print]"), function (button) {
    button.hidden = false; /* without JavaScript the button stays hidden; the browser's own 打印 still works */
    button.addEventListener("click", function () { window.print(); });
  });
})();
