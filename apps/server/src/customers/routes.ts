import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { recordAudit } from '../access/index.js';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import * as profiles from './profiles.js';
import * as views from './saved-views.js';
import * as s from './schemas.js';

const tags = ['Customers'];
const read = { permission: 'customers:read' } as const;

/** Profiles (search, 360, timeline, edits, merges, conflicts, bulk tags, CSV export) and companies. */
export async function customersRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  app.get(
    '/api/v1/customers',
    {
      config: read,
      schema: {
        tags,
        summary: 'Find customers: search, filter, sort, page',
        description:
          'Only live profiles (a merged profile answers through the one it was merged into). Pages are keyset-based: pass `nextCursor` back as `cursor` with the same filters and sort.',
        querystring: s.listQuery,
        response: { 200: s.customerList, ...errorResponses },
      },
    },
    async (req) => profiles.listCustomers(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/customers/export.csv',
    {
      config: read,
      schema: {
        tags,
        summary: 'Download the filtered list as CSV',
        description:
          'The same filters and sort as the list, every page of it, streamed (UTF-8 with a byte order mark; lists inside a cell separated by `;`). Each export is recorded in the audit log.',
        querystring: s.exportQuery,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      await recordAudit(db, {
        workspaceId: ws(req),
        actor: req.actor as NonNullable<typeof req.actor>,
        action: 'customer.export',
        targetType: 'customers',
        ip: req.ip,
        requestId: req.id,
        details: { query: req.query },
      });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="customers-${day}.csv"`)
        .send(Readable.from(profiles.exportCustomersCsv(db, ws(req), req.query)));
    },
  );

  app.get(
    '/api/v1/customers/lookup',
    {
      config: read,
      schema: {
        tags,
        summary: 'Find the customer that owns an identifier',
        description:
          'Exactly one of email, phone, userId, anonymousId or externalId (with namespace). Emails are matched lower-cased and phones in E.164, read in the workspace country when they have no country code, as ingestion stores them.',
        querystring: s.lookupQuery,
        response: { 200: s.customerSummary, ...errorResponses },
      },
    },
    async (req) => profiles.lookupCustomer(db, ws(req), req.query),
  );

  app.post(
    '/api/v1/customers',
    {
      config: { permission: 'customers:write', audit: 'customer.create' },
      schema: {
        tags,
        summary: 'Create a customer by hand',
        description: 'An email, phone or userId that already belongs to another profile answers 409 naming the field.',
        body: s.createBody,
        response: { 201: s.customer, ...errorResponses },
      },
    },
    async (req, reply) => {
      const id = await profiles.createCustomer(db, ws(req), req.body);
      return reply.status(201).send(await profiles.getCustomer360(db, ws(req), id));
    },
  );

  app.post(
    '/api/v1/customers/bulk-tag',
    {
      config: { permission: 'customers:write', audit: 'customer.bulk_tag' },
      schema: {
        tags,
        summary: 'Add and remove tags on up to 1,000 customers',
        body: s.bulkTagBody,
        response: { 200: s.bulkTagResult, ...errorResponses },
      },
    },
    async (req) => profiles.bulkTagCustomers(db, ws(req), req.body),
  );

  // ── saved views ──

  app.get(
    '/api/v1/customers/views',
    {
      config: read,
      schema: {
        tags,
        summary: 'Saved views of the customers list',
        description:
          "A view is a named set of the list's filters, a sort and the columns shown, shared by the workspace.",
        response: { 200: s.customerViewList, ...errorResponses },
      },
    },
    async (req) => views.listCustomerViews(db, ws(req)),
  );

  app.post(
    '/api/v1/customers/views',
    {
      config: { permission: 'customers:write', audit: 'customer_view.create' },
      schema: {
        tags,
        summary: 'Save a view of the customers list',
        description: 'The name must be new in the workspace (case does not matter): 409 `name_taken` otherwise.',
        body: s.createViewBody,
        response: { 201: s.customerView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const by = req.actor?.type === 'user' ? req.actor.userId : null;
      return reply.status(201).send(await views.createCustomerView(db, ws(req), req.body, by));
    },
  );

  app.patch(
    '/api/v1/customers/views/:id',
    {
      config: { permission: 'customers:write', audit: 'customer_view.update' },
      schema: {
        tags,
        summary: 'Rename a saved view or change its filters, sort or columns',
        params: s.idParams,
        body: s.updateViewBody,
        response: { 200: s.customerView, ...errorResponses },
      },
    },
    async (req) => views.updateCustomerView(db, ws(req), req.params.id, req.body),
  );

  app.delete(
    '/api/v1/customers/views/:id',
    {
      config: { permission: 'customers:write', audit: 'customer_view.delete' },
      schema: {
        tags,
        summary: 'Delete a saved view',
        params: s.idParams,
      },
    },
    async (req, reply) => {
      await views.deleteCustomerView(db, ws(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/customers/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One customer: the 360 view',
        description:
          'Traits, identifiers, merge history, open identity conflicts, facts, tags, notes, owner, companies and the latest timeline. The id of a merged profile answers with the profile it was merged into (`mergedFrom` says so).',
        params: s.idParams,
        response: { 200: s.customer, ...errorResponses },
      },
    },
    async (req) => profiles.getCustomer360(db, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/customers/:id/timeline',
    {
      config: read,
      schema: {
        tags,
        summary: "A customer's timeline across channels, newest first",
        params: s.idParams,
        querystring: s.timelineQuery,
        response: { 200: s.timeline, ...errorResponses },
      },
    },
    async (req) => profiles.customerTimeline(db, ws(req), req.params.id, req.query),
  );

  app.patch(
    '/api/v1/customers/:id',
    {
      config: { permission: 'customers:write', audit: 'customer.update' },
      schema: {
        tags,
        summary: "Edit a customer's traits, tags, notes or owner",
        description:
          'Traits are set as of now (a null value removes the trait); `tags` replaces every tag, `addTags`/`removeTags` change some; `ownerUserId` must be a member of the workspace.',
        params: s.idParams,
        body: s.updateBody,
        response: { 200: s.customer, ...errorResponses },
      },
    },
    async (req) => {
      const id = await profiles.updateCustomerProfile(db, ws(req), req.params.id, req.body);
      return profiles.getCustomer360(db, ws(req), id);
    },
  );

  app.post(
    '/api/v1/customers/:id/merge',
    {
      config: { permission: 'customers:write', audit: 'customer.merge' },
      schema: {
        tags,
        summary: 'Merge another customer into this one',
        description:
          "`customerId`'s identifiers, traits (each trait's latest value), tags, facts, events and orders move here; it becomes a pointer to this profile. Open conflicts between the two are closed as merged.",
        params: s.idParams,
        body: s.mergeBody,
        response: { 200: s.customer, ...errorResponses },
      },
    },
    async (req) => {
      const id = await profiles.mergeCustomersByHand(db, ws(req), req.params.id, req.body.customerId, {
        reason: req.body.reason,
        actor: profiles.mergeActor(req.actor),
      });
      return profiles.getCustomer360(db, ws(req), id);
    },
  );

  app.post(
    '/api/v1/customers/:id/conflicts/:conflictId/dismiss',
    {
      config: { permission: 'customers:write', audit: 'customer.conflict_dismiss' },
      schema: {
        tags,
        summary: 'Dismiss an identity conflict: the two profiles stay apart',
        params: s.conflictParams,
        response: { 200: s.conflict, ...errorResponses },
      },
    },
    async (req) => profiles.dismissConflict(db, ws(req), req.params.id, req.params.conflictId),
  );

  // ── companies ──

  app.get(
    '/api/v1/companies',
    {
      config: read,
      schema: {
        tags,
        summary: 'Companies (from group calls), newest first',
        querystring: s.companiesQuery,
        response: { 200: s.companyList, ...errorResponses },
      },
    },
    async (req) => profiles.listCompanies(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/companies/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A company and its people',
        params: s.idParams,
        response: { 200: s.companyDetail, ...errorResponses },
      },
    },
    async (req) => profiles.getCompany(db, ws(req), req.params.id),
  );
}
