import { describe, expect, it } from "vitest";
import { mockHub } from "../test/utils";
import { ApiError } from "./client";
import { identify, tenantOfKey } from "./session";
import { conflictText } from "../pages/Credentials";

describe("sign-in: what a pasted key is", () => {
  it("the operator key lists tenants", async () => {
    mockHub({ "GET /api/v1/tenants": { body: { items: [] } } });
    expect(await identify("  admin-key-0123456789012345  ")).toEqual({ key: "admin-key-0123456789012345", role: "operator" });
  });

  it("a tenant key is refused there (403) and reads the catalog", async () => {
    const { calls } = mockHub({
      "GET /api/v1/tenants": { status: 403, body: { title: "This key may not do that.", status: 403 } },
      "GET /api/v1/integrations/available": { body: { items: [] } },
    });
    expect(await identify("ihk_acme_k1_secret")).toEqual({ key: "ihk_acme_k1_secret", role: "tenant", tenant: "acme" });
    expect(calls.every((c) => c.headers.get("Authorization") === "Bearer ihk_acme_k1_secret")).toBe(true);
  });

  it("a 401 means the key is not valid", async () => {
    mockHub({ "GET /api/v1/tenants": { status: 401, body: { title: "Unauthorized", status: 401 } } });
    await expect(identify("nope")).rejects.toSatisfy((e) => e instanceof ApiError && e.status === 401 && e.problem.title === "This key is not valid.");
  });

  it("reads the tenant from a tenant key", () => {
    expect(tenantOfKey("ihk_e2e-x1_6b31_abc")).toBe("e2e-x1");
    expect(tenantOfKey("admin")).toBeUndefined();
  });
});

describe("credential delete refused (409)", () => {
  it("names the integrations and what to do", () => {
    const e = new ApiError(409, {
      status: 409,
      title: "Credential 'cred-1' is used by integration 'Hub issues' (int-1).",
      detail: "Point those integrations at another credential, or delete them, first.",
    });
    expect(conflictText(e)).toBe("Credential 'cred-1' is used by integration 'Hub issues' (int-1). Point those integrations at another credential, or delete them, first.");
    expect(conflictText(new ApiError(412, {}))).toBeNull();
  });
});
