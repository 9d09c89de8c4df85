import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Two miners on one work store would collect and upload twice; the second one must refuse. */
export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `dir` for this process with a `miner.lock` file holding its pid. A lock left by a
 * process that no longer runs (a crash, a SIGKILL) is taken over. Returns the release function.
 */
export async function acquireStateLock(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'miner.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new StateLockedError(
        `another miner (pid ${holder}) is using ${dir}; stop it or choose another --state.dir`,
      );
    }
    await writeFile(path, '', { flag: 'w' });
    await rm(path, { force: true });
  }
  throw new StateLockedError(`cannot lock ${dir}: ${path} keeps reappearing`);
}
