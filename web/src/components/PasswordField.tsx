/** A password input whose error, when there is one, is shown under it and is its description (as on the sign-in form). */
export function PasswordField({
  id,
  label,
  value,
  onChange,
  error,
  autoComplete,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  autoComplete: "current-password" | "new-password";
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        type="password"
        value={value}
        autoComplete={autoComplete}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        required
      />
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Focuses the first field in error of `form` among `ids`, in order. */
export function focusFirstError(form: HTMLFormElement | null, ids: string[], errors: Partial<Record<string, string>>): void {
  const first = ids.find((id) => errors[id]);
  if (first) form?.querySelector<HTMLInputElement>(`#${first}`)?.focus();
}

/** A refused password check as words: 403 is a wrong password, 429 too many attempts. */
export function passwordRefusal(status: number, retryAfter: number | null): string | null {
  if (status === 403) return "That is not your current password.";
  if (status === 429) return `Too many attempts. Try again in ${retryAfter ? `${retryAfter} seconds` : "a minute"}.`;
  return null;
}
