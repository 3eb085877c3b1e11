// The progress of a ledger job (templates/includes/_job_progress.html):
// polls the job's status and reloads the page once the job has ended, so
// the server renders the report or the download link.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-job-status");
  var bar = box.querySelector("progress");
  var state = box.querySelector('[data-job-field="state_label"]');
  var rows = box.querySelector('[data-job-field="rows"]');
  var delay = 1000;

  function show(status) {
    if (state) {
      state.textContent = status.state_label;
    }
    if (bar && status.percent !== null) {
      bar.value = status.percent;
      bar.textContent = status.percent + "%";
    }
    if (rows) {
      rows.textContent = status.rows_label;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.3, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, delay);
})();
