import { z } from 'zod';
import { english } from '../platform/messages.js';
import { om } from './messages.js';
import { ORDER_STATUSES } from './service.js';

const iso = z.string().describe('ISO 8601 time');
const money = z.number().describe('An amount in `currency`, rounded to cents');
const date = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), english(om('iso_date')));
const limit = z.coerce.number().int().min(1).max(200).optional().describe('Page size (default 50)');
const cursor = z.string().max(500).optional().describe('The `nextCursor` of the previous page');

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

export const orderStatus = z.enum(ORDER_STATUSES);

export const ordersQuery = z.strictObject({
  customerId: z.string().min(1).max(100).optional().describe("Only this profile's orders"),
  status: orderStatus.optional(),
  sourceId: z.string().min(1).max(100).optional().describe('Only orders from this source'),
  from: date.optional().describe('Placed at or after this time'),
  to: date.optional().describe('Placed before this time'),
  limit,
  cursor,
});
export const customerOrdersQuery = z.strictObject({ status: orderStatus.optional(), limit, cursor });
export const productsQuery = z.strictObject({
  q: z.string().trim().min(1).max(200).optional().describe('A fragment of the name, SKU or product id'),
  limit,
  cursor,
});

export const order = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    channel: z.string(),
    externalId: z.string().describe('The order id where it was placed (event order_id, Shopify id, invoice number)'),
    number: z.string().nullable(),
    customerId: z.string().nullable().describe('Null for a guest order'),
    status: orderStatus,
    currency: z.string(),
    subtotal: money.nullable(),
    tax: money.nullable(),
    shipping: money.nullable(),
    discount: money.nullable(),
    total: money,
    refundedAmount: money,
    netTotal: money.describe('total − refundedAmount (0 when cancelled)'),
    coupon: z.string().nullable(),
    placedAt: iso,
    cancelledAt: iso.nullable(),
    refundedAt: iso.nullable(),
    createdAt: iso,
    updatedAt: iso,
  })
  .meta({ id: 'Order' });

export const orderList = z
  .object({
    data: z.array(order),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'OrderList' });

export const orderItem = z
  .object({
    position: z.number(),
    productId: z.string().nullable(),
    sku: z.string().nullable(),
    name: z.string().nullable(),
    quantity: z.number(),
    unitPrice: z.number().nullable(),
    currency: z.string(),
    total: money.nullable(),
  })
  .meta({ id: 'OrderItem' });

export const refund = z
  .object({
    id: z.string(),
    amount: money.nullable().describe('Null: the whole order'),
    currency: z.string(),
    reason: z.string().nullable(),
    refundedAt: iso,
    eventId: z.string().nullable(),
  })
  .meta({ id: 'Refund' });

export const orderDetail = order
  .extend({ items: z.array(orderItem), refunds: z.array(refund) })
  .meta({ id: 'OrderDetail' });

export const product = z
  .object({
    id: z.string(),
    externalId: z.string().describe('The product id of the business (else its SKU)'),
    sku: z.string().nullable(),
    name: z.string().nullable(),
    category: z.string().nullable(),
    brand: z.string().nullable(),
    variant: z.string().nullable(),
    price: z.number().nullable(),
    currency: z.string().nullable(),
    url: z.string().nullable(),
    imageUrl: z.string().nullable(),
    firstSeenAt: iso,
    lastSeenAt: iso,
  })
  .meta({ id: 'Product' });

export const productList = z
  .object({ data: z.array(product), nextCursor: z.string().nullable() })
  .meta({ id: 'ProductList' });

export const productDetail = product
  .extend({
    sales: z.object({
      orders: z.number().describe('Orders (not cancelled) with this product'),
      units: z.number().describe('Units sold in them'),
    }),
  })
  .meta({ id: 'ProductDetail' });
