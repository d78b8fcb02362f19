/* Behaviour every page may use, driven by data attributes, so that no page needs an
   inline script or an on*= handler (the Content-Security-Policy allows neither):
   - <select data-autosubmit>: submits its form when the choice changes;
   - <button data-print>: prints the page;
   - <el data-bar-width="42.5">, <el data-bar-left="80">: a bar's width or a marker's
     position in percent. Set through the CSSOM, which the policy allows, where a
     style="" attribute would be refused. Also applied to content HTMX swaps in;
   - <span class="lookup" data-lookup="/people/lookup/?role=rep">: a choice among
     thousands (salesmgmt.filtering.Lookup). Typing asks the endpoint (?q=) and lists
     up to 20 matches; picking one fills the hidden input; editing the text clears it;
   - <details class="topsearch">: the top bar's search. Opening it (or "/" anywhere but in
     a field) puts the cursor in its box; Escape or a click elsewhere closes it. */
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

  var pending = null;
  function lookupOf(el) { return el.closest && el.closest(".lookup"); }
  function showResults(box, results) {
    var list = box.querySelector(".lookup-results");
    list.replaceChildren();
    results.forEach(function (r) {
      var option = document.createElement("button");
      option.type = "button";
      option.className = "lookup-option";
      option.setAttribute("role", "option");
      option.dataset.id = r.id;
      option.textContent = r.label;
      list.appendChild(option);
    });
    if (!results.length) {
      var none = document.createElement("small");
      none.textContent = gettext("No match");
      list.appendChild(none);
    }
    list.hidden = false;
  }
  document.addEventListener("input", function (e) {
    var box = lookupOf(e.target);
    if (!box || !e.target.classList.contains("lookup-text")) return;
    box.querySelector("input[type=hidden]").value = "";
    clearTimeout(pending);
    var q = e.target.value.trim();
    if (!q) { box.querySelector(".lookup-results").hidden = true; return; }
    pending = setTimeout(function () {
      var url = box.dataset.lookup + (box.dataset.lookup.indexOf("?") < 0 ? "?" : "&") +
        "q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (e.target.value.trim() === q) showResults(box, data.results); });
    }, 200);
  });
  document.addEventListener("click", function (e) {
    var option = e.target.closest && e.target.closest(".lookup-option");
    document.querySelectorAll(".lookup-results").forEach(function (list) {
      if (!option || !list.contains(option)) list.hidden = true;
    });
    if (!option) return;
    var box = lookupOf(option);
    box.querySelector("input[type=hidden]").value = option.dataset.id;
    box.querySelector(".lookup-text").value = option.textContent;
    box.querySelector(".lookup-results").hidden = true;
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && lookupOf(e.target)) lookupOf(e.target).querySelector(".lookup-results").hidden = true;
  });
  function topSearch() { return document.getElementById("topsearch"); }
  document.addEventListener("toggle", function (e) {
    if (e.target === topSearch() && e.target.open) e.target.querySelector("input[name=q]").focus();
  }, true);
  document.addEventListener("click", function (e) {
    var search = topSearch();
    if (search && search.open && !search.contains(e.target)) search.open = false;
  });
  document.addEventListener("keydown", function (e) {
    var search = topSearch();
    if (!search) return;
    if (e.key === "Escape" && search.open) {
      search.open = false;
      search.querySelector("summary").focus();
    } else if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey &&
               !e.target.closest("input, textarea, select, [contenteditable]") &&
               getComputedStyle(search).display !== "none") {
      e.preventDefault();
      search.open = true;
    }
  });
  document.addEventListener("htmx:load", function (e) { sizeBars(e.detail.elt.parentNode || document); });
})();
