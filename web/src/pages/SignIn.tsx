import { useState, type FormEvent } from "react";
import { Body1, Button, Card, Field, Input, MessageBar, MessageBarBody, Title2, makeStyles, tokens, Caption1 } from "@fluentui/react-components";
import { identify } from "../api/session";
import { useSession } from "../SessionContext";
import { ProblemBar } from "../components/Feedback";
import { navigate } from "../router";

const useStyles = makeStyles({
  page: { minHeight: "100vh", display: "grid", placeItems: "center", background: tokens.colorNeutralBackground2, padding: tokens.spacingHorizontalL },
  card: { width: "min(480px, 100%)", padding: tokens.spacingVerticalXXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

export function SignIn() {
  const styles = useStyles();
  const { signIn, signedOutReason } = useSession();
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!key.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const s = await identify(key);
      signIn(s);
      navigate(s.role === "operator" ? "/operator" : "/", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <Title2 as="h1">Sign in to IntegrationHub</Title2>
        <Body1>
          Paste your tenant API key (<code>ihk_…</code>) or the operator's admin key. The key stays in this browser tab only (session storage) and is
          forgotten when you close it.
        </Body1>
        {signedOutReason && (
          <MessageBar intent="warning">
            <MessageBarBody>{signedOutReason}</MessageBarBody>
          </MessageBar>
        )}
        <form className={styles.form} onSubmit={submit}>
          <Field label="API key or admin key" required hint="Sent as Authorization: Bearer <key> on every call.">
            <Input type="password" value={key} onChange={(_, d) => setKey(d.value)} autoComplete="off" autoFocus name="api-key" />
          </Field>
          <ProblemBar error={error} />
          <Button appearance="primary" type="submit" disabled={busy || !key.trim()}>
            {busy ? "Checking key…" : "Sign in"}
          </Button>
        </form>
        <Caption1>No key yet? The operator issues tenant keys from the Operator page after signing in with the admin key.</Caption1>
      </Card>
    </main>
  );
}
