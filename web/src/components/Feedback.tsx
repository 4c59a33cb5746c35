import type { ReactNode } from "react";
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Badge, makeStyles, tokens, Body1, Subtitle1 } from "@fluentui/react-components";
import { ApiError } from "../api/client";

/** Shows a failed call as the hub explained it (RFC 7807 title, detail and field errors), with what to do next. */
export function ProblemBar({ error, onRetry, hint }: { error: unknown; onRetry?: () => void; hint?: ReactNode }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, { title: "Something went wrong.", detail: error instanceof Error ? error.message : String(error) });
  const fields = Object.entries(e.fieldErrors);
  const next =
    hint ??
    (e.status === 0
      ? "Check that the hub is running and reachable, then retry."
      : e.status === 403
        ? "This key may not do that: tenant resources need a tenant API key."
        : e.status >= 500
          ? "The hub failed; retry in a moment, and look at its logs if it keeps failing."
          : undefined);
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{e.problem.title ?? "Request failed"}</MessageBarTitle>
        {e.problem.detail && fields.length === 0 ? <> {e.problem.detail}</> : null}
        {fields.length > 0 && (
          <ul style={{ margin: "4px 0 0", paddingLeft: 18 }}>
            {fields.map(([k, v]) => (
              <li key={k}>
                <code>{k}</code>: {v.join(" ")}
              </li>
            ))}
          </ul>
        )}
        {next && <div>{next}</div>}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>Retry</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return <Spinner size="small" label={label} labelPosition="after" style={{ justifyContent: "flex-start", padding: 8 }} />;
}

const useEmpty = makeStyles({
  root: {
    border: `1px dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusLarge,
    padding: tokens.spacingVerticalXXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    alignItems: "flex-start",
  },
});

/** An empty state that says what to do next. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  const s = useEmpty();
  return (
    <div className={s.root}>
      <Subtitle1 as="h3">{title}</Subtitle1>
      {children && <Body1>{children}</Body1>}
      {action}
    </div>
  );
}

const COLORS: Record<string, "success" | "danger" | "warning" | "informative" | "subtle" | "brand"> = {
  succeeded: "success",
  active: "success",
  failed: "danger",
  error: "danger",
  stalled: "danger",
  needs_reauth: "warning",
  rate_limited: "warning",
  waiting: "informative",
  running: "brand",
  pending: "informative",
  cancelled: "subtle",
  disabled: "subtle",
  skipped: "subtle",
};

export function StatusBadge({ status }: { status: string | undefined | null }) {
  if (!status) return <>—</>;
  return (
    <Badge appearance="tint" color={COLORS[status] ?? "informative"} shape="rounded">
      {status.replace("_", " ")}
    </Badge>
  );
}
