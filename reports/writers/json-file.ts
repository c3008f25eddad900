import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ReportError } from '../../core/errors.js';
import type { Report } from '../schema.js';

/**
 * Writes `content` (UTF-8) to `path` so that a reader sees either the old file or the whole new one,
 * never half of it: write a temp file in the same directory (rename is atomic only within one file
 * system), fsync it (so a crash after the rename cannot leave an empty file), then rename over `path`.
 * On failure the temp file is removed and the old file is left as it was.
 *
 * @throws ReportError naming `path` when it cannot be written
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReportError(`${path}: cannot write (${code ?? (err as Error).message})`);
  }
}

/** Writes a report as indented JSON (one trailing newline), atomically. */
export async function writeReportJson(path: string, report: Report): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}
