// Real disk failures for tests, without mocks: a small tmpfs mounted on a folder (root only, and
// only where mounting is allowed), filled up → ENOSPC. Tests that need one skip, saying why,
// where it cannot be had (root ignores chmod, so a 0555 folder is no substitute).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';

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

/**
 * A fresh tmpfs of `size` (e.g. '64k') on `dir`. Its handle fills it up (a file `filler`, to the
 * last byte, or leaving `keepFree` bytes), frees it again (the filler removed), and unmounts it.
 */
export function mountTmpfs(dir: string, size: string): { fill(keepFree?: number): void; free(): void; unmount(): void } {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
  return {
    fill(keepFree = 0) {
      const filler = path.join(dir, 'filler');
      for (const chunk of [4096, 1]) {
        try {
          for (;;) appendFileSync(filler, Buffer.alloc(chunk));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        }
      }
      if (keepFree) truncateSync(filler, Math.max(0, statSync(filler).size - keepFree));
    },
    free: () => rmSync(path.join(dir, 'filler'), { force: true }),
    unmount: () => execFileSync('umount', [dir], { stdio: 'ignore' }),
  };
}
