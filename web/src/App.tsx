import { lazy, Suspense, useEffect, useRef } from "react";
import { Button, Caption1, Tab, TabList, Text, makeStyles, tokens, Tooltip } from "@fluentui/react-components";
import { AppsListRegular, KeyMultipleRegular, PlugConnectedRegular, MailWarningRegular, PeopleTeamRegular, SignOutRegular, ArrowHookUpLeftRegular } from "@fluentui/react-icons";
import { useSession } from "./SessionContext";
import { match, navigate, useLocation } from "./router";
import { SignIn } from "./pages/SignIn";
import { Operator } from "./pages/Operator";
import { Gallery } from "./pages/Gallery";
import { IntegrationsList } from "./pages/Integrations";
import { IntegrationDetail } from "./pages/IntegrationDetail";
// The schema-form pages carry rjsf and Ajv: loaded when first opened, not with the shell.
const Wizard = lazy(() => import("./pages/wizard/Wizard").then((m) => ({ default: m.Wizard })));
const Credentials = lazy(() => import("./pages/Credentials").then((m) => ({ default: m.Credentials })));
import { DeadLetters } from "./pages/DeadLetters";
import { EmptyState, Loading } from "./components/Feedback";

const useStyles = makeStyles({
  shell: { display: "grid", gridTemplateColumns: "210px 1fr", gridTemplateRows: "52px 1fr", minHeight: "100vh", background: tokens.colorNeutralBackground2 },
  top: {
    gridColumn: "1 / 3",
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: `0 ${tokens.spacingHorizontalL}`,
    background: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, marginRight: "auto", display: "flex", alignItems: "center", gap: "8px" },
  who: { color: tokens.colorNeutralForegroundOnBrand },
  nav: { padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalS}`, background: tokens.colorNeutralBackground1, borderRight: `1px solid ${tokens.colorNeutralStroke2}` },
  main: { padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXXL}`, overflow: "auto", minWidth: 0, outline: "none" },
  skip: {
    position: "absolute",
    left: "-9999px",
    ":focus": { left: "8px", top: "8px", zIndex: 10, background: tokens.colorNeutralBackground1, padding: "8px" },
  },
});

type NavKey = "/" | "/gallery" | "/credentials" | "/dead-letters" | "/operator";

export function App() {
  const styles = useStyles();
  const { session, signOut, backToOperator } = useSession();
  const { path, query } = useLocation();
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    // Move focus to the page on navigation so keyboard and screen-reader users start at its heading.
    mainRef.current?.focus({ preventScroll: true });
  }, [path]);

  if (!session) return <SignIn />;

  const operator = session.role === "operator";
  const selected: NavKey = path.startsWith("/gallery")
    ? "/gallery"
    : path.startsWith("/credentials")
      ? "/credentials"
      : path.startsWith("/dead-letters")
        ? "/dead-letters"
        : path.startsWith("/operator")
          ? "/operator"
          : "/";

  let page: React.ReactNode;
  let params: Record<string, string> | null;
  if (operator && !path.startsWith("/operator")) page = <Operator />;
  else if (path === "/operator") page = operator ? <Operator /> : <EmptyState title="Operator only">Sign in with the admin key to manage tenants.</EmptyState>;
  else if (path === "/" || path === "/integrations") page = <IntegrationsList />;
  else if (path === "/gallery") page = <Gallery />;
  else if (path === "/integrations/new") page = <Wizard key={`new-${query.get("connector") ?? ""}`} connectorId={query.get("connector") ?? undefined} />;
  else if ((params = match("/integrations/:id/edit", path))) page = <Wizard key={`edit-${params.id}`} integrationId={params.id} />;
  else if ((params = match("/integrations/:id", path))) page = <IntegrationDetail id={params.id} />;
  else if (path === "/credentials") page = <Credentials />;
  else if (path === "/dead-letters") page = <DeadLetters />;
  else page = <EmptyState title="Page not found" action={<Button onClick={() => navigate("/")}>Go to integrations</Button>}>There is nothing at {path}.</EmptyState>;

  return (
    <div className={styles.shell}>
      <a href="#main" className={styles.skip}>
        Skip to content
      </a>
      <header className={styles.top}>
        <span className={styles.brand}>
          <img src="/favicon.svg" width={24} height={24} alt="" /> IntegrationHub
        </span>
        <Text className={styles.who} aria-live="polite">
          {operator ? "Operator (admin key)" : `Tenant ${session.tenant ?? ""}`}
        </Text>
        {!operator && session.adminKey && (
          <Tooltip content="Back to the operator view (admin key)" relationship="label">
            <Button appearance="transparent" style={{ color: "inherit" }} icon={<ArrowHookUpLeftRegular />} onClick={() => (backToOperator(), navigate("/operator"))}>
              Operator
            </Button>
          </Tooltip>
        )}
        <Button appearance="transparent" style={{ color: "inherit" }} icon={<SignOutRegular />} onClick={() => (signOut(), navigate("/", { replace: true }))}>
          Sign out
        </Button>
      </header>
      <nav className={styles.nav} aria-label="Main">
        <TabList vertical selectedValue={selected} onTabSelect={(_, d) => navigate(d.value as string)} size="medium">
          {operator ? (
            <Tab value="/operator" icon={<PeopleTeamRegular />}>
              Tenants & keys
            </Tab>
          ) : (
            <>
              <Tab value="/" icon={<PlugConnectedRegular />}>
                Integrations
              </Tab>
              <Tab value="/gallery" icon={<AppsListRegular />}>
                Gallery
              </Tab>
              <Tab value="/credentials" icon={<KeyMultipleRegular />}>
                Credentials
              </Tab>
              <Tab value="/dead-letters" icon={<MailWarningRegular />}>
                Dead letters
              </Tab>
            </>
          )}
        </TabList>
        {operator && <Caption1 style={{ display: "block", padding: 8 }}>Issue a tenant key and continue as the tenant to see its integrations.</Caption1>}
      </nav>
      <main id="main" className={styles.main} ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </main>
    </div>
  );
}
