// Files an export writes on its way and never ships: a download's `.part` and its `.part.json`
// sidecar, and the sidecar's temporary twin (`.part.json.<pid>.<n>.tmp`), which a process
// killed between write and rename leaves behind. A finished folder or ZIP holds none of them.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const UNFINISHED = /(\.part|\.part\.json|\.part\.json\.\d+\.\d+\.tmp)$/;

/** Whether a path (relative or absolute) names a work-in-progress file. */
export function isUnfinishedFile(name: string): boolean {
  return UNFINISHED.test(name);
}

/** Removes every work-in-progress file under dir (failed downloads' parts, a crash's temporaries). */
export async function removeUnfinishedFiles(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    if (e.isFile() && isUnfinishedFile(e.name)) await rm(path.join(e.parentPath, e.name), { force: true });
  }
}
