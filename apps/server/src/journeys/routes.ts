import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { UserError } from '../platform/errors.js';
import { errorResponses, requestLanguage } from '../platform/http.js';
import { type Language, translateEnglish } from '../platform/messages.js';
import { jm } from './messages.js';
import { installPlaybook, listPlaybooks } from './playbooks.js';
import * as s from './schemas.js';
import * as service from './service.js';
import { getJourneySettings, saveJourneySettings } from './settings.js';

const tags = ['Journeys'];

type Issue = { path: string; node: string | null; message: string };
/** A definition's problems in the caller's language (they are catalog texts, written in English). */
const localized = (issues: Issue[], language: Language) =>
  issues.map((i) => ({ ...i, message: translateEnglish(i.message, language) ?? i.message }));
const inLanguage = <J extends { issues: Issue[] }>(j: J, language: Language): J => ({
  ...j,
  issues: localized(j.issues, language),
});
/** A refused publish, its problems in the caller's language. */
async function withLocalizedIssues<T>(language: Language, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const details = err instanceof UserError ? (err.details as { issues?: Issue[] } | undefined) : undefined;
    if (err instanceof UserError && details?.issues) {
      const issues = localized(details.issues, language);
      const first = issues[0] as Issue;
      const message = jm('invalid_definition', { count: issues.length, path: first.path, message: first.message });
      throw new UserError(err.status, err.code, message, err.field, { issues });
    }
    throw err;
  }
}
const read = { permission: 'journeys:read' } as const;
const write = (audit: string) => ({ permission: 'journeys:write', audit }) as const;

/** Journeys, their versions, analytics and simulation; playbooks; sending rules; tasks (AUT-1, AUT-2). */
export async function journeysRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;
  const by = (req: { actor?: { type: string; userId?: string; keyId?: string } | null }) =>
    req.actor?.type === 'user'
      ? (req.actor.userId ?? null)
      : req.actor?.type === 'api_key'
        ? (req.actor.keyId ?? null)
        : null;

  app.get(
    '/api/v1/journeys',
    {
      config: read,
      schema: { tags, summary: 'Every journey, archived last', response: { 200: s.journeyList, ...errorResponses } },
    },
    async (req) => {
      const r = await service.listJourneys(db, ws(req));
      return { items: r.items.map((j) => inLanguage(j, requestLanguage(req))) };
    },
  );

  app.post(
    '/api/v1/journeys',
    {
      config: write('journey.create'),
      schema: {
        tags,
        summary: 'Create a journey as a draft (a blank one when no definition is given)',
        body: s.createBody,
        response: { 201: s.journey, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await service.createJourney(db, ws(req), req.body, by(req as never))),
  );

  app.post(
    '/api/v1/journeys/validate',
    {
      config: { ...read, audit: false },
      schema: {
        tags,
        summary: 'Check a definition without saving it: every problem with its node',
        body: s.validateBody,
        response: { 200: s.validation, ...errorResponses },
      },
    },
    async (req) => {
      const r = await service.validateDefinition(db, ws(req), req.body.definition);
      return { ...r, issues: localized(r.issues, requestLanguage(req)) };
    },
  );

  app.get(
    '/api/v1/journeys/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One journey with its draft',
        params: s.idParams,
        response: { 200: s.journey, ...errorResponses },
      },
    },
    async (req) =>
      inLanguage(
        service.journeyView(await service.getJourneyOrThrow(db, ws(req), req.params.id)),
        requestLanguage(req),
      ),
  );

  app.patch(
    '/api/v1/journeys/:id',
    {
      config: write('journey.update'),
      schema: {
        tags,
        summary: 'Rename it or edit its draft (nobody inside is affected until it is published)',
        params: s.idParams,
        body: s.updateBody,
        response: { 200: s.journey, ...errorResponses },
      },
    },
    async (req) => inLanguage(await service.updateJourney(db, ws(req), req.params.id, req.body), requestLanguage(req)),
  );

  app.delete(
    '/api/v1/journeys/:id',
    {
      config: write('journey.delete'),
      schema: { tags, summary: 'Delete a journey never published (archive a published one)', params: s.idParams },
    },
    async (req, reply) => {
      await service.deleteJourney(db, ws(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/journeys/:id/publish',
    {
      config: write('journey.publish'),
      schema: {
        tags,
        summary: 'Publish the draft as a new version and switch the journey on',
        description:
          'Customers inside keep the version they entered; new entrants take this one. A draft with problems is refused: 400 `invalid_definition` with `details.issues`, each with its path and node.',
        params: s.idParams,
        response: { 200: s.journey, ...errorResponses },
      },
    },
    async (req) =>
      withLocalizedIssues(requestLanguage(req), () =>
        service.publishJourney(db, ws(req), req.params.id, by(req as never)),
      ),
  );

  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    app.post(
      `/api/v1/journeys/:id/${action}`,
      {
        config: write(`journey.${action}`),
        schema: {
          tags,
          summary:
            action === 'pause'
              ? 'Pause: nobody enters or moves; waits keep their time and resume when it is switched back on'
              : 'Switch a paused journey back on',
          params: s.idParams,
          response: { 200: s.journey, ...errorResponses },
        },
      },
      async (req) => service.setJourneyStatus(db, ws(req), req.params.id, status),
    );
  }

  app.post(
    '/api/v1/journeys/:id/archive',
    {
      config: write('journey.archive'),
      schema: {
        tags,
        summary: 'Archive: everyone inside leaves; the journey stays for its analytics',
        params: s.idParams,
        response: { 200: s.journey, ...errorResponses },
      },
    },
    async (req) => service.archiveJourney(db, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/journeys/:id/versions',
    {
      config: read,
      schema: {
        tags,
        summary: 'Published versions, newest first',
        params: s.idParams,
        response: { 200: s.versionList, ...errorResponses },
      },
    },
    async (req) => service.listVersions(db, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/journeys/:id/versions/:version',
    {
      config: read,
      schema: {
        tags,
        summary: 'One published version',
        params: s.versionParams,
        response: { 200: s.version, ...errorResponses },
      },
    },
    async (req) => service.getVersion(db, ws(req), req.params.id, req.params.version),
  );

  app.get(
    '/api/v1/journeys/:id/stats',
    {
      config: read,
      schema: {
        tags,
        summary: 'Per step: passed, waiting, outcomes, messages sent/opened/clicked; conversion against the holdout',
        params: s.idParams,
        response: { 200: s.stats, ...errorResponses },
      },
    },
    async (req) => service.journeyStats(db, ws(req), req.params.id),
  );

  app.post(
    '/api/v1/journeys/:id/simulate',
    {
      config: { ...read, audit: false },
      schema: {
        tags,
        summary: 'The path a customer would take now through the draft (or a version)',
        params: s.idParams,
        body: s.simulateBody,
        response: { 200: s.simulation, ...errorResponses },
      },
    },
    async (req) => service.simulate(db, ws(req), req.params.id, req.body.customerId, req.body.version),
  );

  app.post(
    '/api/v1/journeys/:id/test-send',
    {
      config: write('journey.test_send'),
      schema: {
        tags,
        summary: 'Send an email step of the draft to yourself (or `to`), marked [Test]',
        params: s.idParams,
        body: s.testSendBody,
        response: { 200: s.testSent, ...errorResponses },
      },
    },
    async (req) =>
      service.testSend(
        db,
        ctx.secret,
        ws(req),
        req.params.id,
        req.body,
        req.actor?.type === 'user' ? req.actor.userId : null,
      ),
  );

  app.get(
    '/api/v1/journey-enrollments/:id/history',
    {
      config: read,
      schema: {
        tags,
        summary: 'What happened to one customer in a journey, step by step',
        params: s.enrollmentParams,
        response: { 200: s.enrollmentHistory, ...errorResponses },
      },
    },
    async (req) => service.enrollmentHistory(db, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/customers/:id/journeys',
    {
      config: read,
      schema: {
        tags,
        summary: 'The journeys a customer is in or was in',
        params: s.customerParams,
        response: { 200: s.customerJourneys, ...errorResponses },
      },
    },
    async (req) => service.customerJourneys(db, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/playbooks',
    {
      config: read,
      schema: {
        tags,
        summary: 'Ready-made journeys to switch on',
        response: { 200: s.playbookList, ...errorResponses },
      },
    },
    async (req) => listPlaybooks(requestLanguage(req)),
  );

  app.post(
    '/api/v1/playbooks/:key/install',
    {
      config: write('journey.install_playbook'),
      schema: {
        tags,
        summary: 'Install a playbook: its email templates and the journey, as a draft to look over and publish',
        params: s.keyParams,
        body: s.installBody,
        response: { 201: s.journey, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await installPlaybook(db, ws(req), req.params.key, {
          name: req.body?.name,
          language: requestLanguage(req),
          by: by(req as never),
        }),
      ),
  );

  app.get(
    '/api/v1/settings/journeys',
    {
      config: read,
      schema: {
        tags,
        summary: 'Quiet hours and frequency caps for journeys',
        response: { 200: s.settings, ...errorResponses },
      },
    },
    async (req) => getJourneySettings(db, ws(req)),
  );

  app.put(
    '/api/v1/settings/journeys',
    {
      config: write('journey_settings.update'),
      schema: {
        tags,
        summary: 'Set quiet hours (in each customer’s time zone; null for none) and frequency caps per channel',
        body: s.settings,
        response: { 200: s.settings, ...errorResponses },
      },
    },
    async (req) => saveJourneySettings(db, ws(req), req.body),
  );

  app.get(
    '/api/v1/tasks',
    {
      config: { permission: 'tasks:read' },
      schema: {
        tags,
        summary: 'Tasks for the team (made by journeys)',
        querystring: s.taskQuery,
        response: { 200: s.taskList, ...errorResponses },
      },
    },
    async (req) => service.listTasks(db, ws(req), req.query),
  );

  app.patch(
    '/api/v1/tasks/:id',
    {
      config: { permission: 'tasks:write', audit: 'task.update' },
      schema: {
        tags,
        summary: 'Mark a task done (or open again)',
        params: s.idParams,
        body: s.taskBody,
        response: { 200: s.task, ...errorResponses },
      },
    },
    async (req) => service.setTaskStatus(db, ws(req), req.params.id, req.body.status),
  );
}
