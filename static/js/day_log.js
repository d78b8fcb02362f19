/* Day log: "Add a line" appends a copy of the formset's empty form and counts it in
   the management form. "+1" beside a count adds one to it, without saving: the form's
   own "Save the day" saves. Choosing a line's metric sets the keypad its number needs
   (digits for a count, a decimal point for money) and hides +1 on money. */
(function () {
  "use strict";
  var lines = document.getElementById("lines");
  if (!lines) return;
  var money = (lines.dataset.moneyMetrics || "").split(",").filter(Boolean);

  lines.addEventListener("click", function (event) {
    var button = event.target.closest(".plus-one");
    if (!button) return;
    var input = button.parentElement.querySelector("input[name$='-quantity']");
    var current = Number(input.value);
    input.value = (isNaN(current) ? 0 : current) + 1;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  lines.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches("select[name$='-metric']")) return;
    var row = select.closest("tr");
    var isMoney = money.indexOf(select.value) !== -1;
    row.querySelector("input[name$='-quantity']").inputMode = isMoney ? "decimal" : "numeric";
    var button = row.querySelector(".plus-one");
    if (button) button.hidden = isMoney;
  });

  var add = document.getElementById("add-line");
  if (!add) return;
  add.addEventListener("click", function () {
    var total = document.getElementById("id_lines-TOTAL_FORMS");
    var html = document.getElementById("empty-line").innerHTML.replace(/__prefix__/g, total.value);
    lines.querySelector("tbody").insertAdjacentHTML("beforeend", html);
    total.value = Number(total.value) + 1;
  });
})();
