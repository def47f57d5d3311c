#!/usr/bin/env node
// The CLI is TypeScript run through SWC, like the services, so there is no separate build step.
require('@swc-node/register');
require('../src/main.ts');
