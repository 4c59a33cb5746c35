// A very small History API router: the Function App answers every client route with index.html.
import { useSyncExternalStore, type MouseEvent, type ReactNode } from "react";
import { Link as FluentLink } from "@fluentui/react-components";

const listeners = new Set<() => void>();
function subscribe(l: () => void) {
  listeners.add(l);
  window.addEventListener("popstate", l);
  return () => {
    listeners.delete(l);
    window.removeEventListener("popstate", l);
  };
}
const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, opts?: { replace?: boolean }) {
  if (opts?.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  listeners.forEach((l) => l());
  window.scrollTo?.(0, 0);
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const s = useSyncExternalStore(subscribe, snapshot, snapshot);
  const [path, q = ""] = s.split("?");
  return { path, query: new URLSearchParams(q) };
}

/** Matches `/integrations/:id/edit` against a path; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const a = path.split("/").filter(Boolean);
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) out[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return null;
  }
  return out;
}

export function RouterLink({ to, children, className, "aria-label": ariaLabel }: { to: string; children: ReactNode; className?: string; "aria-label"?: string }) {
  return (
    <FluentLink
      href={to}
      className={className}
      aria-label={ariaLabel}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </FluentLink>
  );
}
