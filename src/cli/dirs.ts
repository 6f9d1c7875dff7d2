/**
 * Output folders and file-system errors as a person reads them. `mkdirSync(…, {recursive: true})` never returns
 * for some paths under /proc (it retries forever on ENOENT); `ensureDir` creates one level at a time from the
 * nearest existing ancestor instead, and `fsErrorText` turns an errno into a sentence (no stack trace).
 * @module
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'it exists and is not a folder',
  ENOENT: 'no such file or folder (cannot be created there)',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'the file is busy',
  EMFILE: 'too many open files',
};

/** The plain-language reason of a file-system error, or undefined when `err` is none. */
export function fsErrorText(err: unknown): { path: string; reason: string } | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || !(e.code in reasons)) return undefined;
  return { path: typeof e.path === 'string' ? e.path : '', reason: reasons[e.code] };
}

/** A path that must be a folder and is not (or cannot become one). */
export class PathError extends Error {
  override readonly name = 'PathError';
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`cannot use '${path}': ${reason}`);
    this.path = path;
  }
}

/**
 * A PathError, recognised by name: a checkout runs each command as a script of its own (scripts/cli-bundle.ts),
 * with its own copy of this module, so the class the command threw is not the one main.ts imported.
 */
export function isPathError(err: unknown): err is PathError {
  return err instanceof Error && err.name === 'PathError';
}

/** Creates `dir` and its missing parents one level at a time; throws PathError when it cannot. */
export function ensureDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new PathError(dir, fsErrorText(err)?.reason ?? String(err));
      const up = dirname(at);
      if (up === at) throw new PathError(dir, 'no such folder');
      missing.push(at);
      at = up;
      continue;
    }
    if (!isDir) throw new PathError(dir, at === target ? 'it exists and is not a folder' : `'${at}' is not a folder`);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw new PathError(dir, fsErrorText(err)?.reason ?? String(err));
    }
  }
}
