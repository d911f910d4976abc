// A file field in the page's language: the browser draws its own button and "No file chosen" in
// the browser's language, whatever the reader chose here. This shows, in their place, the label
// styled as a button and the chosen file's name, both written by the page (data-none: its words
// for no file). The input stays the control: it keeps the focus, the keyboard and the form's
// value, only drawn out of sight. Without this script the browser's input shows as it is.
(function () {
  if (window.caseworkFilePicker) return;
  window.caseworkFilePicker = true;
  function names(input) {
    var files = input.files || [];
    var list = [];
    for (var i = 0; i < files.length; i++) list.push(files[i].name);
    return list.join(", ");
  }
  function show(picker) {
    var input = picker.querySelector("input[type=file]");
    var name = picker.querySelector(".file-name");
    if (!input || !name) return;
    name.textContent = names(input) || name.getAttribute("data-none") || "";
    name.classList.toggle("file-chosen", !!(input.files && input.files.length));
  }
  function enhance(picker) {
    if (picker.classList.contains("enhanced")) return;
    var button = picker.querySelector(".file-button");
    var name = picker.querySelector(".file-name");
    if (!button || !name) return;
    picker.classList.add("enhanced");
    button.hidden = false;
    name.hidden = false;
    show(picker);  // a file kept by the browser (Back) is named at once
  }
  function start() {
    var pickers = document.querySelectorAll("[data-file-picker]");
    for (var i = 0; i < pickers.length; i++) enhance(pickers[i]);
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-file-picker] input[type=file]")) return;
    show(input.closest("[data-file-picker]"));
  });
  // Reset with its form: the name goes with the file.
  document.addEventListener("reset", function (event) {
    setTimeout(function () {
      var pickers = event.target.querySelectorAll("[data-file-picker]");
      for (var i = 0; i < pickers.length; i++) show(pickers[i]);
    }, 0);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
