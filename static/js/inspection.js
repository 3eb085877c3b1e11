// The running total of an inspection sheet. The server recomputes the
// same score on save (assessments/scoring.py); this is only a preview.
(function () {
  "use strict";
  var sheet = document.getElementById("insp-sheet");
  if (!sheet) return;
  var total = document.getElementById("insp-total");
  var minSample = parseInt(sheet.dataset.minSample, 10) || 1;
  var vetoScore = parseFloat(sheet.dataset.vetoScore) || 0;
  var items = Array.prototype.slice.call(sheet.querySelectorAll(".insp-item"));
  var status = sheet.querySelector("[data-poll-status]");

  function count(name) {
    var input = sheet.querySelector('[name="' + name + '"]');
    var value = input ? parseInt(input.value, 10) : 0;
    return isNaN(value) || value < 0 ? 0 : value;
  }

  // Cents as integers avoid binary rounding surprises.
  function cents(value) {
    return Math.round(parseFloat(value) * 100);
  }

  function recompute() {
    var satisfied = count("satisfied");
    var basically = count("basically_satisfied");
    var polled = satisfied + basically + count("dissatisfied");
    var pollValid = polled >= Math.max(minSample, 1);
    var earned = 0;
    var maximum = 0;
    items.forEach(function (el) {
      var max = cents(el.dataset.max);
      var na = el.querySelector('input[name^="na_"]');
      var occ = el.querySelector('input[name^="occ_"]');
      var points;
      if (el.dataset.poll === "1") {
        points = pollValid ? (max * (satisfied + basically)) / polled : null;
      } else if (na && na.checked) {
        points = null;
      } else {
        var n = occ ? parseInt(occ.value, 10) : 0;
        if (isNaN(n) || n < 0) n = 0;
        points = Math.max(0, max - n * cents(el.dataset.deduction));
      }
      el.classList.toggle("is-na", points === null);
      el.classList.toggle("is-lost", points !== null && points < max);
      var out = el.querySelector("[data-points]");
      if (out) out.textContent = points === null ? "—" : (points / 100).toFixed(2);
      if (points !== null) {
        earned += points;
        maximum += max;
      }
    });
    if (status) {
      status.textContent = pollValid
        ? status.dataset.valid || ""
        : (status.dataset.invalid || "").replace("%s", polled);
    }
    var veto = sheet.querySelector('[name="veto"]');
    var score;
    if (veto && veto.value) score = vetoScore;
    else score = maximum ? (100 * earned) / maximum : 0;
    total.textContent = (Math.round(score * 100 + 1e-9) / 100).toFixed(2);
  }

  sheet.addEventListener("click", function (event) {
    var button = event.target.closest(".insp-step");
    if (!button) return;
    var input = button.parentNode.querySelector('input[type="number"]');
    var next = (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10);
    input.value = Math.max(0, next);
    recompute();
  });
  sheet.addEventListener("input", recompute);
  sheet.addEventListener("change", recompute);
  sheet.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "submit" && submitter.dataset.confirm) {
      if (!window.confirm(submitter.dataset.confirm)) event.preventDefault();
    }
  });
  recompute();
})();

// Forms elsewhere on the page (deleting a draft) confirm before posting.
document.querySelectorAll("form.insp-danger").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
