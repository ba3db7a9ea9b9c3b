import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/errors";
import type { SessionReply } from "../api/types";
import { navigate } from "../router";
import { useServices } from "../services";
import { useView } from "../view";

export type AuthMode = "signin" | "signup";
type Field = "email" | "password" | "password_confirm";
type Errors = Partial<Record<Field | "form", string>>;

const FIELDS: Field[] = ["email", "password", "password_confirm"];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validate(mode: AuthMode, email: string, password: string, confirm: string): Errors {
  const errors: Errors = {};
  if (!EMAIL.test(email.trim())) errors.email = "Enter a valid email address.";
  if (mode === "signup") {
    if (password.length < 8) errors.password = "Use at least 8 characters.";
    else if (password.length > 128) errors.password = "Use at most 128 characters.";
    if (confirm !== password) errors.password_confirm = "The passwords do not match.";
  } else if (!password) {
    errors.password = "Enter your password.";
  }
  return errors;
}

function serverErrors(error: ApiError): Errors {
  if (error.status === 409) return { email: "An account with this email already exists." };
  if (error.status === 401) return { form: "Invalid email or password." };
  if (error.status === 429) {
    const wait = error.retryAfter ? ` Try again in ${error.retryAfter} seconds.` : " Try again in a minute.";
    return { form: `Too many attempts.${wait}` };
  }
  if (error.status === 422 && Object.keys(error.fields).length) {
    const known: Errors = {};
    for (const [field, message] of Object.entries(error.fields)) {
      if (field === "email" || field === "password" || field === "password_confirm") known[field] = message;
    }
    return Object.keys(known).length ? known : { form: error.message };
  }
  return { form: error.message || "Something went wrong. Please try again." };
}

export default function AuthPage({ mode }: { mode: AuthMode }) {
  const { api, store } = useServices();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const signUp = mode === "signup";
  const heading = useView<HTMLHeadingElement>(signUp ? "Create your account" : "Sign in");
  const form = useRef<HTMLFormElement>(null);
  // Bumped by each submit that found errors, so focus moves even when the errors are the same.
  const [attempt, setAttempt] = useState(0);

  // After a refused submit, focus goes to the first field in error (its message is its
  // description, so it is read with it); a form-wide error is announced by its alert.
  useEffect(() => {
    if (!attempt) return;
    const first = FIELDS.find((name) => errors[name]);
    if (first) form.current?.querySelector<HTMLInputElement>(`#${first}`)?.focus();
  }, [attempt, errors]);

  const submit = useMutation<SessionReply, ApiError>({
    mutationFn: () => (signUp ? api.register(email.trim(), password, confirm) : api.login(email.trim(), password)),
    onSuccess: (reply) => {
      store.signIn(reply);
      navigate("/", { replace: true });
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? serverErrors(error) : { form: "Network error. Please try again." });
      setAttempt((count) => count + 1);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (submit.isPending) return;
    const found = validate(mode, email, password, confirm);
    setErrors(found);
    if (Object.keys(found).length === 0) submit.mutate();
    else setAttempt((count) => count + 1);
  };

  const field = (name: Field, label: string, value: string, set: (v: string) => void, type: string, autoComplete: string) => (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        value={value}
        autoComplete={autoComplete}
        onChange={(event) => set(event.target.value)}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `${name}-error` : undefined}
        required
      />
      {errors[name] ? (
        <p id={`${name}-error`} className="field-error">
          {errors[name]}
        </p>
      ) : null}
    </div>
  );

  return (
    <main className="auth">
      <form ref={form} className="card auth-card" onSubmit={onSubmit} noValidate aria-labelledby="auth-title">
        <p className="brand">pixelflow</p>
        <h1 id="auth-title" ref={heading} tabIndex={-1}>{signUp ? "Create your account" : "Sign in"}</h1>
        {errors.form ? (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        ) : null}
        {field("email", "Email", email, setEmail, "email", "email")}
        {field("password", "Password", password, setPassword, "password", signUp ? "new-password" : "current-password")}
        {signUp ? field("password_confirm", "Confirm password", confirm, setConfirm, "password", "new-password") : null}
        {/* aria-disabled, not disabled: a disabled button loses focus to the page body. onSubmit ignores
            a second submit while the first is pending. */}
        <button className="button" type="submit" aria-disabled={submit.isPending} aria-busy={submit.isPending}>
          {submit.isPending ? (signUp ? "Creating account…" : "Signing in…") : signUp ? "Create account" : "Sign in"}
        </button>
        <p className="switch">
          {signUp ? "Already have an account? " : "New here? "}
          <a
            href={signUp ? "/signin" : "/signup"}
            onClick={(event) => {
              event.preventDefault();
              navigate(signUp ? "/signin" : "/signup");
            }}
          >
            {signUp ? "Sign in" : "Create an account"}
          </a>
        </p>
      </form>
    </main>
  );
}
