import { DeleteAccountForm } from "../components/DeleteAccountForm";
import { ExportButton } from "../components/ExportButton";
import { PasswordChangeForm } from "../components/PasswordChangeForm";
import { SessionList } from "../components/SessionList";
import { useSession } from "../services";
import { useView } from "../view";

/** The account: password, signed-in sessions, the export and closing the account (issue 18). */
export default function AccountPage() {
  const heading = useView("Your account");
  const session = useSession();
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Your account
      </h1>
      <p className="hint">Signed in as {session?.user.email}.</p>
      <PasswordChangeForm />
      <SessionList />
      <ExportButton />
      <DeleteAccountForm />
    </>
  );
}
