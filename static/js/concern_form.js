/* Compound type-ahead for the concern form. Without JavaScript a search
   form (?q=) fills the <select>; with it, a search box asks the portal for
   matching names and sets the select. The select holds only the chosen
   compound, so it always says what will be sent: editing the box clears
   it, and a name typed in full chooses its compound. Texts come from the
   field's data attributes (translated in the template). No libraries. */
(function () {
  "use strict";
  var field = document.getElementById("compound-field");
  if (!field || !window.fetch) { return; }
  var select = field.querySelector("select");
  var input = document.getElementById("compound-search");
  var list = document.getElementById("compound-options");
  var status = document.getElementById("compound-status");
  var url = field.getAttribute("data-suggest-url");
  var notFound = field.getAttribute("data-not-found") || "";
  var pickOne = field.getAttribute("data-pick-one") || "";
  var notListedText = field.getAttribute("data-not-listed") || "";
  // "不在列表中": the place as typed and its community (staff resolve it).
  var notListed = document.getElementById("not-listed");
  var place = notListed && notListed.querySelector("input[name=place]");
  if (!select || !input || !list || !url || !select.form) { return; }
  var form = select.form;

  var timer = null;
  var blurTimer = null;
  var active = -1;
  var latest = 0;

  function chosenName() {
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.text : "";
  }

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function clear() {
    list.innerHTML = "";
    list.hidden = true;
    active = -1;
    input.removeAttribute("aria-activedescendant");
  }

  // The select holds only the chosen compound: add its option when needed.
  function setChoice(id, name) {
    id = String(id);
    var option = null;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === id) { option = select.options[i]; }
    }
    if (!option) {
      option = new Option(name, id);
      select.add(option);
    }
    select.value = id;
  }

  function choose(id, name) {
    setChoice(id, name);
    input.value = name;
    clear();
    say("");
    if (notListed && place) { place.value = ""; notListed.open = false; }
  }

  function openNotListed() {
    if (!notListed || !place) { return; }
    select.value = "";
    notListed.open = true;
    if (!place.value) { place.value = input.value.trim(); }
    clear();
    say("");
    var community = notListed.querySelector("select");
    (community && !community.value ? community : place).focus();
  }

  // Offered at the end of the suggestions, and alone when nothing matches.
  function notListedOption(index) {
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    li.id = "compound-option-" + index;
    li.className = "not-listed-option";
    li.dataset.notListed = "1";
    li.textContent = notListedText;
    li.addEventListener("mousedown", function (e) {
      e.preventDefault();
      openNotListed();
    });
    return li;
  }

  // A name typed in full counts as chosen when exactly one compound has it.
  function exact(results, q) {
    var hits = results.filter(function (row) { return row.name === q; });
    return hits.length === 1 ? hits[0] : null;
  }

  // Resolves to the results, or null when a newer look-up has started.
  function lookup(q) {
    var mine = ++latest;
    return fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { return mine === latest ? (data.results || []) : null; });
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
    if (notListed && notListedText && input.value.trim()) {
      list.appendChild(notListedOption(results.length));
    }
    list.hidden = list.children.length === 0;
  }

  function search() {
    var q = input.value.trim();
    if (!q) { clear(); say(""); return; }
    lookup(q).then(function (results) {
      if (results === null) { return; }
      render(results);
      var hit = exact(results, q);
      if (hit) { setChoice(hit.id, hit.name); }
      say(results.length ? "" : notFound);
    }).catch(clear);
  }

  input.hidden = false;
  if (select.value) { input.value = chosenName(); }

  input.addEventListener("input", function () {
    if (input.value.trim() !== chosenName()) { select.value = ""; }
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
      if (items[active].dataset.notListed) { openNotListed(); return; }
      choose(items[active].dataset.id, items[active].dataset.name);
    } else if (e.key === "Escape") {
      clear();
    }
  });
  input.addEventListener("blur", function () { blurTimer = setTimeout(clear, 100); });
  select.addEventListener("change", function () {
    if (select.value) { input.value = chosenName(); }
  });

  // Sent before the look-up answered (or without tapping): look the typed
  // name up once more rather than send an empty or stale choice.
  form.addEventListener("submit", function (e) {
    var q = input.value.trim();
    if (select.value || !q) { return; }
    // Not in the list, said so: the place goes instead of a compound.
    if (notListed && notListed.open && place && place.value.trim()) { return; }
    e.preventDefault();
    clearTimeout(timer);
    lookup(q).then(function (results) {
      if (results === null) { return; }
      var hit = exact(results, q);
      if (hit) {
        choose(hit.id, hit.name);
        form.submit();
        return;
      }
      input.focus();
      clearTimeout(blurTimer);
      render(results);
      say(results.length ? pickOne : notFound);
    }).catch(function () { form.submit(); });
  });
})();
