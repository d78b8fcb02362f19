/* Suggested numbers on the plan form: "Use" fills one input, "Use all suggestions"
   every suggested one. Nothing is saved until the rep submits the form. */
(function () {
  "use strict";
  function fill(button) {
    var input = document.getElementById(button.dataset.suggestFor);
    if (input) input.value = button.dataset.value;
  }
  document.querySelectorAll("[data-suggest-for]").forEach(function (b) {
    b.addEventListener("click", function () { fill(b); });
  });
  var all = document.querySelector("[data-use-suggestions]");
  if (all) all.addEventListener("click", function () {
    document.querySelectorAll("[data-suggest-for]").forEach(fill);
  });
})();
