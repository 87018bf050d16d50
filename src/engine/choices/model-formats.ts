/** The formats a user can bring, by id, with the labels the studio shows (plain data: the UI reads it without loading any reader). */
export const MODEL_FORMAT_LABELS = {
  keras: 'Keras 3 .keras',
  'keras-h5': 'Keras 2 .h5',
  tflite: 'TFLite (float)',
  'tfjs-layers': 'tfjs LayersModel',
  onnx: 'ONNX',
} as const;

export type ModelFormatId = keyof typeof MODEL_FORMAT_LABELS;
