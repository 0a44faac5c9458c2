// @vitest-environment happy-dom
import { useState } from 'react';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function Harness({ onConfirm }: { onConfirm: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [closed, setClosed] = useState(0);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Delete thing
      </button>
      <p>Closed {closed} times</p>
      <ConfirmDialog
        open={open}
        title="Delete the thing?"
        confirmLabel="Delete"
        busyLabel="Deleting…"
        tone="danger"
        onConfirm={onConfirm}
        onClose={() => {
          setOpen(false);
          setClosed((count) => count + 1);
        }}
      >
        <p>It cannot be brought back.</p>
      </ConfirmDialog>
    </>
  );
}

const openDialog = () => document.querySelector('dialog[open]') as HTMLDialogElement | null;

describe('the confirmation dialog', () => {
  it('opens as a modal with focus on Cancel; cancelling does nothing and gives focus back to the opener', async () => {
    const onConfirm = vi.fn(async () => undefined);
    render(<Harness onConfirm={onConfirm} />);
    const opener = screen.getByRole('button', { name: 'Delete thing' });
    const showModal = vi.spyOn(HTMLDialogElement.prototype, 'showModal');
    opener.focus();
    fireEvent.click(opener);
    const dialog = openDialog()!;
    expect(showModal).toHaveBeenCalledTimes(1);
    expect(dialog.getAttribute('aria-labelledby')).toBe(within(dialog).getByRole('heading').id);
    expect(within(dialog).getByRole('heading').textContent).toBe('Delete the thing?');
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe('It cannot be brought back.');
    expect(document.activeElement?.textContent).toBe('Cancel');

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(openDialog()).toBeNull());
    expect(onConfirm).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps the dialog open with the error when the action fails, and closes when it succeeds', async () => {
    let attempts = 0;
    render(
      <Harness
        onConfirm={async () => {
          attempts += 1;
          if (attempts === 1) throw new ApiError(409, 'thing.in_use', 'The thing is still in use.');
        }}
      />,
    );
    const opener = screen.getByRole('button', { name: 'Delete thing' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = openDialog()!;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('alert')).toHaveProperty('textContent', 'The thing is still in use.');
    expect(dialog.open).toBe(true);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(openDialog()).toBeNull());
    expect(attempts).toBe(2);
    expect(screen.getByText('Closed 1 times')).toBeTruthy();
    expect(document.activeElement).toBe(opener);
    // Opened again, it starts without the old error.
    fireEvent.click(opener);
    expect(within(openDialog()!).queryByRole('alert')).toBeNull();
  });
});

describe('the copy button', () => {
  function renderCopy() {
    render(
      <>
        <label htmlFor="secret">Secret</label>
        <input id="secret" readOnly value="swk_secret" />
        <CopyButton text="swk_secret" targetId="secret" />
      </>,
    );
  }

  it('puts the text on the clipboard and says so', async () => {
    const writeText = vi.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderCopy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText('Copied.')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith('swk_secret');
  });

  it('when the clipboard is refused, selects the text and says how to copy it', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async () => Promise.reject(new Error('denied')) }, configurable: true });
    renderCopy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText(/press Ctrl\+C/)).toBeTruthy();
    const input = screen.getByLabelText('Secret') as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    expect([input.selectionStart, input.selectionEnd]).toEqual([0, 'swk_secret'.length]);
  });
});
