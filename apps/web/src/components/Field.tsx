import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { passwordRules } from '../password.ts';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'type'>;

interface TextFieldProps extends InputProps {
  /** The input's id; also the name used to focus it after a failed submit. */
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  type?: 'text' | 'email' | 'password';
  hint?: ReactNode;
  error?: string;
}

/** What ties a control to its hint and error: spread onto the control. */
export interface Described {
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldFrameProps {
  /** The control's id: the label points at it, and a failed submit focuses it. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** Draws the control, given the aria attributes that tie it to the hint and the error. */
  control: (described: Described) => ReactNode;
  /** A class for the field's box besides `field` (for a screen's own layout). */
  className?: string;
}

/**
 * The one frame of every form control: its label, its error (announced before the control) and its hint,
 * tied to the control with aria-describedby and aria-invalid. Inputs, selects and date pickers all use it.
 */
export function FieldFrame({ id, label, hint, error, control, className }: FieldFrameProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ');
  const described: Described = {};
  if (describedBy) described['aria-describedby'] = describedBy;
  if (error) described['aria-invalid'] = true;
  return (
    <div className={['field', className, error ? 'field-invalid' : ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p id={errorId} className="field-error">
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      {control(described)}
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
    </div>
  );
}

/** A labelled input whose hint and error are tied to it with aria-describedby. */
export function TextField({ id, label, value, onValueChange, type = 'text', hint, error, ...rest }: TextFieldProps) {
  return (
    <FieldFrame
      id={id}
      label={label}
      hint={hint}
      error={error}
      control={(described) => (
        <input id={id} name={id} type={type} value={value} onChange={(event) => onValueChange(event.target.value)} {...described} {...rest} />
      )}
    />
  );
}

interface PasswordFieldProps extends Omit<TextFieldProps, 'type' | 'hint'> {
  /** Show the rules for a new password (sign-up, reset, invitation); off for sign-in. */
  showRules?: boolean;
}

/** A password input with a show/hide button and, for new passwords, the rules and whether they are met. */
export function PasswordField({ showRules = false, id, ...rest }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const rules = showRules ? passwordRules(rest.value) : [];
  const hint = showRules ? (
      <ul className="rules" aria-label="Password rules">
        {rules.map((rule) => (
          <li key={rule.id} className={rule.met && rest.value ? 'rule rule-met' : 'rule'}>
            <span className="rule-mark" aria-hidden="true">
              {rule.met && rest.value ? '✓' : '•'}
            </span>
            {rule.text}
            {rest.value ? <span className="visually-hidden">{rule.met ? ' (met)' : ' (not met yet)'}</span> : null}
          </li>
        ))}
        <li className="rule">
          <span className="rule-mark" aria-hidden="true">
            •
          </span>
          Not a common or easily guessed password (checked when you submit)
        </li>
      </ul>
  ) : undefined;
  return (
    <div className="password-field">
      <TextField id={id} type={visible ? 'text' : 'password'} hint={hint} spellCheck={false} autoCapitalize="none" {...rest} />
      <button
        type="button"
        className="button-link password-toggle"
        aria-controls={id}
        aria-pressed={visible}
        onClick={() => setVisible((shown) => !shown)}
      >
        {visible ? 'Hide password' : 'Show password'}
      </button>
    </div>
  );
}
