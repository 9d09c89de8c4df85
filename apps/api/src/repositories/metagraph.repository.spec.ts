import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileMetagraph } from './metagraph.repository.js';

const A = '5DoPvwLT8fEww3oT7ae4ZDkrEPEw1asghHMrL55JvakkX9e2';
const B = '5HeAYjXFNWrGmTnH35CuivoExNLFrHoeWf5CaQTWHM5qPxRW';
const neuron = (uid: number, hotkey: string) => ({ uid, hotkey, coldkey: B, validatorPermit: false, stake: 0 });

function write(path: string, body: unknown, mtime: number) {
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  utimesSync(path, mtime, mtime);
}

describe('FileMetagraph', () => {
  it('reloads when the file changes and keeps the last good copy over a broken edit', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'resi-mg-')), 'metagraph.json');
    write(path, { neurons: [neuron(0, A)] }, 1_000);
    const sut = new FileMetagraph(path, 0);
    expect(sut.byHotkey(A)?.uid).toBe(0);
    expect(sut.byHotkey(B)).toBeUndefined();

    write(path, { neurons: [neuron(0, A), neuron(1, B)] }, 2_000);
    expect(sut.byHotkey(B)?.uid).toBe(1);

    write(path, '{ not json', 3_000);
    expect(sut.byHotkey(B)?.uid).toBe(1);
    expect(sut.health()).toMatchObject({ status: 'stale', neurons: 2 });
  });

  it('refuses to start on a file it cannot read, saying which and why', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'resi-mg-')), 'metagraph.json');
    write(path, { neurons: [{ uid: 0, hotkey: 'nope' }] }, 1_000);
    expect(() => new FileMetagraph(path)).toThrow(/metagraph\.json.*neurons\.0\.hotkey/);
  });
});
