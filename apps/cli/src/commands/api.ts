import type { Command } from 'commander';

/** `resi api`: the API server, configured by environment variables (see README "Configuration"). */
export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('run the API server (configuration from environment variables and .env; see README)')
    .option('--host <host>', 'listen address (HOST)')
    .option('--port <port>', 'listen port (PORT)')
    .option('--labels-file <path>', 'operator labels for the dashboard, JSON or YAML hotkey: label (LABELS_FILE)')
    .action(async (options: { host?: string; port?: string; labelsFile?: string }) => {
      const env = {
        ...process.env,
        HOST: options.host ?? process.env.HOST,
        PORT: options.port ?? process.env.PORT,
        LABELS_FILE: options.labelsFile ?? process.env.LABELS_FILE,
      };
      try {
        // Loaded on use, so `resi keys`, `resi sign` and `--help` start without the server's modules.
        const { parseApiEnv, startApi } = await import('@resi/api');
        const api = await startApi(parseApiEnv(env));
        printBanner(api.url);
        const stop = () => void api.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (error) {
        exitWith(error);
      }
    });
}

export function printBanner(url: string): void {
  console.log(`resi API listening on ${url}`);
  console.log(`  docs:    ${url}/docs`);
  console.log(`  health:  ${url}/healthcheck`);
}

/**
 * Start-up failures print one readable sentence, not a stack trace. A configuration error
 * (`ConfigError`, recognised by name so this module need not load the API) is printed as it is.
 */
export function exitWith(error: unknown): never {
  const listen = error as { code?: string; address?: string; port?: number };
  if (error instanceof Error && error.name === 'ConfigError') console.error(error.message);
  else if (listen.code === 'EADDRINUSE')
    console.error(
      `resi: ${listen.address ?? 'the address'}:${listen.port ?? '?'} is already in use. Stop the program using it, ` +
        'or choose another port: resi api --port <port> (or PORT), resi devnet --port <port> (npm start -- --port <port>).',
    );
  else console.error(`resi: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
}
