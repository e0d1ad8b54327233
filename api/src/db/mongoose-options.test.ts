import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@crm/config';

/**
 * mongoose 8+ warns at every call given `new` or `returnOriginal` (findOneAndUpdate, findByIdAndUpdate,
 * findOneAndReplace): the product says `returnDocument: 'after' | 'before'` instead. Checked over the sources of
 * every workspace that talks to the database.
 */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

const DEPRECATED = /\b(new|returnOriginal)\s*:\s*(true|false)\b/;

describe('no deprecated mongoose return options', () => {
  it.each(['api/src', 'bot/src', 'server/src', 'scripts'])('%s uses returnDocument, never new / returnOriginal', (dir) => {
    const found = sources(path.join(REPO_ROOT, dir)).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => DEPRECATED.test(line))
        .map(([line, i]) => `${path.relative(REPO_ROOT, file)}:${i + 1}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });

  it.each([
    ['{ upsert: true, new: true }', true],
    ['{ new: false }', true],
    ['{ returnOriginal: false }', true],
    ["{ returnDocument: 'after' }", false],
    ['const isNew = true', false],
  ])('the check flags %s: %s', (text, flagged) => {
    expect(DEPRECATED.test(text)).toBe(flagged);
  });
});
