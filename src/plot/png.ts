/**
 * SVG to PNG with @resvg/resvg-js, loading the system fonts. resvg draws no
 * text at all when it finds no font, silently; so before the first render we
 * draw a test string and check that some pixel was painted, and if none was,
 * warn once that the PNG plots will have no labels (the SVG files are fine).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { FONT_FAMILY } from './svg.js';

/** Fonts for rendering SVG to PNG. */
export interface FontOptions {
  /** Default true. */
  readonly loadSystemFonts?: boolean;
  readonly fontFiles?: readonly string[];
  readonly fontDirs?: readonly string[];
}

/** PNG rendering: zoom, background, fonts. */
export interface PngOptions {
  /** Scale factor (2 for a sharper image); default 1. */
  readonly zoom?: number;
  /** Default 'white'. */
  readonly background?: string;
  readonly fonts?: FontOptions;
  /** Where the no-font warning goes; default a 'warning: ...' line on stderr. */
  readonly warn?: (message: string) => void;
}

function renderOptions(options: PngOptions): ResvgRenderOptions {
  const f = options.fonts ?? {};
  return {
    font: { loadSystemFonts: f.loadSystemFonts ?? true, fontFiles: f.fontFiles ? [...f.fontFiles] : undefined, fontDirs: f.fontDirs ? [...f.fontDirs] : undefined },
    fitTo: options.zoom !== undefined && options.zoom !== 1 ? { mode: 'zoom', value: options.zoom } : { mode: 'original' },
    background: options.background ?? 'white',
    logLevel: 'off',
  };
}

const fontChecks = new Map<string, boolean>();
const warned = new Set<string>();

/** Whether resvg finds a font to draw text with under these font options (cached). */
export function fontsAvailable(fonts: FontOptions = {}): boolean {
  const key = JSON.stringify(fonts);
  let ok = fontChecks.get(key);
  if (ok === undefined) {
    const probe = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="24"><text x="4" y="18" font-size="16" font-family="${FONT_FAMILY}">Hg 0.5</text></svg>`;
    const pixels = new Resvg(probe, { ...renderOptions({ fonts }), background: undefined }).render().pixels;
    ok = false;
    for (let i = 3; i < pixels.length; i += 4) {
      if (pixels[i]! > 0) {
        ok = true;
        break;
      }
    }
    fontChecks.set(key, ok);
  }
  return ok;
}

const defaultWarn = (message: string) => {
  process.stderr.write(`warning: ${message}\n`);
};

/** Render SVG text to PNG bytes (warning once per font setup when no font is found). */
export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  const key = JSON.stringify(options.fonts ?? {});
  if (!fontsAvailable(options.fonts) && !warned.has(key)) {
    warned.add(key);
    (options.warn ?? defaultWarn)('no font found for plot text: the PNG plots will have no labels (the SVG plots are complete); install a font such as DejaVu Sans (e.g. apt-get install fonts-dejavu-core)');
  }
  return new Resvg(svg, renderOptions(options)).render().asPng();
}

/** Render SVG text to a PNG file (written atomically; its folder is created). Returns the image size. */
export function svgToPng(svg: string, path: string, options: PngOptions = {}): { width: number; height: number } {
  const png = renderPng(svg, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, png);
  return pngSize(png);
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) throw new Error('not a PNG (bad signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (String.fromCharCode(png[12]!, png[13]!, png[14]!, png[15]!) !== 'IHDR') throw new Error('not a PNG (first chunk is not IHDR)');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Write a chart as `${base}.svg` and `${base}.png`, e.g. base 'runs/x/plots/loss'
 * (a trailing .svg or .png on base is dropped, so runPaths(dir).plot('loss', 'svg') works).
 */
export function writePlot(base: string, svg: string, options: PngOptions = {}): { svg: string; png: string; width: number; height: number } {
  base = base.replace(/\.(svg|png)$/, '');
  const svgPath = `${base}.svg`;
  const pngPath = `${base}.png`;
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileAtomic(svgPath, svg);
  const size = svgToPng(svg, pngPath, options);
  return { svg: svgPath, png: pngPath, ...size };
}
