// Waypoint's only script: turn on GOV.UK Frontend's JavaScript enhancements.
// Loaded as a module file (never inline) so the Content-Security-Policy can forbid inline script.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// An import job's page while the scheduler works on it: every two seconds, fetch the page again
// and update the status and progress bar in place (no meta refresh, which restarts screen
// readers); reload once when the import has finished, to show its result. Without JavaScript
// the page has a link to refresh it by hand.
const progress = document.querySelector("[data-module='app-import-progress']");
if (progress) {
  const status = progress.querySelector("[role='status']");
  const bar = progress.querySelector("progress");
  const poll = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-module='app-import-progress']");
      if (!fresh) {
        window.location.reload();
        return;
      }
      const freshStatus = fresh.querySelector("[role='status']");
      if (freshStatus.textContent !== status.textContent) {
        status.textContent = freshStatus.textContent;
      }
      const freshBar = fresh.querySelector("progress");
      bar.value = freshBar.value;
      bar.textContent = freshBar.textContent;
    } catch {
      // the network or the server is down for a moment: try again on the next tick
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
