/**
 * JSON with object keys sorted at every level, so that the same value always gives the same bytes
 * (jsonb does not keep key order, and the audit hash chain must be recomputable from stored rows).
 * Apart from key order it follows JSON.stringify exactly (toJSON, dropped undefined and functions,
 * null in arrays), so a value and its JSON round trip through the database give the same text.
 */
export function canonicalJson(value: unknown): string {
  return canonicalOf(value, '') ?? 'null';
}

/** The canonical text of a value, or undefined where JSON.stringify would leave it out. */
function canonicalOf(input: unknown, key: string): string | undefined {
  const value = hasToJson(input) ? input.toJSON(key) : input;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item, index) => canonicalOf(item, String(index)) ?? 'null').join(',')}]`;
  const members: string[] = [];
  for (const name of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const text = canonicalOf((value as Record<string, unknown>)[name], name);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

function hasToJson(value: unknown): value is { toJSON(key: string): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
