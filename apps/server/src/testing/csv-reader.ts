/** A strict RFC 4180 reader, as a spreadsheet would split the text into cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === '') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else {
      if (char === '"' || char === '\r' || char === '\n') throw new Error(`unquoted ${JSON.stringify(char)} at ${i}`);
      cell += char;
    }
  }
  if (quoted || cell !== '' || row.length > 0) throw new Error('the text does not end with a complete line');
  return rows;
}
