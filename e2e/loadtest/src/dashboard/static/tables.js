// Table filling shared by the live dashboard and the report page. A cell is text, or
// `{ text, className }`; everything goes in as text, never as markup, since agent ids, host names
// and error kinds come from the run.
/* global PlexusFormat */
(function (global) {
  'use strict';

  function cellOf(content) {
    const cell = document.createElement('td');
    const { text, className } = typeof content === 'object' && content !== null ? content : { text: content };
    cell.textContent = text;
    if (className) cell.className = className;
    return cell;
  }

  /** Replaces the rows of `tbody`; with no rows, one row saying `emptyText` across the table. */
  function fill(tbody, rows, emptyText) {
    if (rows.length === 0) {
      const cell = cellOf({ text: emptyText, className: 'empty' });
      cell.colSpan = tbody.closest('table').querySelectorAll('thead th').length;
      const row = document.createElement('tr');
      row.append(cell);
      tbody.replaceChildren(row);
      return;
    }
    tbody.replaceChildren(
      ...rows.map((cells) => {
        const row = document.createElement('tr');
        row.append(...cells.map(cellOf));
        return row;
      })
    );
  }

  function errorTotal(errors) {
    return Object.values(errors).reduce((total, count) => total + count, 0);
  }

  /** Errors by kind, most frequent first. */
  function errorRows(errors) {
    return Object.entries(errors)
      .sort(([kindA, countA], [kindB, countB]) => countB - countA || kindA.localeCompare(kindB))
      .map(([kind, count]) => [kind, { text: PlexusFormat.count(count), className: 'number' }]);
  }

  global.PlexusTables = { fill, errorTotal, errorRows };
})(globalThis);
