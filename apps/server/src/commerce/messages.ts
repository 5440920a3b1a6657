import { defineMessages } from '../platform/messages.js';

/** What commerce tells a person, in English and Spanish (see platform/messages.ts). */
export const om = defineMessages('commerce', {
  iso_date: { en: 'must be an ISO 8601 date or time', es: 'debe ser una fecha u hora ISO 8601' },
  not_a_date: { en: '{field}: not a date', es: '{field}: no es una fecha' },
  order_not_found: { en: 'Order not found', es: 'No se encontró el pedido' },
  product_not_found: { en: 'Product not found', es: 'No se encontró el producto' },
  order_no_id: { en: 'The order has no id', es: 'El pedido no tiene id' },
  refund_no_id: { en: 'The refund has no id', es: 'El reembolso no tiene id' },
  refund_no_order: { en: 'The refund has no order_id', es: 'El reembolso no tiene order_id' },
  source_not_found: { en: 'Source not found', es: 'No se encontró la fuente' },
  no_webhook_secret: {
    en: 'This source has no webhook secret: set webhookSecret on it (PATCH /api/v1/sources/{sourceId}) to the signing secret Shopify shows for your webhooks',
    es: 'Esta fuente no tiene secreto de webhook: pon en webhookSecret (PATCH /api/v1/sources/{sourceId}) el secreto de firma que Shopify muestra para tus webhooks',
  },
  bad_signature: {
    en: 'Missing or wrong X-Shopify-Hmac-Sha256 signature',
    es: 'Falta la firma X-Shopify-Hmac-Sha256 o no es correcta',
  },
});
