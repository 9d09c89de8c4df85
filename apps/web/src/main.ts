import type { DashboardEpochResponse, DashboardOverviewResponse, HealthcheckResponse } from '@resi/core';
import { ApiError, fetchEpoch, fetchHealth, fetchOverview } from './api.js';
import { copyText } from './clipboard.js';
import { h, replace } from './dom.js';
import { ago, count, formatCountdown, percent, shortHotkey, utcTime } from './format.js';
import { usMap } from './map.js';
import './style.css';

/** Seconds between polls; `?refresh=2` for a faster page (tests). */
const REFRESH_SECONDS = Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 5);

interface State {
  overview: DashboardOverviewResponse | null;
  health: HealthcheckResponse | null;
  /** Server clock minus this browser's clock, so countdowns follow the server, not the laptop. */
  clockOffsetMs: number;
  error: string | null;
  /** The map shows the live epoch, or the newest finished one. */
  mapShows: 'current' | 'finished';
  /** The newest finished epoch's zipcodes, fetched once per epoch (they no longer change). */
  finished: DashboardEpochResponse | null;
}

const state: State = {
  overview: null,
  health: null,
  clockOffsetMs: 0,
  error: null,
  mapShows: 'current',
  finished: null,
};
const app = document.querySelector<HTMLElement>('#app')!;
const healthBox = document.querySelector<HTMLElement>('#health')!;

const serverNow = () => Date.now() + state.clockOffsetMs;

const PHASE_TEXT: Record<string, string> = {
  SCHEDULED: 'scheduled',
  PENDING: 'starting soon',
  ACTIVE: 'mining',
  COMPLETED: 'validating',
  ARCHIVED: 'archived',
};

function card(title: string, id: string, ...children: Parameters<typeof h>[2][]): HTMLElement {
  return h('section', { class: 'card', id }, h('h2', {}, title), ...children);
}

/** A card that takes the whole row: tables with many columns. */
function wideCard(title: string, id: string, ...children: Parameters<typeof h>[2][]): HTMLElement {
  const section = card(title, id, ...children);
  section.classList.add('wide');
  return section;
}

/** The operator's label of a hotkey (LABELS_FILE on the API), if it has one. */
const labelOf = (hotkey: string): string | undefined => state.overview?.labels[hotkey];

/** The last hotkey copied and whether that worked: shown until the next copy, across refreshes. */
let lastCopy: { readonly hotkey: string; readonly copied: boolean } | undefined;

function showCopy(button: HTMLElement, copied: boolean): void {
  button.textContent = copied ? 'copied' : 'copy failed';
  button.dataset.copied = String(copied);
}

/** A button that copies the full hotkey; it says whether that worked until another is copied. */
function copyButton(hotkey: string): HTMLElement {
  const button = h('button', {
    type: 'button',
    class: 'copy',
    'aria-label': `Copy hotkey ${hotkey}`,
    title: 'Copy the full hotkey',
  });
  button.textContent = 'copy';
  // A refresh redraws every button: the one of the hotkey just copied keeps saying so.
  if (lastCopy?.hotkey === hotkey) showCopy(button, lastCopy.copied);
  button.addEventListener('click', () => {
    void copyText(hotkey).then((copied) => {
      lastCopy = { hotkey, copied };
      for (const shown of document.querySelectorAll<HTMLElement>('button.copy')) {
        if (shown.getAttribute('aria-label') === `Copy hotkey ${hotkey}`) showCopy(shown, copied);
        else if (shown.dataset.copied !== undefined) {
          shown.textContent = 'copy';
          delete shown.dataset.copied;
        }
      }
    });
  });
  return button;
}

/**
 * A miner as the dashboard shows it everywhere: the operator's label (plain text, isolated, cut to
 * fit) when there is one, always beside the uid and the short hotkey, whose title is the full
 * hotkey, and a copy button. A label never stands in for the uid or hotkey.
 */
function minerTag(hotkey: string, uid: number | null): HTMLElement {
  const label = labelOf(hotkey);
  return h(
    'span',
    { class: 'miner-tag' },
    label ? h('bdi', { class: 'label', title: label }, label) : null,
    uid === null ? null : h('span', { class: 'uid' }, `#${uid}`),
    h('span', { class: 'mono hotkey', title: hotkey }, shortHotkey(hotkey)),
    copyButton(hotkey),
  );
}

function hotkeyCell(hotkey: string, uid: number | null) {
  return h('td', { class: 'miner' }, minerTag(hotkey, uid));
}

function epochCard(o: DashboardOverviewResponse): HTMLElement {
  const { epoch } = o.current;
  const active = epoch.status === 'ACTIVE';
  const start = Date.parse(epoch.startTime);
  const end = Date.parse(epoch.endTime);
  return card(
    'Current epoch',
    'epoch',
    h('div', { class: 'epoch-id mono' }, epoch.id),
    h(
      'div',
      { class: 'phase-row' },
      h('span', { class: `phase phase-${epoch.status.toLowerCase()}`, id: 'phase' }, epoch.status),
      h('span', { class: 'muted' }, PHASE_TEXT[epoch.status] ?? ''),
    ),
    h('div', {
      class: 'countdown',
      id: 'countdown',
      'data-end': active ? Date.parse(epoch.submissionDeadline) : Date.parse(o.nextEpoch.startTime),
    }),
    h(
      'div',
      { class: 'muted', id: 'countdown-label' },
      active ? 'until the submission deadline' : `until epoch ${o.nextEpoch.id}`,
    ),
    h(
      'div',
      { class: 'bar' },
      h('div', { class: 'bar-fill', id: 'epoch-progress', 'data-start': start, 'data-end': end }),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Window'),
      h('dd', {}, `${utcTime(epoch.startTime)} – ${utcTime(epoch.endTime)}`),
      h('dt', {}, 'Grace ends'),
      h('dd', {}, utcTime(epoch.graceEnd)),
      h('dt', {}, 'Zipcodes'),
      h('dd', {}, count(epoch.zipcodeCount)),
      h('dt', {}, 'Expected listings'),
      h('dd', {}, `${count(epoch.totalExpectedListings)} (target ${count(epoch.targetListings)})`),
    ),
  );
}

function mapCard(o: DashboardOverviewResponse): HTMLElement {
  const finishedId = o.results?.epochId;
  const showFinished =
    state.mapShows === 'finished' && state.finished !== null && state.finished.epoch.id === finishedId;
  const { zipcodes, epoch } = showFinished ? state.finished! : o.current;
  const choose = (which: State['mapShows']) => () => {
    state.mapShows = which;
    void refreshFinished().then(render);
  };
  return card(
    `Assigned zipcodes · ${epoch.id}`,
    'map',
    h(
      'div',
      { class: 'toggle', role: 'group', 'aria-label': 'Epoch shown on the map' },
      h(
        'button',
        { type: 'button', id: 'map-current', 'aria-pressed': String(!showFinished), onclick: choose('current') },
        'Current epoch',
      ),
      finishedId
        ? h(
            'button',
            { type: 'button', id: 'map-finished', 'aria-pressed': String(showFinished), onclick: choose('finished') },
            `Finished ${finishedId}`,
          )
        : null,
    ),
    usMap(zipcodes),
    h(
      'div',
      { class: 'legend muted' },
      h('span', {}, h('i', { class: 'swatch tier-premium' }), 'premium'),
      h('span', {}, h('i', { class: 'swatch tier-standard' }), 'standard'),
      h('span', {}, h('i', { class: 'swatch tier-emerging' }), 'emerging'),
    ),
  );
}

function minersCard(o: DashboardOverviewResponse): HTMLElement {
  const now = serverNow();
  const rows = o.miners.map((m) =>
    h(
      'tr',
      {},
      hotkeyCell(m.hotkey, m.uid),
      h('td', {}, h('span', { class: `status status-${m.status.toLowerCase()}` }, m.status.replace('_', ' '))),
      h('td', { class: 'num' }, `${m.zipcodesCompleted}/${o.current.epoch.zipcodeCount}`),
      h('td', { class: 'num' }, count(m.listingsClaimed)),
      h('td', {}, m.uploadComplete ? 'yes' : '—'),
      h('td', { class: 'muted' }, ago(m.lastUpdate, now)),
    ),
  );
  return wideCard(
    `Miner progress · ${o.miners.length} reporting`,
    'miners',
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No miner has reported progress for this epoch yet.')
      : table(['Miner', 'Status', 'Zipcodes', 'Listings claimed', 'Uploaded', 'Last update'], rows),
  );
}

function table(headings: string[], rows: HTMLElement[], extraClass = ''): HTMLElement {
  return h(
    'div',
    { class: `scroll ${extraClass}` },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headings.map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

interface ResultsCards {
  scores: HTMLElement;
  consensus: HTMLElement | null;
  leaderboard: HTMLElement | null;
}

function resultsCards(o: DashboardOverviewResponse): ResultsCards {
  const results = o.results;
  if (!results) {
    const none = h('p', { class: 'muted' }, 'No epoch has finished yet; scores appear once validators publish.');
    return { scores: card('Scores', 'scores', none), consensus: null, leaderboard: null };
  }
  const { consensus } = results;
  const consensusCard = card(
    `Validator consensus · ${results.epochId}`,
    'consensus',
    consensus.validatorsReported === 0
      ? h('p', { class: 'muted' }, 'No validator has published results for this epoch yet.')
      : [
          h(
            'p',
            {},
            h('strong', {}, percent(consensus.agreement, 0)),
            ` of ${consensus.validatorsReported} validator${consensus.validatorsReported === 1 ? '' : 's'} agree`,
            consensus.consensusSha256 ? '' : ' (no majority)',
          ),
          h(
            'ul',
            { class: 'groups' },
            consensus.groups.map((g) =>
              h(
                'li',
                { class: g.resultsSha256 === consensus.consensusSha256 ? 'agreed' : '' },
                h('code', { title: g.resultsSha256 }, g.resultsSha256.slice(0, 12)),
                ` · ${g.validators.length} validator${g.validators.length === 1 ? '' : 's'}: `,
                g.validators.map((v) => minerTag(v, null)),
              ),
            ),
          ),
        ],
  );
  const scoreRows = results.miners.map((m, i) =>
    h(
      'tr',
      { class: m.outcome === 'scored' ? '' : 'caught' },
      h('td', { class: 'num' }, i + 1),
      hotkeyCell(m.hotkey, m.uid),
      h('td', { class: 'num strong' }, percent(m.totalScore)),
      h('td', { class: 'num' }, percent(m.dataQuality, 0)),
      h('td', { class: 'num' }, percent(m.accuracy, 0)),
      h('td', { class: 'num' }, percent(m.completeness, 0)),
      h('td', { class: 'num' }, percent(m.timeliness, 0)),
      h('td', { class: 'num' }, m.weight.toFixed(3)),
      h('td', { class: 'num' }, m.zipcodesWon),
      h(
        'td',
        {},
        m.outcome === 'scored' ? m.reasons.join(', ') : h('strong', {}, [m.outcome, ...m.reasons].join(', ')),
      ),
    ),
  );
  const scoresCard = wideCard(
    `Miner scores · ${results.epochId}`,
    'scores',
    scoreRows.length === 0
      ? h('p', { class: 'muted' }, 'Waiting for validator results.')
      : table(
          ['#', 'Miner', 'Total', 'Quality', 'Accuracy', 'Complete', 'Timely', 'Weight', 'Won', 'Notes'],
          scoreRows,
        ),
  );
  // The biggest markets first (honeypots are never listed: nothing public singles them out).
  const uids = new Map(results.miners.map((m) => [m.hotkey, m.uid]));
  const board = [...results.zipcodes].sort((a, b) => b.expectedListings - a.expectedListings);
  const boardRows = board.map((z) => {
    const [winner, second] = z.ranking;
    return h(
      'tr',
      {},
      h('td', { class: 'mono' }, z.zipcode),
      h('td', { class: 'num' }, count(z.expectedListings)),
      winner ? hotkeyCell(winner.hotkey, uids.get(winner.hotkey) ?? null) : h('td', {}, '—'),
      h('td', { class: 'num' }, winner ? `${count(winner.creditedListings)} · ${percent(winner.zipcodeScore, 0)}` : ''),
      second ? hotkeyCell(second.hotkey, uids.get(second.hotkey) ?? null) : h('td', {}, '—'),
    );
  });
  const boardCard = wideCard(
    `Zipcode leaderboard · ${results.epochId} · ${results.zipcodes.length} zipcodes`,
    'leaderboard',
    boardRows.length === 0
      ? h('p', { class: 'muted' }, 'Waiting for validator results.')
      : table(['Zipcode', 'Expected', '1st', 'Listings · score', '2nd'], boardRows, 'tall'),
  );
  return { scores: scoresCard, consensus: consensusCard, leaderboard: boardCard };
}

function recentCard(o: DashboardOverviewResponse): HTMLElement {
  const rows = o.recentEpochs
    .slice(0, 8)
    .map((e) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, e.id),
        h('td', {}, h('span', { class: `phase phase-${e.status.toLowerCase()}` }, e.status)),
        h('td', { class: 'num' }, e.zipcodeCount),
        h('td', { class: 'num' }, e.participation.minersReporting),
        h('td', { class: 'num' }, e.participation.uploadsComplete),
      ),
    );
  return card('Recent epochs', 'recent', table(['Epoch', 'Phase', 'Zipcodes', 'Miners', 'Uploads'], rows));
}

function renderHealth(): void {
  const health = state.health;
  if (!health) {
    replace(healthBox, state.error ? h('span', { class: 'badge bad' }, 'API unreachable') : '');
    return;
  }
  const parts = (['database', 'redis', 'storage', 'metagraph'] as const).map((name) => {
    const c = health[name];
    return h('span', { class: `dep dep-${c.status}`, title: c.message ?? c.backend }, `${name} ${c.backend}`);
  });
  replace(
    healthBox,
    h('span', { class: `badge ${health.status === 'ok' ? 'good' : 'warn'}`, id: 'health-status' }, health.status),
    h('span', { class: 'deps' }, parts),
    h('span', { class: 'muted' }, `v${health.version}`),
  );
}

function render(): void {
  renderHealth();
  const o = state.overview;
  if (!o) {
    replace(app, h('p', { class: state.error ? 'error' : 'muted' }, state.error ?? 'Loading…'));
    return;
  }
  const results = resultsCards(o);
  replace(
    app,
    state.error ? h('p', { class: 'error' }, state.error) : null,
    h('div', { class: 'grid top-grid' }, epochCard(o), mapCard(o)),
    h('div', { class: 'grid' }, minersCard(o), results.scores),
    // Side by side, the recent epochs taking the larger share: their ids and five columns need it.
    h('div', { class: 'grid pair-grid' }, results.consensus, recentCard(o)),
    h('div', { class: 'grid' }, results.leaderboard),
  );
  tick();
}

/** Moves the countdown and the progress bar every second between polls. */
function tick(): void {
  const now = serverNow();
  const countdown = document.querySelector<HTMLElement>('#countdown');
  if (countdown) countdown.textContent = formatCountdown(Number(countdown.dataset.end) - now);
  const bar = document.querySelector<HTMLElement>('#epoch-progress');
  if (bar) {
    const start = Number(bar.dataset.start);
    const end = Number(bar.dataset.end);
    bar.style.width = `${Math.min(100, Math.max(0, ((now - start) / (end - start)) * 100)).toFixed(1)}%`;
  }
}

/** Fetches the finished epoch's zipcodes when the map should show them and they are not loaded yet. */
async function refreshFinished(): Promise<void> {
  const id = state.overview?.results?.epochId;
  if (state.mapShows !== 'finished' || !id || state.finished?.epoch.id === id) return;
  try {
    state.finished = await fetchEpoch(id);
  } catch (error) {
    state.error = `Could not load epoch ${id}: ${(error as Error).message}`;
  }
}

async function poll(): Promise<void> {
  let delaySeconds = REFRESH_SECONDS;
  const [overview, health] = await Promise.allSettled([fetchOverview(), fetchHealth()]);
  if (overview.status === 'fulfilled') {
    state.overview = overview.value;
    state.clockOffsetMs = Date.parse(overview.value.serverTime) - Date.now();
    state.error = null;
  } else {
    const error = overview.reason as Error;
    state.error = `Could not refresh: ${error.message}`;
    if (error instanceof ApiError && error.retryAfterSeconds)
      delaySeconds = Math.max(delaySeconds, error.retryAfterSeconds);
  }
  state.health = health.status === 'fulfilled' ? health.value : null;
  await refreshFinished();
  render();
  setTimeout(() => void poll(), delaySeconds * 1000);
}

setInterval(tick, 1000);
void poll();
