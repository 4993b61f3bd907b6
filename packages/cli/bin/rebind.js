#!/usr/bin/env node
// The `rebind` command: a file kept in git, so that `npm ci` links it in a fresh clone of
// the workspace (npm links no bin whose target does not exist yet, and dist/ is built
// after the install). It runs the built CLI.
import '../dist/bin.js';
