// What the page holds between events: the current view, the loaded table
// and each view's status line and warnings. A view keeps its own results in its module.

export const state = {
  view: 'pca',
  // The loaded table, as the service described it (table.js).
  table: null,
  reading: null, // the description of the pasted text under way, if any
  prefix: null, // the prefix that made the current benchmark selection, if unchanged since
  statuses: {}, // the status line of each view
  warnings: {}, // the warnings of each view's answer (messages.js)
};
