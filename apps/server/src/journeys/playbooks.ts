/**
 * Playbooks (AUT-2): ready-made journeys with sensible defaults. Installing one creates its email
 * templates (English and Spanish; a template the workspace already has under the same key is
 * kept as it is) and the journey as a draft, to look over and publish. Waits that depend on the
 * business (the usual reorder interval, when a customer is at risk or lapsed) are taken from its
 * own lifecycle thresholds at install time (analytics: derived from its inter-purchase times).
 */
import { getThresholds, type Thresholds } from '../analytics/index.js';
import { saveTemplate, templateExists } from '../messaging/index.js';
import type { Db } from '../platform/db.js';
import { NotFoundError } from '../platform/errors.js';
import type { DefinitionInput } from './definition.js';
import { jm } from './messages.js';
import { createJourney } from './service.js';

interface Variant {
  subject: string;
  html: string;
}
interface Playbook {
  key: string;
  name: { en: string; es: string };
  description: { en: string; es: string };
  templates: { key: string; name: string; en: Variant; es: Variant }[];
  definition: (t: Thresholds) => DefinitionInput;
}

const hello = (en: string, es: string) => ({
  en: `<p>Hi {{ customer.first_name | default: "there" }},</p>${en}<p>— {{ business.name }}</p>`,
  es: `<p>Hola {{ customer.first_name | default: "" }}:</p>${es}<p>— {{ business.name }}</p>`,
});

function template(key: string, name: string, subject: { en: string; es: string }, body: { en: string; es: string }) {
  const h = hello(body.en, body.es);
  return { key, name, en: { subject: subject.en, html: h.en }, es: { subject: subject.es, html: h.es } };
}

const ORDER = 'Order Completed';

export const PLAYBOOKS: Playbook[] = [
  {
    key: 'welcome',
    name: { en: 'Welcome series', es: 'Serie de bienvenida' },
    description: {
      en: 'Three emails over a week from the moment a customer is first identified; stops when they order.',
      es: 'Tres emails durante una semana desde que se identifica al cliente; se detiene cuando compra.',
    },
    templates: [
      template(
        'welcome-1',
        'Welcome 1: hello',
        { en: 'Welcome to {{ business.name }}', es: 'Bienvenido a {{ business.name }}' },
        {
          en: '<p>Thanks for joining us. Here is what we do best.</p>',
          es: '<p>Gracias por unirte. Esto es lo que mejor hacemos.</p>',
        },
      ),
      template(
        'welcome-2',
        'Welcome 2: our favourites',
        { en: 'Our customers’ favourites', es: 'Los favoritos de nuestros clientes' },
        {
          en: '<p>These are the products people come back for.</p>',
          es: '<p>Estos son los productos por los que la gente vuelve.</p>',
        },
      ),
      template(
        'welcome-3',
        'Welcome 3: a first-order offer',
        { en: 'A little something for your first order', es: 'Un detalle para tu primer pedido' },
        {
          en: '<p>Use code WELCOME10 for 10% off your first order.</p>',
          es: '<p>Usa el código WELCOME10 para un 10% de descuento en tu primer pedido.</p>',
        },
      ),
    ],
    definition: () => ({
      trigger: { type: 'event', event: '$identify' },
      entry: { mode: 'once' },
      goal: { event: ORDER, withinDays: 14 },
      start: 'email1',
      nodes: {
        email1: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'welcome-1', next: 'wait1' },
        wait1: { type: 'wait', for: { amount: 2, unit: 'days' }, next: 'email2' },
        email2: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'welcome-2', next: 'wait2' },
        wait2: { type: 'wait', for: { amount: 5, unit: 'days' }, next: 'email3' },
        email3: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'welcome-3' },
      },
    }),
  },
  {
    key: 'abandoned_cart',
    name: { en: 'Abandoned cart', es: 'Carrito abandonado' },
    description: {
      en: 'A reminder when a checkout is started and no order follows within 2 hours.',
      es: 'Un recordatorio cuando se inicia un pago y no llega un pedido en 2 horas.',
    },
    templates: [
      template(
        'abandoned-cart',
        'Abandoned cart reminder',
        { en: 'You left something behind', es: 'Te dejaste algo' },
        {
          en: '<p>Your basket is waiting for you.</p>',
          es: '<p>Tu cesta te está esperando.</p>',
        },
      ),
    ],
    definition: () => ({
      trigger: { type: 'event', event: 'Checkout Started' },
      entry: { mode: 'every_time' },
      goal: { event: ORDER, withinDays: 7 },
      start: 'wait_order',
      nodes: {
        wait_order: {
          type: 'wait_for_event',
          event: ORDER,
          timeout: { amount: 2, unit: 'hours' },
          next: 'ordered',
          timeoutNext: 'reminder',
        },
        ordered: { type: 'exit', label: 'Ordered' },
        reminder: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'abandoned-cart' },
      },
    }),
  },
  {
    key: 'birthday',
    name: { en: 'Birthday offer', es: 'Oferta de cumpleaños' },
    description: {
      en: 'An offer three days before the birthday, at 09:00 in the customer’s time zone.',
      es: 'Una oferta tres días antes del cumpleaños, a las 09:00 en la zona horaria del cliente.',
    },
    templates: [
      template(
        'birthday-offer',
        'Birthday offer',
        { en: 'A birthday treat from us', es: 'Un regalo de cumpleaños' },
        {
          en: '<p>Your birthday is coming up: enjoy 15% off with code BDAY15.</p>',
          es: '<p>Se acerca tu cumpleaños: disfruta de un 15% de descuento con el código BDAY15.</p>',
        },
      ),
    ],
    definition: () => ({
      trigger: { type: 'date', trait: 'birthday', offsetDays: -3, yearly: true, at: '09:00' },
      entry: { mode: 'every_time' },
      start: 'offer',
      nodes: { offer: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'birthday-offer' } },
    }),
  },
  {
    key: 'post_purchase',
    name: { en: 'Thank you and review request', es: 'Agradecimiento y petición de reseña' },
    description: {
      en: 'A thank-you the day after an order, and a review request a week later.',
      es: 'Un agradecimiento el día después del pedido y una petición de reseña una semana más tarde.',
    },
    templates: [
      template(
        'thank-you',
        'Thank you for your order',
        { en: 'Thank you for your order', es: 'Gracias por tu pedido' },
        {
          en: '<p>We hope you enjoy it.</p>',
          es: '<p>Esperamos que lo disfrutes.</p>',
        },
      ),
      template(
        'review-request',
        'Review request',
        { en: 'How did we do?', es: '¿Qué tal lo hicimos?' },
        {
          en: '<p>Would you tell others what you thought? It takes a minute.</p>',
          es: '<p>¿Nos cuentas qué te pareció? Es solo un minuto.</p>',
        },
      ),
    ],
    definition: () => ({
      trigger: { type: 'event', event: ORDER },
      entry: { mode: 'every_time' },
      start: 'wait1',
      nodes: {
        wait1: { type: 'wait', for: { amount: 1, unit: 'days' }, untilTime: '10:00', next: 'thanks' },
        thanks: { type: 'send', channel: 'email', purpose: 'transactional', templateKey: 'thank-you', next: 'wait2' },
        wait2: { type: 'wait', for: { amount: 7, unit: 'days' }, next: 'review' },
        review: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'review-request' },
      },
    }),
  },
  {
    key: 'replenishment',
    name: { en: 'Replenishment reminder', es: 'Recordatorio de reposición' },
    description: {
      en: 'A reminder when the customer’s usual time between two orders has passed without a new one.',
      es: 'Un recordatorio cuando pasa el tiempo habitual del cliente entre dos pedidos sin uno nuevo.',
    },
    templates: [
      template(
        'replenish',
        'Time to stock up',
        { en: 'Running low?', es: '¿Se te está acabando?' },
        {
          en: '<p>It has been a while since your last order: time to stock up?</p>',
          es: '<p>Ha pasado un tiempo desde tu último pedido: ¿es hora de reponer?</p>',
        },
      ),
    ],
    definition: () => ({
      trigger: { type: 'event', event: ORDER },
      entry: { mode: 'every_time' },
      // The next order ends it (and starts it again from that order).
      goal: { event: ORDER, withinDays: 365 },
      start: 'interval',
      nodes: {
        interval: {
          type: 'wait',
          label: 'The customer’s usual time between orders',
          reorderInterval: true,
          untilTime: '10:00',
          next: 'remind',
        },
        remind: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'replenish' },
      },
    }),
  },
  {
    key: 're_engagement',
    name: { en: 'Re-engage lapsed customers', es: 'Recuperar clientes inactivos' },
    description: {
      en: 'When a customer has not ordered for as long as the business calls lapsed: a “we miss you” email.',
      es: 'Cuando un cliente lleva sin comprar el tiempo que el negocio considera inactivo: un email de “te echamos de menos”.',
    },
    templates: [
      template(
        'we-miss-you',
        'We miss you',
        { en: 'We miss you', es: 'Te echamos de menos' },
        {
          en: '<p>It has been a while. Here is what is new.</p>',
          es: '<p>Hace tiempo que no te vemos. Esto es lo nuevo.</p>',
        },
      ),
    ],
    definition: (t) => ({
      trigger: { type: 'inactivity', event: ORDER, days: t.lapsedDays },
      entry: { mode: 'again_after', days: 365 },
      goal: { event: ORDER, withinDays: 30 },
      start: 'miss',
      nodes: { miss: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'we-miss-you' } },
    }),
  },
  {
    key: 'win_back',
    name: { en: 'Win back at-risk customers', es: 'Recuperar clientes en riesgo' },
    description: {
      en: 'When a customer becomes at risk: an offer, and a last reminder a week later if they have not ordered.',
      es: 'Cuando un cliente pasa a estar en riesgo: una oferta y un último recordatorio una semana después si no ha comprado.',
    },
    templates: [
      template(
        'win-back',
        'Win-back offer',
        { en: 'Come back for 10% off', es: 'Vuelve con un 10% de descuento' },
        {
          en: '<p>We would love to see you again: code BACK10 gives you 10% off.</p>',
          es: '<p>Nos encantaría volver a verte: el código BACK10 te da un 10% de descuento.</p>',
        },
      ),
      template(
        'win-back-last',
        'Win-back last call',
        { en: 'Last chance: 10% off', es: 'Última oportunidad: 10% de descuento' },
        {
          en: '<p>Your code BACK10 ends soon.</p>',
          es: '<p>Tu código BACK10 caduca pronto.</p>',
        },
      ),
    ],
    definition: (t) => ({
      trigger: { type: 'inactivity', event: ORDER, days: t.atRiskDays },
      entry: { mode: 'again_after', days: 180 },
      goal: { event: ORDER, withinDays: 30 },
      holdoutPercent: 10,
      start: 'offer',
      nodes: {
        offer: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'win-back', next: 'wait' },
        wait: { type: 'wait', for: { amount: 7, unit: 'days' }, next: 'last' },
        last: { type: 'send', channel: 'email', purpose: 'marketing', templateKey: 'win-back-last' },
      },
    }),
  },
];

export function listPlaybooks(language: 'en' | 'es' = 'en') {
  return {
    items: PLAYBOOKS.map((p) => ({
      key: p.key,
      name: p.name[language],
      description: p.description[language],
      templates: p.templates.map((t) => t.key),
    })),
  };
}

/** Installs a playbook: its templates (unless the workspace has them) and the journey as a draft. */
export async function installPlaybook(
  db: Db,
  workspaceId: string,
  key: string,
  opts: { name?: string; language?: 'en' | 'es'; by: string | null },
) {
  const p = PLAYBOOKS.find((x) => x.key === key);
  if (!p) throw new NotFoundError(jm('playbook_not_found', { key }), 'key');
  for (const t of p.templates) {
    if (await templateExists(db, workspaceId, t.key)) continue;
    await saveTemplate(db, workspaceId, { key: t.key, name: t.name, variants: { en: t.en, es: t.es } });
  }
  const thresholds = await getThresholds(db, workspaceId);
  return createJourney(
    db,
    workspaceId,
    {
      name: opts.name ?? p.name[opts.language ?? 'en'],
      description: p.description[opts.language ?? 'en'],
      definition: p.definition(thresholds),
      playbook: p.key,
    },
    opts.by,
  );
}
