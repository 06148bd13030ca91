export { exportOnnx, OnnxExportError, type ExportOnnxOptions } from './export.js';
