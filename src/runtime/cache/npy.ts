/**
 * NumPy .npy (format 1.0) for the typed arrays expc stores: embeddings (float32), ids and
 * splits (int32), per-user metrics (float64), flags (uint8). Artifacts stay readable from
 * Python with numpy.load, so researchers can take them elsewhere.
 */
export type NpyArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const DESCR: Record<string, string> = {
  Float32Array: '<f4',
  Float64Array: '<f8',
  Int32Array: '<i4',
  Uint8Array: '|u1',
};

export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const descr = DESCR[data.constructor.name];
  if (!descr) throw new TypeError(`encodeNpy: unsupported array ${data.constructor.name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape ${shape.join('x')} does not match length ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, ending in \n
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export interface DecodedNpy {
  data: NpyArray;
  shape: number[];
}

/** Throws Error (caught by the artifact store as corruption) on anything that is not a valid .npy of a supported type. */
export function decodeNpy(bytes: Uint8Array): DecodedNpy {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw new Error('not a .npy file');
  const major = bytes[6];
  const headerLen = major === 1 ? bytes[8]! | (bytes[9]! << 8) : (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new Error('truncated .npy header');
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || fortran === undefined || shapeText === undefined) throw new Error('malformed .npy header');
  if (fortran === 'True') throw new Error('fortran-ordered .npy is not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  const ctor = { '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array, '|u1': Uint8Array, '<u1': Uint8Array }[descr];
  if (!ctor) throw new Error(`unsupported .npy dtype ${descr}`);
  if (body.byteLength !== count * ctor.BYTES_PER_ELEMENT) throw new Error(`.npy body has ${body.byteLength} bytes, expected ${count * ctor.BYTES_PER_ELEMENT}`);
  // Copy into a fresh, aligned buffer.
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  return { data: new ctor(copy.buffer), shape };
}
