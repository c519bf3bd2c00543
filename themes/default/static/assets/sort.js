// Sortable tables (progressive enhancement): a table marked data-sortable gets a button in each
// column header marked data-sort; pressing it sorts the rows by the cells' data-value (numbers),
// descending first, and says the new order in the page's status line. Without JavaScript the
// table keeps the order it was published in.
(function () {
  "use strict";
  var tables = document.querySelectorAll("table[data-sortable]");
  Array.prototype.forEach.call(tables, function (table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var status = table.parentNode.parentNode.querySelector(".sort-status");
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var original = Array.prototype.slice.call(body.rows);
    table.classList.add("sort-ready");
    Array.prototype.forEach.call(headers, function (th, column) {
      if (!th.hasAttribute("data-sort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") !== "descending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var value = function (row) {
          var text = row.cells[column] ? row.cells[column].getAttribute("data-value") : "";
          return text === "" || text === null ? null : Number(text);
        };
        var rows = original.slice();
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          if (x === null && y === null) { return original.indexOf(a) - original.indexOf(b); }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          var order = descending ? y - x : x - y;
          return order !== 0 ? order : original.indexOf(a) - original.indexOf(b);
        });
        rows.forEach(function (row) { body.appendChild(row); });
        if (status) {
          status.textContent = "「" + button.textContent + "」の" + (descending ? "大きい順" : "小さい順") + "に並べ替えました。";
        }
      });
    });
  });
})();
