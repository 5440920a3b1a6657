import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyticsEn } from '../analytics/locales/en';
import { analyticsEs } from '../analytics/locales/es';
import { customersEn } from '../customers/locales/en';
import { customersEs } from '../customers/locales/es';
import { segmentsEn } from './locales/en';
import { segmentsEs } from './locales/es';
import type { Condition, SegmentRule } from './rules';
import { describeActual, describeCondition, describeRule, formatDay, type SentenceContext } from './sentence';

/** A sentence context as the app builds it (useSentenceContext), for a language and a locale. */
async function contextFor(language: 'en' | 'es', locale: string): Promise<SentenceContext> {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng: language,
    resources: {
      en: { translation: { segments: segmentsEn, customers: customersEn, analytics: analyticsEn } },
      es: { translation: { segments: segmentsEs, customers: customersEs, analytics: analyticsEs } },
    },
    interpolation: { escapeValue: false },
  });
  const t = i18n.t.bind(i18n) as unknown as TFunction;
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Europe/Madrid' });
  return {
    t,
    locale,
    number: (v) => new Intl.NumberFormat(locale).format(v),
    money: (v) => money.format(v),
    date: (iso) => dates.format(new Date(iso)),
    channel: (c) => t(`customers.channels.${c}` as never),
    segment: (id) => (id === 'seg_1' ? 'VIP' : t('segments.sentence.unknownSegment' as never)),
  };
}

let en: SentenceContext;
let es: SentenceContext;
beforeAll(async () => {
  en = await contextFor('en', 'en-GB');
  es = await contextFor('es', 'es-ES');
});

const cases: { condition: Condition; en: string; es: string }[] = [
  {
    condition: { type: 'trait', trait: 'city', op: 'equals', value: 'Madrid' },
    en: '“city” is “Madrid”',
    es: '«city» es «Madrid»',
  },
  {
    condition: { type: 'trait', trait: 'plan', op: 'in', value: ['gold', 'silver'] },
    en: '“plan” is one of “gold” or “silver”',
    es: '«plan» es uno de «gold» o «silver»',
  },
  {
    condition: { type: 'trait', trait: 'birthday', op: 'birthday_in_next_days', days: 7 },
    en: 'Birthday (“birthday”) is within the next 7 days',
    es: 'El cumpleaños («birthday») es en los próximos 7 días',
  },
  {
    condition: { type: 'trait', trait: 'signup', op: 'before', value: '2025-03-01' },
    en: '“signup” is before 1 Mar 2025',
    es: '«signup» es anterior al 1 mar 2025',
  },
  {
    condition: { type: 'tag', tag: 'vip', op: 'has_not' },
    en: 'Does not have the tag “vip”',
    es: 'No tiene la etiqueta «vip»',
  },
  {
    condition: {
      type: 'event',
      event: 'Order Completed',
      did: true,
      count: { op: 'at_least', value: 2 },
      within: { lastDays: 30 },
      where: [{ property: 'total', op: 'gt', value: 1000 }],
    },
    en: 'Did “Order Completed” at least 2 times in the last 30 days where “total” is greater than 1,000',
    es: 'Hizo «Order Completed» al menos 2 veces en los últimos 30 días con «total» mayor que 1000',
  },
  {
    condition: { type: 'event', event: 'Signed Up', did: false, within: { lastDays: 1 } },
    en: 'Never did “Signed Up” in the last day',
    es: 'Nunca hizo «Signed Up» en el último día',
  },
  {
    condition: { type: 'orders', metric: 'revenue', op: 'between', value: 100, value2: 250.5 },
    en: 'Revenue is between €100.00 and €250.50',
    es: 'Ingresos: entre 100,00\u00a0€ y 250,50\u00a0€',
  },
  {
    condition: {
      type: 'orders',
      metric: 'count',
      op: 'gte',
      value: 2,
      within: { from: '2025-01-01', to: '2025-04-01' },
    },
    en: 'Number of orders is at least 2 between 1 Jan 2025 and 1 Apr 2025',
    es: 'Número de pedidos: al menos 2 entre el 1 ene 2025 y el 1 abr 2025',
  },
  {
    condition: { type: 'last_order', op: 'not_within_last_days', days: 90 },
    en: 'No order in the last 90 days',
    es: 'Ningún pedido en los últimos 90 días',
  },
  { condition: { type: 'last_order', op: 'none' }, en: 'Has never ordered', es: 'Nunca ha hecho un pedido' },
  {
    condition: { type: 'bought', product: 'Croissant', category: 'Pastry' },
    en: 'Bought “Croissant” in “Pastry”',
    es: 'Compró «Croissant» de «Pastry»',
  },
  {
    condition: { type: 'fact', fact: 'last_seen_at', op: 'within_last_days', days: 14 },
    en: 'Seen in the last 14 days',
    es: 'Visto en los últimos 14 días',
  },
  {
    condition: { type: 'fact', fact: 'channels', op: 'includes', value: 'store' },
    en: 'Used the channel Shop counter',
    es: 'Usó el canal Mostrador de la tienda',
  },
  {
    condition: { type: 'fact', fact: 'acquisition_channel', op: 'in', value: ['web', 'email'] },
    en: 'Came through Website or Email',
    es: 'Llegó por Sitio web o Correo electrónico',
  },
  {
    condition: { type: 'segment', segmentId: 'seg_1', op: 'not_in' },
    en: 'Is not in the segment “VIP”',
    es: 'No está en el segmento «VIP»',
  },
  {
    condition: { type: 'rfm', cells: ['at_risk', 'cant_lose'] },
    en: 'Is in the RFM group At risk or Can’t lose them',
    es: 'Está en el grupo RFM En riesgo o No podemos perderlos',
  },
  {
    condition: { type: 'lifecycle', stages: ['new', 'won_back'] },
    en: 'Is in the lifecycle stage New or Won back',
    es: 'Está en la etapa del ciclo de vida Nuevos o Recuperados',
  },
  {
    condition: { type: 'consent', channel: 'email', purpose: 'marketing', status: 'subscribed' },
    en: 'Email marketing consent is subscribed',
    es: 'El consentimiento de Correo electrónico para publicidad es suscrito',
  },
  {
    condition: { type: 'consent', channel: 'sms', purpose: 'transactional', status: ['pending', 'unknown'] },
    en: 'SMS transactional consent is awaiting confirmation or not asked',
    es: 'El consentimiento de SMS para transaccional es pendiente de confirmar o sin preguntar',
  },
  {
    condition: { type: 'prediction', score: 'churn_risk', op: 'gt', value: 0.7 },
    en: 'Churn risk is above 0.7',
    es: 'El riesgo de abandono es mayor que 0,7',
  },
  {
    condition: { type: 'prediction', score: 'clv', op: 'between', value: 100, value2: 500 },
    en: 'Predicted lifetime value is between €100.00 and €500.00',
    es: 'El valor de vida previsto está entre 100,00\u00a0€ y 500,00\u00a0€',
  },
  {
    condition: { type: 'prediction', score: 'purchase_probability_30', op: 'lte', value: 0.25 },
    en: 'Chance of buying in the next 30 days is at most 0.25',
    es: 'La probabilidad de comprar en los próximos 30 días es como mucho 0,25',
  },
  {
    condition: { type: 'prediction', score: 'expected_purchases_90', op: 'gte', value: 2 },
    en: 'Expected purchases in the next 90 days is at least 2',
    es: 'El número de compras previstas en los próximos 90 días es al menos 2',
  },
];

describe('conditions as sentences', () => {
  it.each(cases)('$en', ({ condition, en: english, es: spanish }) => {
    expect(describeCondition(en, condition)).toBe(english);
    expect(describeCondition(es, condition)).toBe(spanish);
  });

  it('writes a whole rule on one line, groups in parentheses', () => {
    const rule: SegmentRule = {
      all: [
        { type: 'tag', tag: 'vip', op: 'has' },
        { any: [{ type: 'last_order', op: 'none' }, { not: { type: 'tag', tag: 'b2b', op: 'has' } }] },
      ],
    };
    expect(describeRule(en, rule)).toBe('Has the tag “vip” and (Has never ordered or Not: Has the tag “b2b”)');
    expect(describeRule(es, { all: [] })).toBe('Todo el mundo');
  });

  it('formats the actual value an explanation reports for its condition', () => {
    const revenue: Condition = { type: 'orders', metric: 'revenue', op: 'gte', value: 100 };
    expect(describeActual(en, revenue, 42.5)).toBe('€42.50');
    expect(describeActual(es, { type: 'orders', metric: 'count', op: 'gte', value: 2 }, 1)).toBe('1');
    expect(describeActual(en, { type: 'fact', fact: 'channels', op: 'includes', value: 'web' }, ['web', 'store'])).toBe(
      'Website and Shop counter',
    );
    expect(describeActual(es, undefined, null)).toBe('nada');
    expect(describeActual(es, { type: 'event', event: 'Order Completed', did: true }, 3)).toBe('3 veces');
    expect(describeActual(en, { type: 'tag', tag: 'vip', op: 'has' }, ['vip', 'b2b'])).toBe('“vip” and “b2b”');
    expect(describeActual(en, { type: 'last_order', op: 'before', value: '2025-01-01' }, '2024-12-24T10:00:00Z')).toBe(
      '24 Dec 2024',
    );
  });

  it('reports a predicted score as money for lifetime value, else with two decimals', () => {
    expect(describeActual(en, { type: 'prediction', score: 'clv', op: 'gt', value: 100 }, 123.456)).toBe('€123.46');
    expect(describeActual(es, { type: 'prediction', score: 'churn_risk', op: 'gt', value: 0.7 }, 0.81234)).toBe('0,81');
  });

  it('reports a consent condition’s actual status in words', () => {
    const c: Condition = { type: 'consent', channel: 'email', purpose: 'marketing', status: 'subscribed' };
    expect(describeActual(en, c, 'unknown')).toBe('not asked');
    expect(describeActual(es, c, 'unsubscribed')).toBe('dado de baja');
  });

  it('shows a value still to be typed as an ellipsis', () => {
    expect(describeCondition(es, { type: 'event', event: '', did: true, within: { lastDays: 30 } })).toBe(
      'Hizo «…» en los últimos 30 días',
    );
  });

  it('never shifts a calendar date by the time zone', () => {
    expect(formatDay('en-US', '2025-01-01', () => 'wrong')).toBe('Jan 1, 2025');
  });
});
