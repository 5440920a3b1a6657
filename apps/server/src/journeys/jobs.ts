/**
 * The journey runner: a loop in every worker process (`kith start`, `kith worker`) that passes
 * over each workspace with active journeys every `pollMs` (intake, scheduled triggers, due
 * steps). Nothing depends on an outside cron; several processes share the work (an intake at a
 * time per workspace, due enrollments claimed with SKIP LOCKED).
 */
import type { Db } from '../platform/db.js';
import { runWorkspace } from './engine.js';
import * as repo from './repository.js';

export class JourneyRunner {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly opts: {
      pollMs?: number;
      /** The engine's clock (tests move it forward). */
      clock?: () => Date;
      logger?: { error: (o: object, msg: string) => void };
      /** Called after each pass with what it did. */
      onPass?: (r: { enrolled: number; due: number; steps: number }) => void;
    } = {},
  ) {}

  start(): void {
    this.#stopped = false;
    this.nudge();
  }

  /** Runs a pass soon (coalesced with one already running). */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.nudge();
      } else this.#timer = setTimeout(() => this.nudge(), this.opts.pollMs ?? 250);
    });
  }

  async #pass(): Promise<void> {
    try {
      const total = { enrolled: 0, due: 0, steps: 0 };
      for (const ws of await repo.workspacesWithJourneys(this.db)) {
        if (this.#stopped) break;
        const r = await runWorkspace(this.db, ws, this.opts.clock?.() ?? new Date());
        total.enrolled += r.enrolled;
        total.due += r.due;
        total.steps += r.steps;
      }
      this.opts.onPass?.(total);
    } catch (err) {
      this.opts.logger?.error({ err }, 'journey runner pass failed; retrying');
    }
  }

  /** Stops after the pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
