/**
 * Email templates over the API (AUT-3): list, read, save (each save is a new version; messages
 * keep the version they were made with), and a preview of every language variant in the brand
 * layout, for a real customer or a sample one — what the template editor shows live.
 */
import { getWorkspaceOrThrow } from '../access/index.js';
import { getCustomerOrThrow } from '../customers/index.js';
import type { Db } from '../platform/db.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { templateRecommendations } from '../predict/index.js';
import { mm } from './messages.js';
import { checkVariant, renderVariant, type TemplateScope, textFromHtml, wrapInLayout } from './render.js';
import * as repo from './repository.js';
import { businessOf, saveTemplate, smtpServerOf } from './service.js';
import { classifySmtpError, failureMessage, sendMail } from './smtp.js';

export async function listTemplateViews(db: Db, workspaceId: string) {
  const rows = await repo.listTemplates(db, workspaceId);
  return {
    items: rows.map((t) => ({
      key: t.key,
      name: t.name,
      channel: t.channel,
      version: t.version,
      updatedAt: new Date(t.updated_at).toISOString(),
    })),
  };
}

export async function getTemplate(db: Db, workspaceId: string, key: string) {
  const t = await repo.findTemplateByKey(db, workspaceId, key);
  if (!t) throw new NotFoundError(mm('template_not_found', { key }), 'key');
  const v = await repo.findTemplateVersion(db, workspaceId, t.id, t.version);
  return {
    key: t.key,
    name: t.name,
    channel: t.channel,
    version: t.version,
    updatedAt: new Date(t.updated_at).toISOString(),
    variants: (v?.variants ?? {}) as repo.Variants,
  };
}

/** A new template; 409 when the key is taken. */
export async function createTemplate(
  db: Db,
  workspaceId: string,
  body: { key: string; name?: string; variants: repo.Variants },
) {
  if (await repo.findTemplateByKey(db, workspaceId, body.key))
    throw new ConflictError('template_exists', mm('template_exists', { key: body.key }), 'key');
  await saveTemplate(db, workspaceId, { key: body.key, name: body.name, variants: body.variants });
  return getTemplate(db, workspaceId, body.key);
}

/** A new version of an existing template. */
export async function putTemplate(
  db: Db,
  workspaceId: string,
  key: string,
  body: { name?: string; variants: repo.Variants },
) {
  await getTemplate(db, workspaceId, key);
  await saveTemplate(db, workspaceId, { key, name: body.name, variants: body.variants });
  return getTemplate(db, workspaceId, key);
}

const SAMPLE = {
  id: 'cus_sample',
  email: 'ana@example.com',
  first_name: 'Ana',
  last_name: 'García',
  name: 'Ana García',
  phone: null,
  locale: null,
  tags: [],
  traits: { first_name: 'Ana', last_name: 'García' },
};

/**
 * Renders each variant (or the saved template's) as the customer (a sample one without an id)
 * would get it: subject, the HTML in the brand layout, the plain text. A Liquid error is a 400
 * naming the variant and part.
 */
export async function previewTemplate(
  db: Db,
  workspaceId: string,
  body: { variants?: repo.Variants; key?: string; customerId?: string; purpose?: 'marketing' | 'transactional' },
) {
  const variants = body.variants ?? (body.key ? (await getTemplate(db, workspaceId, body.key)).variants : undefined);
  if (!variants || !Object.keys(variants).length)
    throw new UserError(400, 'invalid_request', mm('template_or_content'), 'variants');
  const workspace = await getWorkspaceOrThrow(db, workspaceId);
  const business = businessOf(workspace.name, await repo.findSettings(db, workspaceId));
  let customer: TemplateScope['customer'] = SAMPLE;
  if (body.customerId) {
    const c = await getCustomerOrThrow(db, workspaceId, body.customerId);
    const traits = (c.traits ?? {}) as Record<string, unknown>;
    customer = {
      id: c.id,
      email: c.email,
      first_name: c.first_name,
      last_name: c.last_name,
      name: [c.first_name, c.last_name].filter(Boolean).join(' ') || null,
      phone: c.phone,
      locale: typeof traits.locale === 'string' ? traits.locale : null,
      tags: c.tags ?? [],
      traits,
    };
  }
  const scope: TemplateScope = {
    customer,
    last_order: null,
    business,
    unsubscribe_url: '#unsubscribe',
    preferences_url: '#preferences',
    confirm_url: '#confirm',
    recommendations: body.customerId ? await templateRecommendations(db, workspaceId, customer.id) : [],
    data: {},
  };
  const marketing = (body.purpose ?? 'marketing') === 'marketing';
  const out = [];
  for (const [locale, v] of Object.entries(variants)) {
    let rendered: Awaited<ReturnType<typeof renderVariant>>;
    try {
      checkVariant(v);
      rendered = await renderVariant(v, scope);
    } catch (err) {
      const field = `variants.${locale}`;
      throw new UserError(
        400,
        'template_invalid',
        mm('template_invalid', { field, reason: (err as Error).message }),
        field,
      );
    }
    const layout = {
      language: locale,
      business,
      unsubscribeUrl: marketing ? '#unsubscribe' : null,
      preferencesUrl: marketing ? '#preferences' : null,
    };
    const html = wrapInLayout({ ...layout, body: rendered.html, subject: rendered.subject });
    out.push({ locale, subject: rendered.subject, html, text: rendered.text ?? textFromHtml(html) });
  }
  return { items: out };
}

/**
 * Sends one language of a template (or content) to a person on the team, rendered for a
 * customer or the sample one, marked "[Test]": no message record, no tracking. SMTP failures are
 * 502 like the settings test.
 */
export async function sendTemplateTest(
  db: Db,
  secret: string,
  workspaceId: string,
  body: {
    to: string;
    variants?: repo.Variants;
    key?: string;
    locale?: string;
    customerId?: string;
    purpose?: 'marketing' | 'transactional';
  },
) {
  const { items } = await previewTemplate(db, workspaceId, body);
  const pick = items.find((i) => i.locale === body.locale) ?? items.find((i) => i.locale === 'en') ?? items[0];
  if (!pick) throw new UserError(400, 'invalid_request', mm('template_or_content'), 'variants');
  const { settings, server } = await smtpServerOf(db, secret, workspaceId);
  try {
    const sent = await sendMail(server, {
      from: { name: settings.from_name, address: settings.from_address },
      replyTo: settings.reply_to,
      to: body.to,
      subject: `[Test] ${pick.subject}`,
      html: pick.html,
      text: pick.text,
      messageId: `<test-${Date.now()}@${settings.from_address.split('@')[1] ?? 'kith.local'}>`,
      headers: {},
    });
    return { sent: true as const, to: body.to, locale: pick.locale, messageId: sent.messageId };
  } catch (err) {
    const failure = classifySmtpError(err);
    throw new UserError(502, `smtp_${failure.kind}`, failureMessage(failure, server), undefined, {
      responseCode: failure.responseCode,
    });
  }
}
