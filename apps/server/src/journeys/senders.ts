/**
 * Channels other than email reach the engine through this registry (set by the journeys index
 * from the messaging domain's public API), so a channel missing on a server is a clear
 * `channel_unavailable` skip and is refused when a journey is published.
 */
import type { Tx } from '../platform/db.js';
import type { JourneyNode } from './definition.js';

export interface SendRequest {
  customerId: string;
  purpose: 'marketing' | 'transactional';
  idempotencyKey: string;
  node: Extract<JourneyNode, { type: 'send' }>;
  data: Record<string, unknown>;
}
/** Queues one message in the caller's transaction; returns its id. */
export type ChannelSender = (tx: Tx, workspaceId: string, r: SendRequest) => Promise<string>;

const senders = new Map<string, ChannelSender>();
export function registerChannelSender(channel: 'sms' | 'webhook', send: ChannelSender): void {
  senders.set(channel, send);
}
export function channelSender(channel: string): ChannelSender | undefined {
  return senders.get(channel);
}
