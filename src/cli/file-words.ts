/**
 * File system facts in words, for messages that name the file: what a path
 * that is not a regular file is, and why a call on it failed.
 */
import type { Stats } from 'node:fs';

/** What a path that is not a regular file is, in words. */
export function fileKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The reason a file system call failed, in words, for a message that names the file. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EISDIR':
      return 'it is a folder (EISDIR)';
    case 'ELOOP':
      return 'its symbolic links loop (ELOOP)';
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * `text` safe to print on one terminal line: control characters (a newline in a file name, an escape
 * sequence) and bidirectional overrides are shown as escapes, never acted on.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u{${c.codePointAt(0)?.toString(16)}}`;
  });
}
