// The last step: the finished tree becomes `<destination>/<name>` (a rename) or
// `<destination>/<name>.zip` (the ZIP writer writes `.part`, then renames). Nothing with the
// final name exists before it is complete, and an existing name is never overwritten:
// "name (2)", "name (3)"… instead.
import { access, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** A free name in `dir`: base+ext, else "base (2)"+ext, … (also avoiding a `.part` in progress). */
export async function freeOutputName(dir: string, base: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}${ext}` : `${base} (${n})${ext}`;
    const full = path.join(dir, name);
    if (!(await exists(full)) && !(await exists(`${full}.part`))) return name;
  }
}

/** Moves the finished folder into place under a free name; returns the final path. */
export async function publishFolder(sourceDir: string, destination: string, base: string): Promise<string> {
  await mkdir(destination, { recursive: true });
  const name = await freeOutputName(destination, base, '');
  const target = path.join(destination, name);
  await rename(sourceDir, target);
  return target;
}
