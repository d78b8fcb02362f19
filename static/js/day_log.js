/* Day log: "Add a line" appends a copy of the formset's empty form and counts it in
   the management form. */
(function () {
  "use strict";
  var button = document.getElementById("add-line");
  if (!button) return;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_lines-TOTAL_FORMS");
    var html = document.getElementById("empty-line").innerHTML.replace(/__prefix__/g, total.value);
    document.querySelector("#lines tbody").insertAdjacentHTML("beforeend", html);
    total.value = Number(total.value) + 1;
  });
})();
