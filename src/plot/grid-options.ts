/** What every grid of pictures (heatmapGrid, imageGrid) takes besides its rows. */
export interface GridOptions {
  readonly title?: string;
  /** Headers over the columns. */
  readonly columnLabels?: readonly string[];
  /** Side of each square cell in pixels; default 96. */
  readonly cellSize?: number;
}
