import { useEffect, useRef } from 'react';

/** One test image (uint8 NHWC, 1 or 3 channels) drawn at its own resolution; CSS scales it up, pixelated. */
export function RecordImage({ pixels, shape, label }: { pixels: Uint8Array; shape: [number, number, number]; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [h, w, c] = shape;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      img.data[4 * i] = pixels[c * i];
      img.data[4 * i + 1] = pixels[c * i + (c === 3 ? 1 : 0)];
      img.data[4 * i + 2] = pixels[c * i + (c === 3 ? 2 : 0)];
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, h, w, c]);
  return <canvas ref={ref} width={w} height={h} role="img" aria-label={label} />;
}
