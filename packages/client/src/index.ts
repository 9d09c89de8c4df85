/**
 * @resi/client — what the miner and the validator share as clients of the resi API: answer parsing
 * and the API's errors, retry timing (backoff with jitter, `Retry-After`), the circuit breaker,
 * the structured logger, the option reader (command line, then environment, then default) and
 * the graceful stop on SIGTERM/SIGINT.
 */
export { ApiRequestError, apiErrorOf, isRetryableStatus, parseApiAnswer } from './api-errors.js';
export { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelayMs, retryAfterMs, sleep } from './backoff.js';
export { CircuitBreaker, type CircuitBreakerOptions, CircuitOpenError, type CircuitState } from './circuit-breaker.js';
export {
  LOG_LEVELS,
  type LogFields,
  type LogLevel,
  type LogSink,
  type Logger,
  type LoggerOptions,
  createLogger,
  silentLogger,
} from './logger.js';
export {
  FORCED_STOP_EXIT_CODE,
  type ShutdownOptions,
  type ShutdownPlan,
  type StoppableRun,
  runUntilStopped,
} from './graceful-shutdown.js';
export { DEFAULT_API_URLS, type NamedOption, type OptionSpec, netuidOf, parseOptionValues } from './option-values.js';
