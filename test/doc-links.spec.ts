import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm))
    anchors.add(
      match[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  return anchors;
}

/** Every relative link's target that is missing or leaves the repository. */
function brokenLinks(document: string): string[] {
  const text = readFileSync(join(ROOT, document), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const file = path === '' ? join(ROOT, document) : resolve(dirname(join(ROOT, document)), path);
    if (relative(ROOT, file).startsWith('..')) broken.push(`${target} (outside the repository)`);
    else if (!existsSync(file)) broken.push(`${target} (no such file)`);
    else if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor))
      broken.push(`${target} (no such heading)`);
  }
  return broken;
}

describe('links in README.md and docs/', () => {
  it.each(DOCUMENTS)('every relative link in %s resolves inside the repository', (document) => {
    expect(brokenLinks(document)).toEqual([]);
  });

  it('the README links the protocol reference and the operator guides', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const doc of ['docs/protocol.md', 'docs/miner.md', 'docs/validator.md', 'docs/api-operator.md'])
      expect(readme).toContain(`](${doc}`);
  });
});
