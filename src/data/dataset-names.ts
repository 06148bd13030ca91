/** The dataset names the CLI and loadNamedDataset know (browser-clean, so a page can list them). */
export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10', 'cifar100', 'image-folder', 'colour-shapes'] as const;

/** One of DATASET_NAMES. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Datasets read from a folder the user gives (--data-root): no package ships them. */
export const NEEDS_DATA_ROOT: readonly DatasetName[] = ['cifar10', 'cifar100', 'image-folder'];

/** Whether `name` is a known dataset name. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
