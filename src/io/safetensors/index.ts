export { type FloatDtype, floatDtypes, encodeFloats, decodeFloats } from './dtypes.js';
export { SafetensorsError, encodeSafetensors, decodeSafetensors, type SafetensorsEntry, type SafetensorsContents } from './format.js';
export { saveSafetensors, loadSafetensors, type SaveSafetensorsOptions, type LoadSafetensorsOptions, type SafetensorsTensors, type LoadedParams } from './tree.js';
