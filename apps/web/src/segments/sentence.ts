/**
 * A rule condition as a sentence in the person's language ("Did “Order Completed” at least 2 times
 * in the last 30 days"). The server sends structure only (rules, explanations); every word comes
 * from the `segments.sentence` translations, every value through the workspace's formats.
 */
import type { TFunction } from 'i18next';
import type { Condition, Group, PropertyFilter, RuleWindow, SegmentRule } from './rules';
import { CONSENT_STATUSES, consentStatuses, groupChildren, groupOp, isGroup, isNot } from './rules';

/** What a sentence needs besides the words: formats and names of things the rule refers to by id. */
export interface SentenceContext {
  t: TFunction;
  locale: string;
  number(value: number): string;
  money(value: number): string;
  /** A moment (ISO time) as a date in the workspace's time zone. */
  date(iso: string): string;
  /** A channel's name in the person's language. */
  channel(channel: string): string;
  /** A segment's name, from its id. */
  segment(id: string): string;
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** A calendar date (`2025-05-01`) as the locale writes it, never shifted by a time zone. */
export function formatDay(locale: string, value: string, date: (iso: string) => string): string {
  if (!DAY_ONLY.test(value)) return date(value);
  let f = dayFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    dayFormats.set(locale, f);
  }
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? value : f.format(d);
}

/** "a, b or c" / "a, b o c". */
export function formatList(locale: string, items: string[], type: 'conjunction' | 'disjunction' = 'disjunction') {
  try {
    return new Intl.ListFormat(locale, { style: 'long', type }).format(items);
  } catch {
    return items.join(', ');
  }
}

/** A value as the person typed it, in quotes; a blank one (still being written) as an ellipsis. */
const quote = (ctx: SentenceContext, value: string) => ctx.t('segments.sentence.quote', { value: value.trim() || '…' });

function windowText(ctx: SentenceContext, w: RuleWindow | undefined): string {
  if (!w) return '';
  if ('lastDays' in w) return ctx.t('segments.sentence.window.lastDays', { count: w.lastDays });
  return ctx.t('segments.sentence.window.between', {
    from: formatDay(ctx.locale, w.from, ctx.date),
    to: formatDay(ctx.locale, w.to, ctx.date),
  });
}

function plainValue(ctx: SentenceContext, v: unknown): string {
  if (typeof v === 'number') return ctx.number(v);
  if (typeof v === 'boolean') return v ? ctx.t('segments.sentence.true') : ctx.t('segments.sentence.false');
  if (Array.isArray(v))
    return formatList(
      ctx.locale,
      v.map((x) => plainValue(ctx, x)),
    );
  if (typeof v === 'string') return DAY_ONLY.test(v) ? formatDay(ctx.locale, v, ctx.date) : quote(ctx, v);
  return ctx.t('segments.sentence.nothing');
}

function propertyText(ctx: SentenceContext, f: PropertyFilter): string {
  return ctx.t(`segments.sentence.property.${f.op}`, {
    property: quote(ctx, f.property),
    value: plainValue(ctx, f.value),
  });
}

const join = (...parts: string[]) => parts.filter(Boolean).join(' ');

/** One condition as a sentence. */
export function describeCondition(ctx: SentenceContext, c: Condition): string {
  const { t } = ctx;
  switch (c.type) {
    case 'trait': {
      const trait = quote(ctx, c.trait);
      if (c.op === 'within_last_days' || c.op === 'birthday_in_next_days')
        return t(`segments.sentence.trait.${c.op}`, { trait, count: c.days ?? 0 });
      if (c.op === 'set' || c.op === 'unset') return t(`segments.sentence.trait.${c.op}`, { trait });
      const value =
        c.op === 'in' && typeof c.value === 'string'
          ? plainValue(
              ctx,
              c.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            )
          : plainValue(ctx, c.value);
      return t(`segments.sentence.trait.${c.op}`, { trait, value });
    }
    case 'tag':
      return t(`segments.sentence.tag.${c.op}`, { tag: quote(ctx, c.tag) });
    case 'event': {
      const event = quote(ctx, c.event);
      const head = c.did ? t('segments.sentence.event.did', { event }) : t('segments.sentence.event.didNot', { event });
      const count = c.count && c.did ? t(`segments.sentence.count.${c.count.op}`, { count: c.count.value }) : '';
      const where = c.where?.length
        ? t('segments.sentence.event.where', {
            filters: formatList(
              ctx.locale,
              c.where.map((f) => propertyText(ctx, f)),
              'conjunction',
            ),
          })
        : '';
      return join(head, count, windowText(ctx, c.within), where);
    }
    case 'orders': {
      const fmt = (v: number | undefined) =>
        v === undefined ? '' : c.metric === 'count' ? ctx.number(v) : ctx.money(v);
      return join(
        t(`segments.sentence.orders.${c.op}`, {
          metric: t(`segments.sentence.metric.${c.metric}`),
          value: fmt(c.value),
          value2: fmt(c.value2),
        }),
        windowText(ctx, c.within),
      );
    }
    case 'last_order':
      if (c.op === 'none') return t('segments.sentence.lastOrder.none');
      if (c.op === 'before' || c.op === 'after')
        return t(`segments.sentence.lastOrder.${c.op}`, { date: formatDay(ctx.locale, c.value ?? '', ctx.date) });
      return t(`segments.sentence.lastOrder.${c.op}`, { count: c.days ?? 0 });
    case 'bought': {
      const product = c.product?.trim();
      const category = c.category?.trim();
      const head =
        product && category
          ? t('segments.sentence.bought.productInCategory', {
              product: quote(ctx, product),
              category: quote(ctx, category),
            })
          : product
            ? t('segments.sentence.bought.product', { product: quote(ctx, product) })
            : t('segments.sentence.bought.category', { category: quote(ctx, category ?? '') });
      return join(head, windowText(ctx, c.within));
    }
    case 'fact': {
      if (c.fact === 'channels') return t(`segments.sentence.channels.${c.op}`, { channel: ctx.channel(c.value) });
      if (c.fact === 'acquisition_channel') {
        const list = Array.isArray(c.value) ? c.value : [c.value];
        return t(`segments.sentence.acquisition.${c.op}`, {
          channel: formatList(
            ctx.locale,
            list.map((ch) => ctx.channel(ch)),
          ),
        });
      }
      if (c.op === 'before' || c.op === 'after')
        return t(`segments.sentence.${c.fact}.${c.op}`, { date: formatDay(ctx.locale, c.value ?? '', ctx.date) });
      return t(`segments.sentence.${c.fact}.${c.op}`, { count: c.days ?? 0 });
    }
    case 'segment':
      return t(`segments.sentence.segment.${c.op}`, { segment: quote(ctx, ctx.segment(c.segmentId)) });
    case 'rfm':
      return t('segments.sentence.rfm', {
        cells: formatList(
          ctx.locale,
          c.cells.map((cell) => t(`analytics.rfm.cells.${cell}.name`)),
        ),
      });
    case 'lifecycle':
      return t('segments.sentence.lifecycle', {
        stages: formatList(
          ctx.locale,
          c.stages.map((stage) => t(`analytics.lifecycle.stages.${stage}`)),
        ),
      });
    case 'consent':
      return t('segments.sentence.consent', {
        channel: t(`customers.consent.channels.${c.channel}`),
        purpose: t(`customers.consent.inline.purposes.${c.purpose}`),
        statuses: formatList(
          ctx.locale,
          consentStatuses(c).map((s) => t(`customers.consent.inline.statuses.${s}`)),
        ),
      });
    case 'prediction': {
      const fmt = (v: number | undefined) =>
        v === undefined || !Number.isFinite(v) ? '…' : c.score === 'clv' ? ctx.money(v) : ctx.number(v);
      return t(`segments.sentence.prediction.${c.op}`, {
        score: t(`segments.sentence.scores.${c.score}`),
        value: fmt(c.value),
        value2: fmt(c.value2),
      });
    }
  }
}

/** The heading of a group or a `not`: "All of these", "Any of these", "None of this". */
export function describeGroup(ctx: SentenceContext, op: 'all' | 'any' | 'not'): string {
  return ctx.t(`segments.sentence.group.${op}`);
}

/** A whole rule as one line (for lists and tooltips): groups in parentheses. */
export function describeRule(ctx: SentenceContext, rule: SegmentRule): string {
  if (isGroup(rule)) {
    const kids = groupChildren(rule as Group).map((r) => {
      const text = describeRule(ctx, r);
      return isGroup(r) ? `(${text})` : text;
    });
    if (kids.length === 0) return ctx.t('segments.sentence.everyone');
    return formatList(ctx.locale, kids, groupOp(rule as Group) === 'all' ? 'conjunction' : 'disjunction');
  }
  if (isNot(rule)) return ctx.t('segments.sentence.notRule', { rule: describeRule(ctx, rule.not) });
  return describeCondition(ctx, rule);
}

/**
 * The value an explanation reports for a condition (what the customer actually has), formatted
 * for the condition: money for revenue, dates for date conditions, lists as lists.
 */
export function describeActual(ctx: SentenceContext, condition: Condition | undefined, actual: unknown): string {
  if (actual === null || actual === undefined) return ctx.t('segments.sentence.nothing');
  // Events and purchases report how many times they happened.
  if (typeof actual === 'number' && (condition?.type === 'event' || condition?.type === 'bought'))
    return ctx.t('segments.sentence.times', { count: actual, formatted: ctx.number(actual) });
  if (typeof actual === 'number' && condition?.type === 'orders' && condition.metric !== 'count')
    return ctx.money(actual);
  // A predicted score: money for lifetime value, else two decimals (probabilities, expected purchases).
  if (typeof actual === 'number' && condition?.type === 'prediction')
    return condition.score === 'clv' ? ctx.money(actual) : ctx.number(Math.round(actual * 100) / 100);
  if (typeof actual === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(actual) && !Number.isNaN(Date.parse(actual)))
    return ctx.date(actual);
  if (Array.isArray(actual) && condition?.type === 'fact' && condition.fact !== 'first_seen_at')
    return actual.length
      ? formatList(
          ctx.locale,
          actual.map((a) => ctx.channel(String(a))),
          'conjunction',
        )
      : ctx.t('segments.sentence.nothing');
  if (typeof actual === 'string' && condition?.type === 'fact' && condition.fact === 'acquisition_channel')
    return ctx.channel(actual);
  if (typeof actual === 'string' && condition?.type === 'consent' && CONSENT_STATUSES.some((s) => s === actual))
    return ctx.t(`customers.consent.inline.statuses.${actual as (typeof CONSENT_STATUSES)[number]}`);
  if (typeof actual === 'object' && !Array.isArray(actual)) {
    const parts = Object.entries(actual as Record<string, unknown>).map(
      ([k, v]) => `${k}: ${describeActual(ctx, condition, v)}`,
    );
    return parts.join(', ');
  }
  if (typeof actual === 'string') return actual;
  if (Array.isArray(actual))
    return actual.length
      ? formatList(
          ctx.locale,
          actual.map((a) => plainValue(ctx, a)),
          'conjunction',
        )
      : ctx.t('segments.sentence.nothing');
  return plainValue(ctx, actual);
}
