import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import type { SessionReply } from "../api/types";
import AuthPage from "../pages/AuthPage";
import { fakeApi, renderWith } from "./fakes";

const reply: SessionReply = {
  access_token: "a",
  refresh_token: "r",
  token_type: "bearer",
  expires_in: 900,
  user: { id: "u1", email: "me@example.com" },
};

async function fill(fields: Record<string, string>) {
  const user = userEvent.setup();
  for (const [label, value] of Object.entries(fields)) await user.type(screen.getByLabelText(label), value);
  return user;
}

describe("sign up", () => {
  it("validates before submitting and names each field", async () => {
    const { api } = renderWith(<AuthPage mode="signup" />);
    const user = await fill({ Email: "not-an-email", Password: "short", "Confirm password": "other" });
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription("Enter a valid email address.");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Use at least 8 characters.");
    expect(screen.getByLabelText("Confirm password")).toHaveAccessibleDescription("The passwords do not match.");
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    // Focus goes to the first field in error, which reads its message; no alert chatter.
    expect(screen.getByLabelText("Email")).toHaveFocus();
    expect(screen.queryAllByRole("alert")).toHaveLength(0);
    expect(api.register).not.toHaveBeenCalled();
  });

  it("has its own title, focuses its heading, and after an empty submit the first error", async () => {
    renderWith(<AuthPage mode="signup" />);
    expect(document.title).toBe("Create your account · pixelflow");
    expect(screen.getByRole("heading", { name: "Create your account" })).toHaveFocus();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "me@example.com");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByLabelText("Password")).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByLabelText("Password")).toHaveFocus();
  });

  it("shows a taken email next to the field", async () => {
    const api = fakeApi({ register: vi.fn(async () => Promise.reject(new ApiError(409, "an account with this email already exists"))) });
    renderWith(<AuthPage mode="signup" />, { api });
    const user = await fill({ Email: "me@example.com", Password: "long enough", "Confirm password": "long enough" });
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("An account with this email already exists.")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription("An account with this email already exists.");
    expect(screen.getByLabelText("Email")).toHaveFocus();
  });

  it("maps the server's field errors (422)", async () => {
    const error = new ApiError(422, "x", { password: "String should have at least 8 characters" });
    const api = fakeApi({ register: vi.fn(async () => Promise.reject(error)) });
    renderWith(<AuthPage mode="signup" />, { api });
    const user = await fill({ Email: "me@example.com", Password: "long enough", "Confirm password": "long enough" });
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("String should have at least 8 characters")).toBeInTheDocument();
  });
});

describe("sign in", () => {
  it("announces wrong credentials", async () => {
    const api = fakeApi({ login: vi.fn(async () => Promise.reject(new ApiError(401, "invalid email or password"))) });
    renderWith(<AuthPage mode="signin" />, { api });
    const user = await fill({ Email: "me@example.com", Password: "wrong password" });
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid email or password.");
  });

  it("says how long to wait when rate limited", async () => {
    const api = fakeApi({ login: vi.fn(async () => Promise.reject(new ApiError(429, "too many", {}, 42))) });
    renderWith(<AuthPage mode="signin" />, { api });
    const user = await fill({ Email: "me@example.com", Password: "whatever" });
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Try again in 42 seconds.");
  });

  it("shows progress and cannot submit twice", async () => {
    let finish: (value: SessionReply) => void = () => undefined;
    const login = vi.fn(() => new Promise<SessionReply>((resolve) => (finish = resolve)));
    const { store } = renderWith(<AuthPage mode="signin" />, { api: fakeApi({ login }) });
    const user = await fill({ Email: "me@example.com", Password: "correct horse" });
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const busy = screen.getByRole("button", { name: "Signing in…" });
    expect(busy).toHaveAttribute("aria-disabled", "true");
    await user.click(busy);
    expect(busy).toHaveFocus();
    expect(login).toHaveBeenCalledTimes(1);
    finish(reply);
    await waitFor(() => expect(store.get()?.user.email).toBe("me@example.com"));
    expect(window.location.pathname).toBe("/");
  });
});
