// Polls a job's status (JSON from this server) and updates its page; reloads it once finished,
// so that the result and the download link appear.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "yes") return;
  var url = box.dataset.statusUrl;
  var state = document.getElementById("job-state");
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (job) {
        state.textContent = job.state_label;
        bar.value = job.progress;
        bar.textContent = job.progress + "%";
        message.textContent = job.message || "";
        if (job.finished) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }
  window.setTimeout(poll, delay);
})();
