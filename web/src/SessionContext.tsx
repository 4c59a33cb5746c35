import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { setUnauthorizedHandler } from "./api/client";
import { loadSession, saveSession, type Session } from "./api/session";

interface SessionApi {
  session: Session | null;
  /** Why the user was sent back to sign-in, if they were. */
  signedOutReason: string | null;
  signIn: (s: Session) => void;
  signOut: (reason?: string) => void;
  /** Operator: act as a tenant with a key just issued for it (the operator key is kept to come back). */
  actAsTenant: (tenant: string, key: string) => void;
  /** Back from a tenant to the operator view. */
  backToOperator: () => void;
}

const Ctx = createContext<SessionApi | null>(null);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session | null }) {
  const qc = useQueryClient();
  const [session, setSession] = useState<Session | null>(() => {
    const s = initial !== undefined ? initial : loadSession();
    saveSession(s);
    return s;
  });
  const [signedOutReason, setReason] = useState<string | null>(null);

  const apply = useCallback(
    (s: Session | null) => {
      saveSession(s);
      qc.clear();
      setSession(s);
    },
    [qc],
  );
  const signOut = useCallback(
    (reason?: string) => {
      setReason(reason ?? null);
      apply(null);
    },
    [apply],
  );
  useEffect(() => {
    setUnauthorizedHandler(() => signOut("The hub did not accept your key (401): it may have been revoked. Sign in again."));
    return () => setUnauthorizedHandler(null);
  }, [signOut]);

  const value = useMemo<SessionApi>(
    () => ({
      session,
      signedOutReason,
      signIn: (s) => {
        setReason(null);
        apply(s);
      },
      signOut,
      actAsTenant: (tenant, key) => apply({ key, role: "tenant", tenant, adminKey: session?.role === "operator" ? session.key : session?.adminKey }),
      backToOperator: () => session?.adminKey && apply({ key: session.adminKey, role: "operator" }),
    }),
    [session, signedOutReason, apply, signOut],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const v = useContext(Ctx);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
