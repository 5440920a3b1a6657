/**
 * Traits: the standard ones of the Segment spec plus anything custom. Each trait keeps the time
 * of the event that set it, and a value only replaces one set by a later-timestamped event if it
 * is at least as recent: the latest by event time wins, not the latest to arrive.
 */
export type Traits = Record<string, unknown>;
export type TraitTimes = Record<string, string>;

// Segment's snake_case and common variants, folded to the spec's camelCase names.
const ALIASES: Record<string, string> = {
  first_name: 'firstName',
  firstname: 'firstName',
  last_name: 'lastName',
  lastname: 'lastName',
  phone_number: 'phone',
  mobile: 'phone',
  e_mail: 'email',
  birth_date: 'birthday',
  birthdate: 'birthday',
  date_of_birth: 'birthday',
  time_zone: 'timezone',
  created_at: 'createdAt',
};

/** Folds trait names to the standard spelling and derives first/last name from `name`. */
export function canonicalTraits(input: Traits): Traits {
  const out: Traits = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    out[ALIASES[k] ?? ALIASES[k.toLowerCase()] ?? k] = v;
  }
  if (typeof out.name === 'string' && out.firstName === undefined && out.lastName === undefined) {
    const parts = out.name.trim().split(/\s+/);
    if (parts[0]) out.firstName = parts[0];
    if (parts.length > 1) out.lastName = parts.slice(1).join(' ');
  }
  return out;
}

/** Applies `incoming` (timestamped `at`) over `traits`; returns the new pair and whether anything changed. */
export function applyTraits(traits: Traits, times: TraitTimes, incoming: Traits, at: Date) {
  const iso = at.toISOString();
  const next = { ...traits };
  const nextTimes = { ...times };
  let changed = false;
  for (const [k, v] of Object.entries(incoming)) {
    const prev = nextTimes[k];
    if (prev !== undefined && prev > iso) continue;
    if (prev === iso && JSON.stringify(next[k]) === JSON.stringify(v)) continue;
    next[k] = v;
    nextTimes[k] = iso;
    changed = true;
  }
  return { traits: next, times: nextTimes, changed };
}

/** Combines two profiles' traits trait by trait, keeping each trait's most recent value. */
export function mergeTraits(a: { traits: Traits; times: TraitTimes }, b: { traits: Traits; times: TraitTimes }) {
  const traits = { ...a.traits };
  const times = { ...a.times };
  for (const [k, v] of Object.entries(b.traits)) {
    const tb = b.times[k] ?? '';
    const ta = times[k];
    if (ta === undefined || tb > ta) {
      traits[k] = v;
      times[k] = tb || (ta ?? '');
    }
  }
  return { traits, times };
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** The searchable columns a profile derives from its traits. */
export function derivedColumns(traits: Traits) {
  return {
    first_name: str(traits.firstName),
    last_name: str(traits.lastName),
  };
}
