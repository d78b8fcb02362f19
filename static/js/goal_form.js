/* Goal form: show only the owner field the chosen scope needs (all stay in the form
   without JS). */
(function () {
  "use strict";
  var scope = document.querySelector("#goal-form [name=scope]");
  if (!scope) return;
  function sync() {
    document.querySelectorAll("#goal-form .owner-field").forEach(function (el) {
      var name = el.dataset.owner;
      el.hidden = name !== "scope" && name !== scope.value;
    });
  }
  scope.addEventListener("change", sync);
  sync();
})();
