import type { Provider, Type } from '@nestjs/common';

/** Controllers and services of the protocol routes, registered by AppModule. */
export const API_CONTROLLERS: Type[] = [];
export const API_SERVICES: Provider[] = [];
