import type { FileHandle } from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReportError } from '../../core/errors.js';
import { writeFileAtomic } from '../../reports/writers/json-file.js';

// Fault injection: when `failSync` is set, the next fsync of a file opened by the writer fails as a
// full disk would. Everything else is the real file system.
const fault = vi.hoisted(() => ({ failSync: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof actual.open>): Promise<FileHandle> => {
    const handle = await actual.open(...args);
    if (!fault.failSync) return handle;
    fault.failSync = false;
    return new Proxy(handle, {
      get(target, property, receiver) {
        if (property === 'sync') return () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { ...actual, open, default: { ...actual, open } };
});

describe('writeFileAtomic', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pb-atomic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the whole content and leaves no temp file', async () => {
    const path = join(dir, 'new.json');
    const content = `${'x'.repeat(200_000)}é\n`;
    await writeFileAtomic(path, content);
    expect(await readFile(path, 'utf8')).toBe(content);
    expect(await readdir(dir)).toEqual(['new.json']);
  });

  it('replaces an existing file', async () => {
    const path = join(dir, 'replace.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('leaves the old file intact and no temp file when the write fails', async () => {
    const sub = await mkdtemp(join(dir, 'fail-'));
    const path = join(sub, 'report.json');
    await writeFile(path, 'old content');
    fault.failSync = true;
    await expect(writeFileAtomic(path, 'new content')).rejects.toThrow(new ReportError(`${path}: cannot write (ENOSPC)`));
    expect(await readFile(path, 'utf8')).toBe('old content');
    expect(await readdir(sub)).toEqual(['report.json']);
  });

  it('fails with the path when the target is a directory, leaving no temp file', async () => {
    const sub = await mkdtemp(join(dir, 'dir-'));
    await mkdir(join(sub, 'taken'));
    await expect(writeFileAtomic(join(sub, 'taken'), 'x')).rejects.toThrow(`${join(sub, 'taken')}: cannot write (EISDIR)`);
    expect(await readdir(sub)).toEqual(['taken']);
  });

  it('fails with the path when the directory does not exist', async () => {
    const path = join(dir, 'no', 'such', 'dir.json');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(`${path}: cannot write (ENOENT)`);
  });
});
