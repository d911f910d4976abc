// A create form reached by going Back after saving it is fetched afresh, with a fresh key and
// whatever the browser puts back in its fields: saving it again would save a second record.
// The page carries a notice saying when the form was last saved (data-after-back, hidden);
// shown only when the page was reached through the browser's history.
(function () {
  var entries = window.performance && performance.getEntriesByType
    ? performance.getEntriesByType("navigation") : [];
  if (!entries.length || entries[0].type !== "back_forward") return;
  var notes = document.querySelectorAll("[data-after-back]");
  for (var i = 0; i < notes.length; i++) notes[i].hidden = false;
})();
