import { defineMessages } from '../platform/messages.js';

/** What predictions tell a person, in English and Spanish (see platform/messages.ts). */
export const prm = defineMessages('predict', {
  no_model: {
    en: 'No model yet: run predictions once the workspace has orders',
    es: 'Todavía no hay modelo: ejecuta las predicciones cuando el espacio tenga pedidos',
  },
  no_orders: {
    en: 'the workspace has no orders with a customer yet: import orders or connect a shop first',
    es: 'el espacio aún no tiene pedidos con cliente: importa pedidos o conecta una tienda primero',
  },
  calibration_end_range: {
    en: 'calibrationEnd: must fall between the first order ({first}) and today ({today})',
    es: 'calibrationEnd: debe estar entre el primer pedido ({first}) y hoy ({today})',
  },
  customer_not_found: { en: 'Customer not found', es: 'No se encontró el cliente' },
  product_not_found: { en: 'Product not found', es: 'No se encontró el producto' },
  // The churn model's features, as the owner reads them next to a score.
  f_days_since_last_order: { en: 'Days since the last order', es: 'Días desde el último pedido' },
  f_orders: { en: 'Orders placed', es: 'Pedidos realizados' },
  f_tenure_days: { en: 'Days since the first order', es: 'Días desde el primer pedido' },
  f_avg_order_value: { en: 'Average order value', es: 'Valor medio del pedido' },
  f_avg_gap_days: { en: 'Usual days between orders', es: 'Días habituales entre pedidos' },
  f_overdue_ratio: {
    en: 'Time since the last order compared with their usual gap',
    es: 'Tiempo desde el último pedido comparado con su intervalo habitual',
  },
  f_refund_share: { en: 'Share of spend refunded', es: 'Parte del gasto reembolsada' },
  f_channels: { en: 'Channels bought through', es: 'Canales de compra' },
  f_events_90d: { en: 'Activity in the last 90 days (events)', es: 'Actividad en los últimos 90 días (eventos)' },
  f_days_since_last_event: { en: 'Days since the last activity', es: 'Días desde la última actividad' },
  f_p_alive: {
    en: 'Probability of still being a customer (BG/NBD)',
    es: 'Probabilidad de seguir siendo cliente (BG/NBD)',
  },
  f_acquisition_channel: { en: 'Acquisition channel', es: 'Canal de adquisición' },
  // The CLV's inputs, shown as its "why".
  f_repeat_purchases: { en: 'Repeat purchases', es: 'Compras repetidas' },
  f_weeks_since_last_purchase: { en: 'Weeks since the last purchase', es: 'Semanas desde la última compra' },
  f_weeks_as_customer: { en: 'Weeks as a customer', es: 'Semanas como cliente' },
  f_average_repeat_spend: { en: 'Average spend of repeat purchases', es: 'Gasto medio de las compras repetidas' },
});
