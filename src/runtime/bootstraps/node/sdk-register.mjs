// Loaded with `node --import` for functions that import the AWS SDK v3 (see sdk-hook.mjs).
import { register } from 'node:module';
register('./sdk-hook.mjs', import.meta.url);
