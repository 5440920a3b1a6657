import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import * as s from './schemas.js';
import * as service from './service.js';
import { shopifyWebhookRoutes } from './shopify.js';

/** Orders, a customer's orders, the product catalogue (DATA-6); and the Shopify webhook receiver. */
export async function commerceRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const tags = ['Orders'];

  app.get(
    '/api/v1/orders',
    {
      config: { permission: 'commerce:read' },
      schema: {
        tags,
        summary: 'Orders, newest first: filter by customer, status, source, time',
        querystring: s.ordersQuery,
        response: { 200: s.orderList, ...errorResponses },
      },
    },
    async (req) => service.listOrders(db, req.workspaceId as string, req.query),
  );

  app.get(
    '/api/v1/orders/:id',
    {
      config: { permission: 'commerce:read' },
      schema: {
        tags,
        summary: 'An order with its line items and refunds',
        params: s.idParams,
        response: { 200: s.orderDetail, ...errorResponses },
      },
    },
    async (req) => service.getOrderOrThrow(db, req.workspaceId as string, req.params.id),
  );

  app.get(
    '/api/v1/customers/:id/orders',
    {
      config: { permission: 'commerce:read' },
      schema: {
        tags,
        summary: "A customer's orders, newest first (a merged profile's are its survivor's)",
        params: s.idParams,
        querystring: s.customerOrdersQuery,
        response: { 200: s.orderList, ...errorResponses },
      },
    },
    async (req) => service.listCustomerOrders(db, req.workspaceId as string, req.params.id, req.query),
  );

  app.get(
    '/api/v1/products',
    {
      config: { permission: 'commerce:read' },
      schema: {
        tags: ['Products'],
        summary: 'The product catalogue, alphabetically; q searches name, SKU and id',
        querystring: s.productsQuery,
        response: { 200: s.productList, ...errorResponses },
      },
    },
    async (req) => service.listProducts(db, req.workspaceId as string, req.query),
  );

  app.get(
    '/api/v1/products/:id',
    {
      config: { permission: 'commerce:read' },
      schema: {
        tags: ['Products'],
        summary: 'A product, with how many orders and units it sold',
        params: s.idParams,
        response: { 200: s.productDetail, ...errorResponses },
      },
    },
    async (req) => service.getProductOrThrow(db, req.workspaceId as string, req.params.id),
  );

  // Its own encapsulated plugin: raw-body parsing for signature checks stays inside it.
  await app.register(shopifyWebhookRoutes, { ctx });
}
