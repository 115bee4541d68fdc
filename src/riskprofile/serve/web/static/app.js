// The workbench's one script (served from the site: the Content-Security-Policy allows no
// inline script). htmx does not swap a 4xx or 5xx answer by default; the shell answers a
// refused htmx request with a short message aimed at #flash (HX-Retarget), and only that
// answer is let through, so the person sees why instead of nothing.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget") === "#flash") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
