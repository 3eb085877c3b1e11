/* Phone photos are made smaller in the browser before they are sent: the
   longest side to about 2,000 px, as JPEG at quality 0.85, so a 12 MB
   photo goes through as well under 1 MB. The portal still checks and
   re-encodes every photo. Settings and texts come from the data attributes
   of #photos-field (translated in the template). No libraries; without
   canvas or DataTransfer the photos are sent as they are. */
(function () {
  "use strict";
  var field = document.getElementById("photos-field");
  if (!field) { return; }
  var input = field.querySelector("input[type=file]");
  var status = document.getElementById("photos-status");
  if (!input || !window.DataTransfer ||
      !HTMLCanvasElement.prototype.toBlob) { return; }
  var maxSide = parseInt(field.getAttribute("data-max-side"), 10) || 2000;
  var quality = parseFloat(field.getAttribute("data-quality")) || 0.85;
  var working = field.getAttribute("data-working") || "";
  var done = field.getAttribute("data-done") || "";
  // Smaller than this and within maxSide: sent unchanged.
  var SMALL_ENOUGH = 1024 * 1024;
  var button = input.form && input.form.querySelector("button[type=submit]");
  var round = 0;

  function say(text) { if (status) { status.textContent = text; } }

  // createImageBitmap reads the file itself: an <img> of a blob: URL
  // would need the content security policy to allow blob: images.
  function load(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        return { image: bitmap, width: bitmap.width, height: bitmap.height };
      });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        resolve({ image: img, width: img.naturalWidth, height: img.naturalHeight });
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { return Promise.resolve(file); }
    return load(file).then(function (loaded) {
      var w = loaded.width, h = loaded.height;
      var scale = Math.min(1, maxSide / Math.max(w, h));
      if (scale === 1 && file.size <= SMALL_ENOUGH) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      // JPEG has no transparency: a PNG's clear parts become white.
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      // Browsers draw a photo upright from its EXIF orientation.
      ctx.drawImage(loaded.image, 0, 0, canvas.width, canvas.height);
      if (loaded.image.close) { loaded.image.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", quality);
      });
    }).catch(function () { return file; });
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { say(""); return; }
    var mine = ++round;
    say(working);
    if (button) { button.disabled = true; }
    input.setAttribute("aria-busy", "true");
    Promise.all(files.map(shrink)).then(function (out) {
      if (mine !== round) { return; }
      var list = new DataTransfer();
      out.forEach(function (file) { list.items.add(file); });
      input.files = list.files;
      var bytes = out.reduce(function (sum, file) { return sum + file.size; }, 0);
      say(done + " (" + (bytes / (1024 * 1024)).toFixed(1) + " MB)");
    }).catch(function () {
      say("");
    }).then(function () {
      if (mine !== round) { return; }
      if (button) { button.disabled = false; }
      input.removeAttribute("aria-busy");
    });
  });
})();
