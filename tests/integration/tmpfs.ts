// Real disk failures for tests, without mocks: a small tmpfs mounted on a folder (root only, and
// only where mounting is allowed), remounted read-only → EROFS. Tests that need one skip, saying
// why, where it cannot be had (root ignores chmod, so a 0555 folder is no substitute).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Whether a tmpfs can be mounted here (tries once on `probeDir`, then unmounts it). */
export function canMountTmpfs(probeDir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    mkdirSync(probeDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probeDir], { stdio: 'ignore' });
    execFileSync('umount', [probeDir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A fresh tmpfs of `size` (e.g. '1m') on `dir`; its handle switches it read-only and back, and unmounts it. */
export function mountTmpfs(dir: string, size: string): { readOnly(on: boolean): void; unmount(): void } {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
  return {
    readOnly: (on) => execFileSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir], { stdio: 'ignore' }),
    unmount: () => execFileSync('umount', [dir], { stdio: 'ignore' }),
  };
}
