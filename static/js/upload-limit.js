// Checks a chosen file against the server's upload limit (data-max-bytes on the file input)
// before anything is sent, so a phone on a slow connection does not upload 40 MB for nothing.
// The server checks again; without JavaScript the form still works. The message is the page's
// (data-too-large, in the reader's language, with {size} and {limit} to fill in).
(function () {
  if (window.caseworkUploadLimit) return;
  window.caseworkUploadLimit = true;
  function megabytes(bytes) {
    var lang = document.documentElement.lang || undefined;
    return (bytes / (1024 * 1024)).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }
  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var files = input.files || [];
    for (var i = 0; i < files.length; i++) {
      if (limit && files[i].size > limit) return files[i];
    }
    return null;
  }
  function show(input, file) {
    var id = input.id + "-size-error";
    var note = document.getElementById(id);
    if (!file) { if (note) note.remove(); input.removeAttribute("aria-invalid"); return; }
    if (!note) {
      note = document.createElement("small");
      note.id = id;
      note.className = "field-error";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
    }
    input.setAttribute("aria-invalid", "true");
    var sizes = {
      size: megabytes(file.size),
      limit: megabytes(parseInt(input.getAttribute("data-max-bytes"), 10))
    };
    note.textContent = (input.getAttribute("data-too-large") || "").replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(sizes, name) ? sizes[name] : all;
    });
  }
  function inputs(root) { return root.querySelectorAll("input[type=file][data-max-bytes]"); }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) show(input, tooLarge(input));
  });
  document.addEventListener("submit", function (event) {
    var list = inputs(event.target);
    for (var i = 0; i < list.length; i++) {
      var file = tooLarge(list[i]);
      if (file) { show(list[i], file); list[i].focus(); event.preventDefault(); return; }
    }
  }, true);
})();
