#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { buildProgram } from './program.js';

// Settings may live in a .env file beside where resi runs; real environment variables win.
if (existsSync('.env')) process.loadEnvFile('.env');

await buildProgram().parseAsync(process.argv);
