/** Reading what people type into the builder's free-text fields. */

/** Reads JSON typed into a field; `undefined` for an empty field, an Error for bad JSON. */
export function parseJsonField(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return new Error('invalid');
  }
}

/** "vip, new" → ["vip", "new"]. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
