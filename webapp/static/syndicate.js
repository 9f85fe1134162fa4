/* /syndicate: keeps the preview and the two snippets in step with the form, and copies. */
(function () {
  "use strict";
  var form = document.getElementById("syndicate-form");
  var preview = document.getElementById("syndicate-preview");
  var snippet = document.getElementById("syndicate-snippet");
  var iframe = document.getElementById("syndicate-iframe");
  var status = document.getElementById("syndicate-status");

  // The snippets are text for the partner to paste, so attribute values are escaped here.
  function attr(value) {
    return String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  function update() {
    var feed = form.elements.feed.value;
    var limit = Math.min(20, Math.max(1, parseInt(form.elements.limit.value, 10) || 5));
    var summary = form.elements.summary.checked;
    preview.setAttribute("data-feeds-headlines", feed);
    preview.setAttribute("data-limit", limit);
    if (summary) preview.setAttribute("data-summary", "true");
    else preview.removeAttribute("data-summary");
    snippet.value = '<div data-feeds-headlines="' + attr(feed) + '" data-limit="' + limit + '"' +
      (summary ? ' data-summary="true"' : "") + "></div>\n" +
      '<script src="' + attr(snippet.dataset.script) + '" async></script>';
    var query = new URLSearchParams({ feed: feed, limit: limit });
    if (summary) query.set("summary", "true");
    iframe.value = '<iframe src="' + attr(iframe.dataset.src + "?" + query) + '" title="' +
      attr(iframe.dataset.title) + '" width="100%" height="' +
      (40 + limit * (summary ? 128 : 64)) + '" style="border:0" loading="lazy"></iframe>';
    if (window.FeedsHeadlines) window.FeedsHeadlines.render(preview);
  }

  function copy(area) {
    function said(ok) {
      status.textContent = ok ? "Copied." : "Select the text and copy it with Ctrl+C (⌘C).";
    }
    area.focus();
    area.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(function () { said(true); },
        function () { said(document.execCommand("copy")); });
    } else {
      said(document.execCommand("copy"));
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      copy(document.getElementById(button.getAttribute("data-copy")));
    });
  });
  // A selection page's subscribe panel links here as /syndicate#feed=country/mexico.
  var wanted = /^#feed=([a-z0-9\/-]+)$/.exec(window.location.hash);
  if (wanted) form.elements.feed.value = wanted[1];
  update(); // the browser may have restored the form's earlier state
})();
