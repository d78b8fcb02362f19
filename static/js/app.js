/* Behaviour every page may use, driven by data attributes, so that no page needs an
   inline script or an on*= handler (the Content-Security-Policy allows neither):
   - <select data-autosubmit>: submits its form when the choice changes;
   - <button data-print>: prints the page;
   - <el data-bar-width="42.5">, <el data-bar-left="80">: a bar's width or a marker's
     position in percent. Set through the CSSOM, which the policy allows, where a
     style="" attribute would be refused. Also applied to content HTMX swaps in. */
(function () {
  "use strict";

  document.addEventListener("change", function (e) {
    var select = e.target.closest && e.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });

  function sizeBars(root) {
    root.querySelectorAll("[data-bar-width]").forEach(function (el) {
      el.style.width = el.dataset.barWidth + "%";
    });
    root.querySelectorAll("[data-bar-left]").forEach(function (el) {
      el.style.left = el.dataset.barLeft + "%";
    });
  }
  sizeBars(document);
  document.addEventListener("htmx:load", function (e) { sizeBars(e.detail.elt.parentNode || document); });
})();
