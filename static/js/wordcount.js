// Live word count of a UPR draft while it is edited (the server counts again on save). The
// sentences are the page's (data-count, data-over: in the reader's language, with {words},
// {limit} and {over} to fill in).
(function () {
  var box = document.getElementById("body");
  var out = document.getElementById("word-count");
  if (!box || !out) return;
  var limit = parseInt(out.getAttribute("data-limit"), 10);
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }
  function update() {
    var words = (box.value.match(/[\p{L}\p{N}_]+(?:[-'\u2019][\p{L}\p{N}_]+)*/gu) || []).length;
    var over = words > limit;
    out.className = over ? "flash flash-error" : "";
    out.textContent = fill(out.getAttribute(over ? "data-over" : "data-count"),
                           { words: words, limit: limit, over: words - limit });
  }
  box.addEventListener("input", update);
})();
