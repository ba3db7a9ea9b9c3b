import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/errors";
import { useAnnounce } from "../announcer";
import { navigate } from "../router";
import { useServices } from "../services";
import { focusFirstError, PasswordField, passwordRefusal } from "./PasswordField";

type Errors = Partial<Record<"account_password" | "form", string>>;

/** Closing the account: what it does, said before; the password asked again as the confirmation. */
export function DeleteAccountForm() {
  const { api, store } = useServices();
  const announce = useAnnounce();
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (attempt) focusFirstError(form.current, ["account_password"], errors);
  }, [attempt, errors]);

  const remove = useMutation<void, Error>({
    mutationFn: () => api.deleteAccount(password),
    onSuccess: () => {
      // Every session of the account ended on the server already: nothing to sign out.
      store.forget();
      navigate("/signin", { replace: true });
      announce("Your account and every photo in it were deleted.");
    },
    onError: (error) => {
      const refusal = error instanceof ApiError ? passwordRefusal(error.status, error.retryAfter) : null;
      if (error instanceof ApiError && error.status === 403 && refusal) setErrors({ account_password: refusal });
      else setErrors({ form: refusal ?? (error instanceof ApiError ? error.message : "Network error. Please try again.") });
      setAttempt((count) => count + 1);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (remove.isPending) return;
    const found: Errors = password ? {} : { account_password: "Enter your password to delete the account." };
    setErrors(found);
    if (found.account_password) setAttempt((count) => count + 1);
    else remove.mutate();
  };

  return (
    <form ref={form} className="card account-form danger-zone" onSubmit={onSubmit} noValidate aria-labelledby="delete-title">
      <h2 id="delete-title">Delete your account</h2>
      <ul className="consequences">
        <li>Every photo you uploaded, its original and every optimized file, is deleted. Download them first if you want to keep them.</li>
        <li>You are signed out on every device, at once.</li>
        <li>This cannot be undone. Your email address can be used to create a new, empty account.</li>
      </ul>
      {errors.form ? (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <PasswordField
        id="account_password"
        label="Your password, to confirm"
        value={password}
        onChange={setPassword}
        error={errors.account_password}
        autoComplete="current-password"
      />
      <div>
        <button className="button danger" type="submit" aria-disabled={remove.isPending} aria-busy={remove.isPending}>
          {remove.isPending ? "Deleting…" : "Delete my account and photos"}
        </button>
      </div>
    </form>
  );
}
