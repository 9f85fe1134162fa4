/* Pages: the subscribe panel's copy buttons. Everything works without it (the addresses
   are selectable text); with it, one press copies. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var panel = button.closest("section");
    var status = panel && panel.querySelector("[role=status]");
    function said(text) { if (status) status.textContent = text; }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var done = function () { said("Copied " + field.value); };
      var manual = function () { said("Select the address and copy it with Ctrl+C (⌘C)."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (document.execCommand("copy")) done(); else manual();
        });
      } else if (document.execCommand("copy")) {
        done();
      } else {
        manual();
      }
    });
  });
})();
