import { useEffect, useRef, useState, type FormEvent } from 'react';
import { firstFieldWithError, formErrorsFrom, type FieldErrors, type FormErrors } from './form-errors.ts';

export interface FormController<F extends string> {
  busy: boolean;
  errors: FormErrors<F>;
  /** Clears one field's error (call when its value changes). */
  clearField: (field: F) => void;
  /** Shows a message for the whole form. */
  setFormError: (message: string | undefined) => void;
  /**
   * An onSubmit handler: runs `check` (browser-side problems, by field); when there are none, runs
   * `send`, mapping an API error onto the fields. Focus moves to the first field with an error.
   */
  onSubmit: (check: () => FieldErrors<F>, send: () => Promise<void>) => (event: FormEvent<HTMLFormElement>) => void;
}

/** Busy state, field errors and focus handling shared by every form. */
export function useForm<F extends string>(labels: Readonly<Record<F, string>>): FormController<F> {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors<F>>({ fields: {} });
  const [focusRequest, setFocusRequest] = useState<{ field: F } | null>(null);
  const busyRef = useRef(false);
  const order = Object.keys(labels) as F[];

  useEffect(() => {
    if (focusRequest) document.getElementById(focusRequest.field)?.focus();
  }, [focusRequest]);

  function show(next: FormErrors<F>) {
    setErrors(next);
    const field = firstFieldWithError(next.fields, order);
    if (field !== undefined) setFocusRequest({ field });
  }

  return {
    busy,
    errors,
    clearField: (field) =>
      setErrors((current) => {
        if (current.fields[field] === undefined) return current;
        const fields = { ...current.fields };
        delete fields[field];
        return { ...current, fields };
      }),
    setFormError: (message) => setErrors((current) => ({ ...current, form: message })),
    onSubmit: (check, send) => (event) => {
      event.preventDefault();
      if (busyRef.current) return;
      const problems = check();
      if (firstFieldWithError(problems, order) !== undefined) {
        show({ fields: problems });
        return;
      }
      setErrors({ fields: {} });
      busyRef.current = true;
      setBusy(true);
      send()
        .catch((error: unknown) => show(formErrorsFrom(error, labels)))
        .finally(() => {
          busyRef.current = false;
          setBusy(false);
        });
    },
  };
}
