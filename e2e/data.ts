import type { Page } from 'playwright-core';
import type { KithServer } from './server';

/** Creates the instance's first workspace and owner through the API (201), without the browser. */
export async function setupWorkspace(
  server: KithServer,
  owner: { workspaceName: string; name: string; email: string; password: string; currency?: string; timezone?: string },
): Promise<void> {
  const response = await fetch(`${server.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(owner),
  });
  if (response.status !== 201) throw new Error(`setup answered ${response.status}: ${await response.text()}`);
}

/** A JSON call with the page's session (cookie + CSRF token), as the web app makes it. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON answers loosely
export async function apiCall<T = any>(
  page: Page,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const session = await (await page.request.get('/api/v1/session')).json();
  const response = await page.request.fetch(path, {
    method,
    headers: { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status(), body: response.status() === 204 ? (null as T) : await response.json() };
}

/** Sends a batch of Segment-style messages to a source, as a shop's own code would. */
export async function sendBatch(server: KithServer, writeKey: string, batch: object[]): Promise<void> {
  const response = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch }),
  });
  if (response.status !== 200) throw new Error(`batch answered ${response.status}: ${await response.text()}`);
}

/** Waits until `check` returns a truthy value (the event processor works in the background). */
export async function until<T>(check: () => Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** An "Order Completed" track message for `userId`, `hoursAgo` hours before now. */
export function orderMessage(userId: string, orderId: string, total: number, hoursAgo: number, currency = 'EUR') {
  return {
    type: 'track',
    userId,
    event: 'Order Completed',
    timestamp: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
    properties: {
      order_id: orderId,
      total,
      currency,
      products: [{ product_id: `p-${orderId}`, name: 'Sourdough loaf', price: total, quantity: 1 }],
    },
  };
}
