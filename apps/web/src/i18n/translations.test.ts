import { beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * Spanish values allowed to equal the English ones: names, symbols and words Spanish borrows.
 * Keep this short: anything else identical is an untranslated string.
 */
const SAME_IN_BOTH = new Set([
  // Channel names Spanish uses as they are, and milliseconds.
  'customers.messages.channels.sms',
  'customers.messages.channels.webhook',
  'settings.tabs.sms',
  'settings.tabs.webhooks',
  'settings.webhooks.ms',
  'app.name',
  'app.pageTitle',
  'language.names.en',
  'language.names.es',
  'fields.email',
  'invite.email',
  'settings.apiKeys.scopeNames.admin',
  'settings.audit.ip',
  // Channel names Spanish uses as they are, placeholders only, product and tool names.
  'customers.channels.marketplace',
  'customers.channels.sms',
  'customers.detail.localTimeValue',
  'customers.orders.total',
  'customers.companies.groupId',
  'customers.consent.channels.sms',
  'customers.consent.channels.whatsapp',
  'customers.consent.sources.app',
  'customers.consent.sourceAndTime',
  'sources.channels.marketplace',
  'sources.channels.sms',
  'sources.snippets.curl',
  'sources.snippets.node',
  'imports.file.presetOnlineRetail',
  'imports.fields.sku',
  // "no" is the same word; placeholders and score symbols (R1…F5) of the dashboard.
  'segments.sentence.false',
  'analytics.periodSummary',
  'analytics.cohorts.range',
  'analytics.rfm.rf',
  'analytics.rfm.r',
  'analytics.rfm.f',
  'analytics.rfm.cellSummary',
  // Journeys: placeholders only, "no", and "marketing" (Spanish uses the word).
  'journeys.summaries.duration',
  'journeys.builder.edges.no',
  'journeys.builder.edges.branch',
  'journeys.step.purposes.marketing',
  // Predictions: the AUC abbreviation, and a placeholder-only line.
  'predictions.fairness.auc',
  'predictions.customer.factor',
]);

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

let en: Map<string, string>;
let es: Map<string, string>;

beforeAll(async () => {
  // The i18n module reads the browser's languages when it loads.
  vi.stubGlobal('navigator', { language: 'en', languages: ['en'] });
  vi.stubGlobal('document', { documentElement: {} });
  const { i18n } = await import('./index');
  en = flatten(i18n.getResourceBundle('en', 'translation') as Tree);
  es = flatten(i18n.getResourceBundle('es', 'translation') as Tree);
});

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('registers the settings strings beside the app strings', () => {
    expect(en.size).toBeGreaterThan(100);
    expect([...en.keys()].some((k) => k.startsWith('settings.'))).toBe(true);
  });

  it('has every English key in Spanish and no Spanish key missing in English', () => {
    expect([...en.keys()].filter((k) => !es.has(k))).toEqual([]);
    expect([...es.keys()].filter((k) => !en.has(k))).toEqual([]);
  });

  it('has no empty Spanish value, and the same placeholders in both', () => {
    expect([...es].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
    for (const [k, v] of en) expect(placeholders(es.get(k) ?? ''), k).toEqual(placeholders(v));
  });

  it('translates every value except the allow-listed ones', () => {
    const same = [...en].filter(([k, v]) => es.get(k) === v && !SAME_IN_BOTH.has(k)).map(([k]) => k);
    expect(same).toEqual([]);
    // The allow-list holds no stale entries.
    expect([...SAME_IN_BOTH].filter((k) => !en.has(k))).toEqual([]);
  });

  it('every literal key the code passes to t() exists', () => {
    const sources = import.meta.glob('../**/*.tsx', { query: '?raw', import: 'default', eager: true }) as Record<
      string,
      string
    >;
    const missing: string[] = [];
    let seen = 0;
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        const key = m[1] as string;
        seen++;
        if (!en.has(key) && !en.has(`${key}_one`) && !en.has(`${key}_other`)) missing.push(`${file}: ${key}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
