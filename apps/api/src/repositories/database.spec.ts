import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir, redactUrl } from './database.js';

describe('lockDataDir', () => {
  it('holds the embedded data directory for this process and releases it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resi-lock-'));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'resi.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'resi.lock'))).toBe(false);
  });

  it('refuses a directory another live process holds, naming it and the way out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resi-lock-'));
    writeFileSync(join(dir, 'resi.lock'), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.ppid}.*DATABASE_URL`));
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resi-lock-'));
    writeFileSync(join(dir, 'resi.lock'), '2147483646');
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'resi.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });
});

describe('redactUrl', () => {
  it('hides the password', () => {
    expect(redactUrl('postgres://resi:hunter2@db:5432/resi')).toBe('postgres://resi:***@db:5432/resi');
  });
});
