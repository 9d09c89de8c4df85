import { type EpochWork, WorkStore } from '@resi/miner';
import type { Say } from './narration.js';
import type { SupervisedProgram } from './supervisor.js';

export interface Disruption {
  stop(): void;
}

/**
 * Looks at a miner's work store every `intervalMs` and hands `act` the newest epoch's work while
 * the miner is mid-collection (at least one zipcode done, nothing packaged yet) — once per epoch.
 */
function midCollection(stateDir: string, act: (work: EpochWork) => void, intervalMs = 250): Disruption {
  const store = new WorkStore(stateDir);
  const acted = new Set<string>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const epochId = (await store.epochIds()).at(-1);
      if (epochId === undefined || acted.has(epochId)) return;
      const work = await store.loadEpoch(epochId);
      if (!work || work.state.package || work.state.finalStatus) return;
      if ((await work.finishedZipcodes()).size === 0) return;
      acted.add(epochId);
      act(work);
    })()
      .catch(() => undefined) // a state file mid-rename: look again at the next tick
      .finally(() => (busy = false));
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

/** The crasher: SIGKILL in the middle of each epoch's collection; its supervisor restarts it. */
export function crashMidEpoch(program: SupervisedProgram, stateDir: string, say: Say): Disruption {
  return midCollection(stateDir, (work) => {
    if (program.signal('SIGKILL')) say(`${program.name} killed (SIGKILL) mid-collection`, work.epochId);
  });
}

/**
 * The late miner: frozen (SIGSTOP) in the middle of each epoch's collection, as a stalled host
 * would be, and thawed (SIGCONT) `thawAfterDeadlineMs` after the submission deadline, so it
 * uploads what it has during the grace period. Both lines name the epoch collected, though the
 * thaw comes after the next epoch has begun.
 */
export function stallPastDeadline(
  program: SupervisedProgram,
  stateDir: string,
  thawAfterDeadlineMs: number,
  say: Say,
): Disruption {
  const thaws = new Set<NodeJS.Timeout>();
  const watch = midCollection(stateDir, (work) => {
    const thawAt = Date.parse(work.state.assignment.submissionDeadline) + thawAfterDeadlineMs;
    // Resumed after that moment (a devnet started again), the miner is already as late as it gets.
    if (thawAt <= Date.now()) return;
    if (!program.signal('SIGSTOP')) return;
    say(
      `${program.name} frozen (SIGSTOP) mid-collection; thawed at ` +
        `${new Date(thawAt).toISOString().slice(11, 19)}Z, after the submission deadline`,
      work.epochId,
    );
    const timer = setTimeout(
      () => {
        thaws.delete(timer);
        if (program.signal('SIGCONT'))
          say(`${program.name} thawed (SIGCONT); it uploads this epoch's work in the grace period`, work.epochId);
      },
      Math.max(0, thawAt - Date.now()),
    );
    thaws.add(timer);
  });
  return {
    stop: () => {
      watch.stop();
      for (const timer of thaws) clearTimeout(timer);
    },
  };
}
