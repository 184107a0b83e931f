// u64 columns: "0x" + 16 lower-case hex digits, so text order is numeric order and no
// value overflows SQLite's signed 64-bit INTEGER.
import type { Hex } from '../sim/index.js';

export const toFixedHex = (value: Hex): string => `0x${BigInt(value).toString(16).padStart(16, '0')}`;
