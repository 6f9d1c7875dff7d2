/**
 * Capture arguments of the CLI: folders are walked for capture files (one process analyses them all), files
 * that do not exist are reported by name before any analysis starts.
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** File names taken from a folder: pcap/pcapng/cap, optionally gzip-compressed. */
export const captureNamePattern = /\.(pcap|pcapng|cap|dmp)(\.gz)?$/i;
const maxCapturesPerFolder = 100_000;

export interface ResolvedInputs {
  files: string[];
  /** "path: reason" for each argument that cannot be read. */
  errors: string[];
}

function walk(dir: string, out: string[], errors: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    errors.push(`${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    return;
  }
  for (const name of names) {
    if (out.length >= maxCapturesPerFolder) return;
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (isDir) walk(path, out, errors);
    else if (captureNamePattern.test(name)) out.push(path);
  }
}

/** Files to analyse from the command line: '-' as is, folders expanded (sorted, recursive), missing paths in `errors`. */
export function resolveInputs(args: readonly string[]): ResolvedInputs {
  const files: string[] = [];
  const errors: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      files.push(arg);
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(arg).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      errors.push(`${arg}: ${code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')}`);
      continue;
    }
    if (!isDir) {
      files.push(arg);
      continue;
    }
    const found: string[] = [];
    walk(arg, found, errors);
    if (found.length === 0) errors.push(`${arg}: no capture files (*.pcap, *.pcapng, *.cap, optionally .gz) in this folder`);
    files.push(...found);
  }
  return { files, errors };
}
