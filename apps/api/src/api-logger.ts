import { ConsoleLogger } from '@nestjs/common';

/** Nest's own start-up narration: a line per module, controller and route, ~40 in all. */
const START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * The API's console logger. At `LOG_LEVEL=info` an operator reads what the API decides (storage,
 * Redis, epochs created, requests refused); Nest's start-up narration moves to `debug`.
 */
export class ApiLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) this.debug(message, ...rest);
    else super.log(message, ...rest);
  }
}
