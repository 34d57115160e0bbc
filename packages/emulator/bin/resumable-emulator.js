#!/usr/bin/env node
// Stable entry so package managers can link the bin before the package is built.
import '../dist/cli.js';
