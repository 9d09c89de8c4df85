// pm2 process file for the API, a miner and a validator (README "Running in production").
// Each program reads its settings from .env in this directory (real environment variables win);
// start only what this machine runs, e.g. `pm2 start ecosystem.config.cjs --only resi-miner`.
const path = require('node:path');

const logs = process.env.RESI_LOG_DIR || path.join(__dirname, '.resi', 'pm2-logs');
const program = (name, args) => ({
  name,
  script: path.join(__dirname, 'apps', 'cli', 'bin', 'resi.js'),
  args,
  cwd: __dirname,
  interpreter: 'node',
  env: { NODE_ENV: 'production', RESI_LOG_FORMAT: 'json' },
  autorestart: true,
  // A crash loop backs off (100 ms doubling up to 15 s) instead of spinning.
  exp_backoff_restart_delay: 100,
  max_restarts: 50,
  min_uptime: '30s',
  // SIGTERM, as systemd sends it: the miner finishes the files or upload in flight and the
  // validator its step, within RESI_SHUTDOWN_TIMEOUT (20 s by default); pm2 kills after this.
  kill_signal: 'SIGTERM',
  kill_timeout: 30_000,
  out_file: path.join(logs, `${name}.out.log`),
  error_file: path.join(logs, `${name}.err.log`),
  merge_logs: true,
  time: true,
});

module.exports = {
  apps: [program('resi-api', 'api'), program('resi-miner', 'miner'), program('resi-validator', 'validator')],
};
