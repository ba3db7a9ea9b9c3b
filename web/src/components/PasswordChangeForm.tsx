import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/errors";
import { useAnnounce } from "../announcer";
import { useServices } from "../services";
import { SESSIONS_KEY } from "./SessionList";
import { focusFirstError, PasswordField, passwordRefusal } from "./PasswordField";

type Field = "current_password" | "new_password" | "new_password_confirm";
type Errors = Partial<Record<Field | "form", string>>;
const FIELDS: Field[] = ["current_password", "new_password", "new_password_confirm"];

export function validatePasswordChange(current: string, next: string, confirm: string): Errors {
  const errors: Errors = {};
  if (!current) errors.current_password = "Enter your current password.";
  if (next.length < 8) errors.new_password = "Use at least 8 characters.";
  else if (next.length > 128) errors.new_password = "Use at most 128 characters.";
  if (confirm !== next) errors.new_password_confirm = "The passwords do not match.";
  return errors;
}

function serverErrors(error: unknown): Errors {
  if (!(error instanceof ApiError)) return { form: "Network error. Please try again." };
  const refusal = passwordRefusal(error.status, error.retryAfter);
  if (error.status === 403 && refusal) return { current_password: refusal };
  if (refusal) return { form: refusal };
  if (error.status === 422) {
    const known: Errors = {};
    if (error.fields.current_password) known.current_password = error.fields.current_password;
    if (error.fields.new_password) known.new_password = error.fields.new_password;
    if (Object.keys(known).length) return known;
  }
  return { form: error.message };
}

/** Current and new password; the server then signs out every other session (this one stays). */
export function PasswordChangeForm() {
  const { api } = useServices();
  const client = useQueryClient();
  const announce = useAnnounce();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (attempt) focusFirstError(form.current, FIELDS, errors);
  }, [attempt, errors]);

  const change = useMutation<void, Error>({
    mutationFn: () => api.changePassword(current, next),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setConfirm("");
      setErrors({});
      setDone(true);
      announce("Password changed. Every other session was signed out.");
      void client.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
    onError: (error) => {
      setErrors(serverErrors(error));
      setAttempt((count) => count + 1);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (change.isPending) return;
    setDone(false);
    const found = validatePasswordChange(current, next, confirm);
    setErrors(found);
    if (Object.keys(found).length === 0) change.mutate();
    else setAttempt((count) => count + 1);
  };

  return (
    <form ref={form} className="card account-form" onSubmit={onSubmit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <p className="hint">Every other device signed in to this account is signed out; this one stays.</p>
      {errors.form ? (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <PasswordField id="current_password" label="Current password" value={current} onChange={setCurrent} error={errors.current_password} autoComplete="current-password" />
      <PasswordField id="new_password" label="New password" value={next} onChange={setNext} error={errors.new_password} autoComplete="new-password" />
      <PasswordField id="new_password_confirm" label="Confirm new password" value={confirm} onChange={setConfirm} error={errors.new_password_confirm} autoComplete="new-password" />
      <div>
        <button className="button" type="submit" aria-disabled={change.isPending} aria-busy={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </button>
      </div>
      {done ? <p className="ok-text">Your password was changed.</p> : null}
    </form>
  );
}
