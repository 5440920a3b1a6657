/**
 * Turning a template into an email: Liquid (no file system, unknown filters are errors, values
 * HTML-escaped in the HTML part), the brand layout around every body, tracked links and the
 * open pixel, and a plain-text part made from the HTML when the template has none.
 */
import { htmlToText } from 'html-to-text';
import { Liquid } from 'liquidjs';
import { type Language, render } from '../platform/messages.js';
import { mm } from './messages.js';
import type { Variant, Variants } from './repository.js';

const common = {
  // An in-memory (empty) template map: {% include %} / {% render %} / {% layout %} never read files.
  templates: {},
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: 200_000,
  renderLimit: 2_000,
  memoryLimit: 20_000_000,
};
const htmlEngine = new Liquid({ ...common, outputEscape: 'escape' });
const textEngine = new Liquid(common);

/** Throws (with liquidjs's message) when a variant's parts do not parse. */
export function checkVariant(v: Variant): void {
  htmlEngine.parse(v.html);
  textEngine.parse(v.subject);
  if (v.text) textEngine.parse(v.text);
}

/** What a template sees (snake_case, as Liquid templates elsewhere spell it). */
export interface TemplateScope {
  customer: {
    id: string;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    name: string | null;
    phone: string | null;
    locale: string | null;
    tags: string[];
    traits: Record<string, unknown>;
  };
  last_order: {
    number: string;
    total: number;
    currency: string;
    placed_at: string;
    items: { name: string; quantity: number }[];
  } | null;
  business: {
    name: string;
    brand: {
      logo_url: string | null;
      primary_color: string;
      footer_text: string | null;
      postal_address: string | null;
    };
  };
  unsubscribe_url: string;
  /** The customer's preference center (signed link). */
  preferences_url: string;
  /** Products to suggest: best sellers the customer has not bought (commerce's recommender). */
  recommendations: {
    id: string;
    name: string | null;
    price: number | null;
    currency: string | null;
    url: string | null;
    image_url: string | null;
  }[];
  /** A double opt-in confirmation's link (only in that email). */
  confirm_url?: string;
  data: Record<string, unknown>;
}

export interface Rendered {
  subject: string;
  /** The body, before the layout. */
  html: string;
  text: string | null;
}

/** Renders a plain-text template (an SMS) with the scope: nothing escaped. */
export async function renderText(text: string, scope: TemplateScope): Promise<string> {
  return String(await textEngine.parseAndRender(text, scope));
}

/** Renders one variant with the scope. Liquid errors propagate (the caller records them). */
export async function renderVariant(v: Variant, scope: TemplateScope): Promise<Rendered> {
  const subject = String(await textEngine.parseAndRender(v.subject, scope))
    .replace(/\s+/g, ' ')
    .trim();
  const html = String(await htmlEngine.parseAndRender(v.html, scope));
  const text = v.text ? String(await textEngine.parseAndRender(v.text, scope)) : null;
  return { subject, html, text };
}

/** The base language of a locale tag (`es-ES` → `es`), lower case; null for nothing usable. */
export function baseLanguage(locale: unknown): string | null {
  if (typeof locale !== 'string') return null;
  const base = locale.trim().toLowerCase().split(/[-_]/)[0];
  return base && /^[a-z]{2,3}$/.test(base) ? base : null;
}

/** The variant for the first of the wanted languages the template has, else English, else its first. */
export function pickVariant(variants: Variants, wanted: (string | null)[]): { locale: string; variant: Variant } {
  for (const locale of [...wanted, 'en']) {
    const v = locale ? variants[locale] : undefined;
    if (locale && v) return { locale, variant: v };
  }
  const [locale, variant] = Object.entries(variants)[0] as [string, Variant];
  return { locale, variant };
}

export const DEFAULT_COLOR = '#1a6b4c';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export interface LayoutInput {
  body: string;
  subject: string;
  language: string;
  business: TemplateScope['business'];
  /** Shown in the footer for marketing messages; null hides the link. */
  unsubscribeUrl: string | null;
  /** The preference center, beside it (marketing messages). */
  preferencesUrl?: string | null;
}

/** The brand layout: logo (or the business name) in the brand colour, the body, the footer. */
export function wrapInLayout(l: LayoutInput): string {
  const lang: Language = l.language === 'es' ? 'es' : 'en';
  const brand = l.business.brand;
  const color = brand.primary_color;
  const name = escapeHtml(l.business.name);
  const head = brand.logo_url
    ? `<img src="${escapeHtml(brand.logo_url)}" alt="${name}" height="48" style="display:block;height:48px;max-height:48px;border:0;outline:none">`
    : `<span style="font-family:Helvetica,Arial,sans-serif;font-size:20px;font-weight:700;color:${color}">${name}</span>`;
  const footer = [
    brand.footer_text ? escapeHtml(brand.footer_text).replace(/\r?\n/g, '<br>') : null,
    brand.postal_address ? escapeHtml(brand.postal_address).replace(/\r?\n/g, '<br>') : null,
    escapeHtml(render(mm('layout_why', { business: l.business.name }), lang)),
    l.unsubscribeUrl
      ? `<a href="${escapeHtml(l.unsubscribeUrl)}" style="color:#6b7280;text-decoration:underline">${escapeHtml(render(mm('layout_unsubscribe'), lang))}</a>${
          l.preferencesUrl
            ? ` · <a href="${escapeHtml(l.preferencesUrl)}" style="color:#6b7280;text-decoration:underline">${escapeHtml(render(mm('layout_preferences'), lang))}</a>`
            : ''
        }`
      : null,
  ]
    .filter(Boolean)
    .map((p) => `<p style="margin:0 0 8px 0">${p}</p>`)
    .join('');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(l.subject)}</title>
<style>.kith-body a{color:${color}}</style>
</head>
<body style="margin:0;padding:0;background:#f4f4f5">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f4f5">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" class="kith-card" style="width:100%;max-width:600px;background:#ffffff;border-top:4px solid ${color};border-radius:6px">
<tr><td class="kith-brand" style="padding:24px 32px 0 32px">${head}</td></tr>
<tr><td class="kith-body" style="padding:24px 32px 32px 32px;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937">
${l.body}
</td></tr>
</table>
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px">
<tr><td class="kith-footer" style="padding:16px 32px;font-family:Helvetica,Arial,sans-serif;font-size:12px;line-height:1.5;color:#6b7280;text-align:center">
${footer}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;
}

/** The plain-text part of an HTML email: links as `text [url]`, images left out. */
export function textFromHtml(html: string): string {
  return htmlToText(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'title', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'block' },
    ],
  }).trim();
}

/** The footer of a plain-text part the template wrote itself (the layout's, as text). */
export function textFooter(l: Omit<LayoutInput, 'body' | 'subject'>): string {
  const lang: Language = l.language === 'es' ? 'es' : 'en';
  const brand = l.business.brand;
  return [
    '',
    '--',
    brand.footer_text,
    brand.postal_address,
    render(mm('layout_why', { business: l.business.name }), lang),
    l.unsubscribeUrl ? `${render(mm('layout_unsubscribe'), lang)}: ${l.unsubscribeUrl}` : null,
    l.unsubscribeUrl && l.preferencesUrl ? `${render(mm('layout_preferences'), lang)}: ${l.preferencesUrl}` : null,
  ]
    .filter((x) => x !== null && x !== undefined)
    .join('\n');
}

const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2/gis;

/**
 * Rewrites the http(s) links of an HTML body through `trackedUrl(position)`; returns the new
 * HTML and the original URLs by position. Other links (mailto:, tel:, #) stay as they are.
 */
export function trackLinks(html: string, trackedUrl: (position: number) => string): { html: string; links: string[] } {
  const links: string[] = [];
  const out = html.replace(ANCHOR_HREF, (whole, start: string, quote: string, href: string) => {
    const url = decodeEntities(href.trim());
    if (!/^https?:\/\//i.test(url) || links.length >= 500) return whole;
    links.push(url);
    return `${start}${quote}${escapeHtml(trackedUrl(links.length - 1))}${quote}`;
  });
  return { html: out, links };
}

/** Adds the 1×1 open pixel at the end of the body. */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${escapeHtml(pixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  return html.includes('</body>') ? html.replace('</body>', `${img}\n</body>`) : `${html}${img}`;
}
