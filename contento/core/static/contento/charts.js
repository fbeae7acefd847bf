// Save a server-drawn SVG chart as a PNG, in the browser (no server round trip, no CDN).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-png]");
    if (!button) return;
    var svg = button.closest(".chart").querySelector("svg");
    if (!svg) return;
    var box = svg.viewBox.baseVal, scale = 2;
    var image = new Image();
    var source = new XMLSerializer().serializeToString(svg);
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * scale; canvas.height = box.height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-png") + ".png";
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  });
})();
