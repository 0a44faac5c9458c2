import { describe, expect, it } from 'vitest';
import { ApiError } from './api.ts';
import { fieldMessage, fieldOfIssuePath, firstFieldWithError, formErrorsFrom } from './form-errors.ts';

const labels = { name: 'Your name', email: 'Work e-mail', companyName: 'Company name', password: 'Password' } as const;
const fields = Object.keys(labels) as (keyof typeof labels)[];

describe('fieldOfIssuePath', () => {
  it('maps body.<field> to the field, and nothing else', () => {
    expect(fieldOfIssuePath('body.password', fields)).toBe('password');
    expect(fieldOfIssuePath('body.companyName', fields)).toBe('companyName');
    expect(fieldOfIssuePath('body', fields)).toBeUndefined();
    expect(fieldOfIssuePath('body.other', fields)).toBeUndefined();
    expect(fieldOfIssuePath('querystring.password', fields)).toBeUndefined();
  });
});

describe('fieldMessage', () => {
  it('puts the label before a fragment and ends with a full stop', () => {
    expect(fieldMessage('Password', 'is required')).toBe('Password is required.');
    expect(fieldMessage('Work e-mail', 'must be a valid e-mail address')).toBe('Work e-mail must be a valid e-mail address.');
  });
  it('shows whole sentences as they are', () => {
    expect(fieldMessage('Password', 'Too small: expected string to have >=12 characters')).toBe(
      'Too small: expected string to have >=12 characters.',
    );
    expect(fieldMessage('Password', 'is too easy to guess. Add another word or two.')).toBe(
      'Password is too easy to guess. Add another word or two.',
    );
  });
});

describe('formErrorsFrom', () => {
  it('puts validation issues beside their fields, without a form message', () => {
    const error = new ApiError(400, 'validation_failed', 'Invalid input: …', [
      { path: 'body.email', message: 'must be a valid e-mail address' },
      { path: 'body.password', message: 'must be at least 12 characters' },
      { path: 'body.password', message: 'a second problem is not shown' },
    ]);
    expect(formErrorsFrom(error, labels)).toEqual({
      fields: { email: 'Work e-mail must be a valid e-mail address.', password: 'Password must be at least 12 characters.' },
    });
  });

  it('shows a rule error that names a field (weak password) beside the field only, not twice', () => {
    const error = new ApiError(400, 'auth.weak_password', 'Password is too easy to guess.', [
      { path: 'body.password', message: 'is too easy to guess.' },
    ]);
    expect(formErrorsFrom(error, labels)).toEqual({ fields: { password: 'Password is too easy to guess.' } });
  });

  it('turns issues without a matching field into the form message', () => {
    const error = new ApiError(400, 'validation_failed', 'Invalid input', [
      { path: 'body', message: 'unknown field(s): extra' },
      { path: 'body.name', message: 'is required' },
    ]);
    expect(formErrorsFrom(error, labels)).toEqual({
      fields: { name: 'Your name is required.' },
      form: 'Unknown field(s): extra.',
    });
  });

  it('uses the message of errors without issues, and a generic one for anything else', () => {
    expect(formErrorsFrom(new ApiError(401, 'auth.invalid_credentials', 'The e-mail address or password is not right.'), labels)).toEqual({
      fields: {},
      form: 'The e-mail address or password is not right.',
    });
    expect(formErrorsFrom(new Error('boom'), labels).form).toMatch(/Something went wrong/);
  });
});

describe('firstFieldWithError', () => {
  it('follows the form order', () => {
    expect(firstFieldWithError({ password: 'x', email: 'y' }, fields)).toBe('email');
    expect(firstFieldWithError({ name: undefined }, fields)).toBeUndefined();
  });
});
