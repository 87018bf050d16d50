/** The self-contained ES bundle of @tensorflow/tfjs-tflite (its "module" entry imports a file the package does not ship). */
declare module '@tensorflow/tfjs-tflite/dist/tf-tflite.fesm.js' {
  export * from '@tensorflow/tfjs-tflite';
}
