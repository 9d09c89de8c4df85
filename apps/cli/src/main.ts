#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { buildProgram } from './program.js';

// Settings may live in a .env file beside where resi runs; real environment variables win.
if (existsSync('.env')) process.loadEnvFile('.env');
// resi pins its AWS SDK release, which supports Node 20; the SDK's notice about future releases
// needing Node 22 says nothing an operator can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await buildProgram().parseAsync(process.argv);
