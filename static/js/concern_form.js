/* Compound type-ahead for the concern form. Without JavaScript the plain
   <select> works; with it, a search box asks the portal for matching names
   and sets the select. No libraries, no CDN. */
(function () {
  "use strict";
  var field = document.getElementById("compound-field");
  if (!field || !window.fetch) { return; }
  var select = field.querySelector("select");
  var input = document.getElementById("compound-search");
  var list = document.getElementById("compound-options");
  var url = field.getAttribute("data-suggest-url");
  if (!select || !input || !list || !url) { return; }

  input.hidden = false;
  select.classList.add("compound-select-enhanced");
  if (select.value) {
    input.value = select.options[select.selectedIndex].text;
  }

  var timer = null;
  var active = -1;

  function clear() {
    list.innerHTML = "";
    list.hidden = true;
    active = -1;
  }

  function choose(id, name) {
    select.value = String(id);
    input.value = name;
    clear();
  }

  function render(results) {
    list.innerHTML = "";
    results.forEach(function (row, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "compound-option-" + i;
      li.dataset.id = row.id;
      li.dataset.name = row.name;
      var strong = document.createElement("strong");
      strong.textContent = row.name;
      var small = document.createElement("small");
      small.textContent = " " + row.community;
      li.appendChild(strong);
      li.appendChild(small);
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        choose(row.id, row.name);
      });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
  }

  function search() {
    var q = input.value.trim();
    if (!q) { clear(); return; }
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { render(data.results || []); })
      .catch(clear);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (e) {
    var items = list.querySelectorAll("li");
    if (!items.length) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (li, i) { li.classList.toggle("active", i === active); });
      input.setAttribute("aria-activedescendant", items[active].id);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(items[active].dataset.id, items[active].dataset.name);
    } else if (e.key === "Escape") {
      clear();
    }
  });
  input.addEventListener("blur", function () { setTimeout(clear, 100); });
  select.addEventListener("change", function () {
    if (select.value) { input.value = select.options[select.selectedIndex].text; }
  });
})();
