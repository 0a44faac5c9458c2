/**
 * Changes a page made to a list it loaded (a key created or revoked, a member removed), applied on top of
 * the loaded list. The API answers each change with the changed item, so the list stays right without
 * loading it again, and a removed row is gone at once (focus can then move on from it).
 */

/** Changes by id: the new or changed item, or null for one removed. */
export type ListEdits<T> = ReadonlyMap<string, T | null>;

/** The edits with one more change. */
export function withEdit<T>(edits: ListEdits<T>, id: string, item: T | null): ListEdits<T> {
  const next = new Map(edits);
  next.set(id, item);
  return next;
}

/** The loaded list with the changes: changed items in place, removed ones left out, new ones first. */
export function applyEdits<T>(items: readonly T[], edits: ListEdits<T>, idOf: (item: T) => string): T[] {
  const known = new Set(items.map(idOf));
  const added = [...edits].filter(([id, item]) => item !== null && !known.has(id)).map(([, item]) => item as T);
  const kept = items.flatMap((item) => {
    const id = idOf(item);
    if (!edits.has(id)) return [item];
    const edited = edits.get(id);
    return edited === null || edited === undefined ? [] : [edited];
  });
  // Newest change first among the added ones.
  return [...added.reverse(), ...kept];
}
