import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Neuron } from '@resi/core';

/** The authenticated hotkey behind a request, with its metagraph entry. */
export interface Caller {
  hotkey: string;
  neuron: Neuron;
}

export interface ResiRequestState {
  resiInput?: unknown;
  resiCaller?: Caller;
}

/** The validated input of a signed route (query/body merged with path parameters). */
export const SignedInput = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown => {
  return ctx.switchToHttp().getRequest<ResiRequestState>().resiInput;
});

/** The authenticated caller of a signed route. */
export const AuthenticatedCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<ResiRequestState>().resiCaller;
  if (!caller) throw new Error('AuthenticatedCaller used on a route without @Signed');
  return caller;
});
