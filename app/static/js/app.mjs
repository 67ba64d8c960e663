// Waypoint's only script: turn on GOV.UK Frontend's JavaScript enhancements.
// Loaded as a module file (never inline) so the Content-Security-Policy can forbid inline script.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
