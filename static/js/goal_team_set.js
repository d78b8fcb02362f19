/* Team goal grid: a live total of the targets entered, to compare with the team goal
   before saving; written with the page language's separators (<html lang>). */
(function () {
  "use strict";
  var form = document.getElementById("team-grid"), out = document.getElementById("grid-total");
  if (!form || !out) return;
  function total() {
    var sum = 0;
    form.querySelectorAll("input[type=number]").forEach(function (i) { sum += parseFloat(i.value) || 0; });
    out.textContent = sum.toLocaleString(document.documentElement.lang || undefined);
  }
  form.addEventListener("input", total);
  total();
})();
