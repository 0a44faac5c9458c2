import { describe, expect, it } from 'vitest';
import { applyEdits, withEdit, type ListEdits } from './list-edits.ts';

interface Row {
  id: string;
  label: string;
}
const idOf = (row: Row) => row.id;
const loaded: Row[] = [
  { id: 'a', label: 'A' },
  { id: 'b', label: 'B' },
  { id: 'c', label: 'C' },
];

describe('edits on a loaded list', () => {
  it('without edits the list is as loaded', () => {
    expect(applyEdits(loaded, new Map(), idOf)).toEqual(loaded);
  });

  it('replaces changed items in place, leaves out removed ones and puts new ones first, newest first', () => {
    let edits: ListEdits<Row> = new Map();
    edits = withEdit(edits, 'b', { id: 'b', label: 'B changed' });
    edits = withEdit(edits, 'c', null);
    edits = withEdit(edits, 'd', { id: 'd', label: 'D' });
    edits = withEdit(edits, 'e', { id: 'e', label: 'E' });
    expect(applyEdits(loaded, edits, idOf).map((row) => row.label)).toEqual(['E', 'D', 'A', 'B changed']);
  });

  it('a new item removed again is gone, and adding one never changes the edits it came from', () => {
    const first = withEdit(new Map(), 'd', { id: 'd', label: 'D' });
    const second = withEdit(first, 'd', null);
    expect(applyEdits(loaded, second, idOf).map((row) => row.id)).toEqual(['a', 'b', 'c']);
    expect(applyEdits(loaded, first, idOf).map((row) => row.id)).toEqual(['d', 'a', 'b', 'c']);
  });
});
