import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { metagraphFileSchema, type MetagraphHealth, type MetagraphSource, type Neuron } from '@resi/core';

// The interfaces live in @resi/core so that @resi/chain implements them without depending on the API.
export type { MetagraphHealth, MetagraphSource };

/**
 * A metagraph read from a JSON file (`METAGRAPH_FILE`): the local stand-in for the chain. The
 * file is re-read when its modification time changes; a broken edit keeps the last good copy.
 */
export class FileMetagraph implements MetagraphSource {
  private neurons = new Map<string, Neuron>();
  private list: Neuron[] = [];
  private loadedAt: number | null = null;
  private mtimeMs = -1;
  private lastCheck = 0;
  private error: string | undefined;
  private readonly path: string;

  constructor(
    path: string,
    private readonly checkIntervalMs = 1_000,
  ) {
    this.path = resolve(path);
    this.refresh(true);
    if (this.loadedAt === null) {
      throw new Error(`Cannot load the metagraph file ${this.path}: ${this.error ?? 'unknown error'}`);
    }
  }

  private refresh(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastCheck < this.checkIntervalMs) return;
    this.lastCheck = now;
    try {
      const { mtimeMs } = statSync(this.path);
      if (mtimeMs === this.mtimeMs) return;
      const parsed = metagraphFileSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
      }
      this.list = parsed.data.neurons;
      this.neurons = new Map(this.list.map((n) => [n.hotkey, n]));
      this.mtimeMs = mtimeMs;
      this.loadedAt = now;
      this.error = undefined;
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  byHotkey(hotkey: string): Neuron | undefined {
    this.refresh();
    return this.neurons.get(hotkey);
  }

  all(): readonly Neuron[] {
    this.refresh();
    return this.list;
  }

  health(): MetagraphHealth {
    this.refresh();
    return {
      status: this.error ? 'stale' : 'ok',
      source: `file:${this.path}`,
      neurons: this.list.length,
      ageSeconds: this.loadedAt === null ? null : Math.round((Date.now() - this.loadedAt) / 1000),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A metagraph held in memory: tests, and the last good copy behind a chain-backed source. */
export class StaticMetagraph implements MetagraphSource {
  private byKey: Map<string, Neuron>;

  constructor(private neurons: Neuron[]) {
    this.byKey = new Map(neurons.map((n) => [n.hotkey, n]));
  }

  replace(neurons: Neuron[]): void {
    this.neurons = neurons;
    this.byKey = new Map(neurons.map((n) => [n.hotkey, n]));
  }

  byHotkey(hotkey: string): Neuron | undefined {
    return this.byKey.get(hotkey);
  }

  all(): readonly Neuron[] {
    return this.neurons;
  }

  health(): MetagraphHealth {
    return { status: 'ok', source: 'memory', neurons: this.neurons.length, ageSeconds: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
