// Files the page hands the user: results, tables and specs.

import { state } from './state.js';

export const csvField = (v) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function downloadUrl(name, url) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => {
    a.remove();
    if (url.startsWith('blob:')) URL.revokeObjectURL(url);
  }, 30000);
}

export function download(name, type, content) {
  downloadUrl(name, URL.createObjectURL(new Blob([content], { type })));
}

export const downloadJson = (name, value) => download(name, 'application/json', `${JSON.stringify(value, null, 2)}\n`);

// Rows of cells as a CSV file.
export function downloadCsv(name, rows) {
  download(name, 'text/csv', `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`);
}

// The loaded file's name without its extension: downloads are named after it.
export function baseName() {
  return (state.table?.fileName || 'leaderboard').replace(/\.[^.]*$/, '');
}
