/**
 * The deployment choices: the boards of the microcontroller fit check, the TFLite runtimes that
 * measure exported files in the browser, the int8 file's I/O, and the files a run exports.
 */
import { StudioError } from '../errors';
import type { McuCore } from '../export/mcu-latency';
import { defineChoice, type IdOf, type OptionOf } from './choice';

const KB = 1024;

/**
 * Boards with their memory (export/mcu-fit.ts checks a file against them) and their core and clock
 * (data for a latency estimate). Sources, the makers' datasheets:
 * - Arduino Nano 33 BLE Sense: nRF52840, Arm Cortex-M4F at 64 MHz, 256 KB RAM, 1 MB flash
 *   (Nordic nRF52840 Product Specification v1.7, section 1; Arduino ABX00031 datasheet).
 * - Raspberry Pi Pico: RP2040, dual Cortex-M0+ rated to 133 MHz (RP2040 datasheet, section 1;
 *   the Pico SDK's default clock is 125 MHz), 264 KB SRAM, 2 MB QSPI flash on the board.
 * - ESP32: Xtensa LX6, dual core up to 240 MHz, 520 KB SRAM (ESP32 datasheet v4, section 1);
 *   4 MB flash on the common WROOM-32 module.
 * - STM32F746 (32F746G-DISCOVERY): Cortex-M7 at 216 MHz, 320 KB SRAM, 1 MB flash (STM32F746xx
 *   datasheet DS10916, section 1).
 * Only one core is counted: TFLite Micro runs a model on one.
 */
export const BOARDS = defineChoice('deploy.board', [
  { id: 'arduino-nano-33-ble-sense', label: 'Arduino Nano 33 BLE Sense (nRF52840)', help: 'nRF52840: Cortex-M4F at 64 MHz.', ramBytes: 256 * KB, flashBytes: 1024 * KB, core: 'cortex-m4', clockMHz: 64, default: true },
  { id: 'raspberry-pi-pico', label: 'Raspberry Pi Pico (RP2040)', help: 'RP2040: dual Cortex-M0+ at up to 133 MHz.', ramBytes: 264 * KB, flashBytes: 2048 * KB, core: 'cortex-m0plus', clockMHz: 133 },
  { id: 'esp32', label: 'ESP32 (520 KB SRAM, 4 MB flash module)', help: 'ESP32: dual Xtensa LX6 at up to 240 MHz.', ramBytes: 520 * KB, flashBytes: 4096 * KB, core: 'xtensa-lx6', clockMHz: 240 },
  { id: 'stm32f746', label: 'STM32F746 (Discovery kit)', help: 'STM32F746: Cortex-M7 at 216 MHz.', ramBytes: 320 * KB, flashBytes: 1024 * KB, core: 'cortex-m7', clockMHz: 216 },
]);
export type BoardId = IdOf<typeof BOARDS>;
// Each board's core must be one the latency model (export/mcu-latency.ts) has cycle figures for.
BOARDS.options satisfies ReadonlyArray<{ core: McuCore }>;
/** The fit check's board: a listed one, or one the user describes by its RAM and flash. */
export const CUSTOM_BOARD = { id: 'custom', label: 'Custom board…' } as const;
export type BoardChoice = BoardId | typeof CUSTOM_BOARD.id;

/**
 * The TFLite runtimes that run a run's .tflite files in the browser (engine/runtime/), and one
 * choice that is not a runtime: `measured` (issue 22) times the int8 and float32 files on every
 * runtime in the user's own browser and runs the files on the one whose int8 file is fastest
 * (jobs/runtime-choice.ts), because which one that is depends on the CPU. It is the default;
 * a runtime picked by name is used as it is, and nothing else is timed. `measures` marks it;
 * `wasmFolder` is only meaningful for the runtimes themselves.
 */
export const TFLITE_RUNTIMES = defineChoice('tflite.runtime', [
  {
    id: 'measured',
    name: 'the faster, measured',
    wasmFolder: '',
    label: 'The faster one, measured here',
    help: 'Times int8 and float32 on both runtimes in this browser (up to ~10 s) and uses the one with the faster int8.',
    urlCode: 'm',
    int8Io: false,
    measures: true,
    default: true,
  },
  { id: 'litert', name: 'LiteRT.js', wasmFolder: 'litert-wasm/', label: 'LiteRT.js (relaxed SIMD)', help: 'Its int8 kernels use relaxed SIMD’s int8 dot product.', urlCode: 'lrt', int8Io: false, measures: false },
  { id: 'tfjs-tflite', name: 'tfjs-tflite', wasmFolder: 'tflite-wasm/', label: 'tfjs-tflite (SIMD)', help: 'The older runtime: SIMD128 int8 kernels.', urlCode: 'tft', int8Io: true, measures: false },
]);
/** A runtime choice of the table: a runtime, or `measured`. */
export type RuntimeChoiceId = IdOf<typeof TFLITE_RUNTIMES>;
/** A runtime that can run a file (the table less `measured`). */
export type RuntimeId = Extract<OptionOf<typeof TFLITE_RUNTIMES>, { measures: false }>['id'];
/** The runtimes themselves, in the table's order (the order a tie in the measurement falls back on). */
export const RUNTIMES = TFLITE_RUNTIMES.options.filter((o): o is Extract<OptionOf<typeof TFLITE_RUNTIMES>, { measures: false }> => !o.measures);
/** The runtime where neither a pick nor a measurement decides (the first of the table's runtimes). */
export const FALLBACK_RUNTIME: RuntimeId = RUNTIMES[0].id;
export function isRuntime(id: RuntimeChoiceId): id is RuntimeId {
  return !TFLITE_RUNTIMES.get(id).measures;
}
/** `v` as a runtime that can run a file: a choice of the table, and not `measured` (which names no runtime). */
export function checkRuntime(v: unknown, field: string = TFLITE_RUNTIMES.field): RuntimeId {
  const id = TFLITE_RUNTIMES.check(v, field).id;
  if (isRuntime(id)) return id;
  throw new StudioError('bad-settings', `${field}: must be a runtime (${RUNTIMES.map((r) => r.id).join(', ')}); "${id}" chooses one by measuring.`, { field, value: v, allowed: RUNTIMES.map((r) => r.id) });
}

/** The int8 .tflite file's input and output. */
export const TFLITE_IO = defineChoice('tflite.io', [
  { id: 'float', label: 'float32 in and out', help: 'The file quantizes its input and dequantizes its output.', urlCode: 'f', default: true },
  { id: 'int8', label: 'int8 in and out', help: 'The caller quantizes input and dequantizes output.', urlCode: 'i8' },
]);
export type TfliteIo = IdOf<typeof TFLITE_IO>;

/**
 * The .tflite files a run exports (export/compress-exports.ts), each named `<model>_<suffix>`
 * (export/run-files.ts; `fileName` where no model id is known). `label` names it in the file table,
 * `fileLabel` in the fit check; `baseline`: the model before compression (not measured on TFLite).
 */
export const EXPORT_FILES = defineChoice('deploy.file', [
  { id: 'int8', label: 'int8, compressed', fileLabel: 'int8 .tflite', help: 'The compressed model, full-integer int8.', urlCode: 'i8', fileName: 'model_int8.tflite', baseline: false, default: true },
  {
    id: 'float32',
    label: 'float32, compressed (not quantized)',
    fileLabel: 'float32 .tflite (compressed)',
    help: 'The compressed model before quantization: int8’s fair comparison on one runtime.',
    urlCode: 'f32',
    fileName: 'model_float32.tflite',
    baseline: false,
  },
  { id: 'baseline-float32', label: 'float32, baseline', fileLabel: 'float32 .tflite (baseline)', help: 'The model before compression.', urlCode: 'base', fileName: 'baseline_float32.tflite', baseline: true },
]);
export type ExportLabel = IdOf<typeof EXPORT_FILES>;
