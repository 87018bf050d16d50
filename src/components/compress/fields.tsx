/**
 * Labelled form controls for the compression settings. Each names the settings field it edits
 * (a dotted path such as "quant.calibration.samples"); an engine error about that field appears
 * under the control, which is marked invalid and described by it.
 */
import { useId, useState, type ReactNode } from 'react';
import { useStudio } from '../../state/store';
import { fieldMessage } from '../format';

/** The message of the compression error about exactly `field`, if there is one. */
export function useFieldError(field: string): string | undefined {
  return useStudio((s) => {
    const e = s.error?.job === 'compress' ? s.error.error : undefined;
    const f = e?.context.field;
    if (!e || f !== field) return undefined;
    return fieldMessage(e.message, field);
  });
}

function ErrorText({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span id={id} role="alert" className="field-error" data-testid="field-error">
      {message}
    </span>
  );
}

interface Common {
  label: ReactNode;
  field: string;
  testId?: string;
  disabled?: boolean;
  hint?: ReactNode;
  /** Hidden in lecture mode (styles.css). */
  advanced?: boolean;
  /** The id of an element that explains the control (an idea beside it, ideas.ts). */
  describedBy?: string;
}

/** aria-describedby: the error under the control first, then its explanation. */
const describedBy = (errorId: string | undefined, idea: string | undefined) => [errorId, idea].filter(Boolean).join(' ') || undefined;

/**
 * A number input that keeps what the user typed (so "0" or an empty box reach the engine's
 * validation rather than being silently clamped). Empty means undefined when `optional`.
 */
export function NumberField({
  label,
  field,
  testId,
  disabled,
  hint,
  advanced,
  describedBy: idea,
  value,
  onChange,
  optional,
  min,
  max,
  step,
  placeholder,
  errorMessage,
}: Common & { value: number | undefined; onChange: (v: number | undefined) => void; optional?: boolean; min?: number; max?: number; step?: number | 'any'; placeholder?: string; errorMessage?: string }) {
  const id = useId();
  const fieldError = useFieldError(field);
  const error = errorMessage ?? fieldError;
  const shown = value === undefined || Number.isNaN(value) ? '' : String(value);
  const [text, setText] = useState(shown);
  const parse = (t: string) => (t.trim() === '' ? (optional ? undefined : Number.NaN) : Number(t));
  // Follow changes made elsewhere (a reset, a restored run) without fighting the user's typing.
  if (!Object.is(parse(text), value) && !(value === undefined && text === '')) setText(shown);
  return (
    <div className={advanced ? 'field advanced' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        value={text}
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        disabled={disabled}
        data-testid={testId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(error ? `${id}-err` : undefined, idea)}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parse(e.target.value));
        }}
      />
      {hint && <span className="hint">{hint}</span>}
      <ErrorText id={`${id}-err`} message={error} />
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  field,
  testId,
  disabled,
  hint,
  advanced,
  describedBy: idea,
  value,
  options,
  onChange,
}: Common & { value: T; options: ReadonlyArray<{ value: T; label: string }>; onChange: (v: T) => void }) {
  const id = useId();
  const error = useFieldError(field);
  return (
    <div className={advanced ? 'field advanced' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} data-testid={testId} aria-invalid={error ? true : undefined} aria-describedby={describedBy(error ? `${id}-err` : undefined, idea)} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && <span className="hint">{hint}</span>}
      <ErrorText id={`${id}-err`} message={error} />
    </div>
  );
}

/** A fraction 0-1 on a slider, shown as a percentage beside it. */
export function FractionSlider({ label, field, testId, disabled, hint, advanced, describedBy: idea, value, onChange, max = 0.95, step = 0.05 }: Common & { value: number; onChange: (v: number) => void; max?: number; step?: number }) {
  const id = useId();
  const error = useFieldError(field);
  return (
    <div className={advanced ? 'field advanced' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <div className="slider">
        <input
          id={id}
          type="range"
          min={0}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          data-testid={testId}
          aria-valuetext={`${Math.round(value * 100)}%`}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(error ? `${id}-err` : undefined, idea)}
          onChange={(e) => onChange(Number(e.target.value))}
        />
        <output htmlFor={id} data-testid={testId && `${testId}-value`}>
          {Math.round(value * 100)}%
        </output>
      </div>
      {hint && <span className="hint">{hint}</span>}
      <ErrorText id={`${id}-err`} message={error} />
    </div>
  );
}

export function CheckboxField({ label, field, testId, disabled, advanced, checked, onChange }: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  const error = useFieldError(field);
  const id = useId();
  return (
    <div className={advanced ? 'field advanced' : 'field'}>
      <label className="check">
        <input type="checkbox" checked={checked} disabled={disabled} data-testid={testId} aria-describedby={error ? `${id}-err` : undefined} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
      <ErrorText id={`${id}-err`} message={error} />
    </div>
  );
}
