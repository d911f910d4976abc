// Live word count of a UPR draft while it is edited (the server counts again on save).
(function () {
  var box = document.getElementById("body");
  var out = document.getElementById("word-count");
  if (!box || !out) return;
  var limit = parseInt(out.getAttribute("data-limit"), 10);
  function update() {
    var words = (box.value.match(/[\p{L}\p{N}_]+(?:[-'\u2019][\p{L}\p{N}_]+)*/gu) || []).length;
    var over = words > limit;
    out.className = over ? "flash flash-error" : "";
    out.textContent = words + " of " + limit + " words" +
      (over ? ": over the limit by " + (words - limit) + ". Shorten the text: nothing is cut for you." : "");
  }
  box.addEventListener("input", update);
})();
