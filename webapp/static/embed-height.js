/* The iframe widget (/embed/headlines) tells the page that frames it how tall it is, so
   that the page can size the iframe to its content (README: "Sizing the iframe"):
   {type: "feeds-headlines:height", height: <CSS pixels>, src: <this page's URL>}. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "feeds-headlines:height", height: height, src: location.href }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.documentElement);
  window.addEventListener("load", tell);
  tell();
})();
