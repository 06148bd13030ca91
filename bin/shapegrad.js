#!/usr/bin/env node
// The shapegrad command. A committed file rather than a build output, so that it keeps its
// execute bit through every rebuild (npm run build recreates dist/ without it).
import '../dist/src/cli/main.js';
