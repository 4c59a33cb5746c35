import { describe, expect, it } from "vitest";
import { clearFieldErrors, locateError, mapFieldErrors, messagesFor, splitErrorKey, toErrorTree } from "./fieldErrors";

describe("locateError: hub error keys → wizard step and field", () => {
  it.each([
    ["connectorId", "connector", "connectorId", ""],
    ["credentialId", "credential", "credentialId", ""],
    ["CredentialId", "credential", "credentialId", ""],
    ["configuration", "configuration", "configuration", ""],
    ["configuration.owner", "configuration", "configuration", "owner"],
    ["$.configuration.owner", "configuration", "configuration", "owner"],
    ["configuration/owner", "configuration", "configuration", "owner"],
    ["Configuration.Owner", "configuration", "configuration", "Owner"],
    ["configuration.narrow[0].operator", "configuration", "configuration", "narrow[0].operator"],
    ["configuration['site url']", "configuration", "configuration", "site url"],
    ["stream", "stream", "stream", ""],
    ["schedule", "stream", "schedule", ""],
    ["topic", "stream", "topic", ""],
    ["mapping", "stream", "mapping", ""],
    ["mapping.a", "stream", "mapping", "a"],
    ["mapping.customer.name", "stream", "mapping", "customer.name"],
    ["name", "review", "name", ""],
    ["enabled", "review", "enabled", ""],
  ])("%s → %s / %s / %s", (key, step, field, path) => {
    expect(locateError(key)).toEqual({ step, field, path });
  });

  it("sends keys it does not know to the review step, whole-step, keeping the key", () => {
    expect(locateError("somethingElse")).toEqual({ step: "review", field: "", path: "somethingElse" });
    expect(locateError("")).toEqual({ step: "review", field: "", path: "" });
  });

  it("splits keys without a known head as they are", () => {
    expect(splitErrorKey("values.token")).toEqual({ field: "values", path: "token" });
  });
});

describe("mapFieldErrors", () => {
  const problem = {
    "configuration.owner": ["The field is required."],
    "configuration.repository": ["The field is required."],
    credentialId: ["is required: the GitHub connector needs a credential (POST /api/v1/credentials)."],
    schedule: ["is not a valid NCRONTAB schedule: 'nope' has 1 fields"],
    "mapping.a": ["must be a path string"],
  };

  it("groups the hub's errors by step and picks the earliest step to show", () => {
    const m = mapFieldErrors(problem);
    expect(m.firstStep).toBe("credential");
    expect(m.byStep.connector).toHaveLength(0);
    expect(m.byStep.credential.map((e) => e.field)).toEqual(["credentialId"]);
    expect(m.byStep.configuration.map((e) => e.path)).toEqual(["owner", "repository"]);
    expect(m.byStep.stream.map((e) => e.key)).toEqual(["schedule", "mapping.a"]);
    expect(m.byStep.review).toHaveLength(0);
    expect(m.all).toHaveLength(5);
  });

  it("accepts a single string per key and nothing at all", () => {
    expect(mapFieldErrors({ schedule: "bad" }).byStep.stream[0].messages).toEqual(["bad"]);
    expect(mapFieldErrors(undefined).firstStep).toBeNull();
    expect(mapFieldErrors({}).all).toEqual([]);
  });

  it("joins a field's messages, naming inner paths", () => {
    const m = mapFieldErrors(problem);
    expect(messagesFor(m, "schedule")).toBe("is not a valid NCRONTAB schedule: 'nope' has 1 fields");
    expect(messagesFor(m, "mapping")).toBe("a: must be a path string");
    expect(messagesFor(m, "topic")).toBeUndefined();
  });

  it("builds rjsf's error tree for schema forms", () => {
    const m = mapFieldErrors({ "configuration.owner": ["required"], "configuration.narrow[1].operator": ["bad"], configuration: ["whole"] });
    expect(toErrorTree(m.byStep.configuration)).toEqual({
      owner: { __errors: ["required"] },
      narrow: { 1: { operator: { __errors: ["bad"] } } },
      __errors: ["whole"],
    });
  });

  it("drops the errors of fields the user changed", () => {
    const errs = { schedule: ["bad"], "mapping.a": ["bad"], "configuration.owner": ["x"] };
    expect(clearFieldErrors(errs, ["mapping"])).toEqual({ schedule: ["bad"], "configuration.owner": ["x"] });
    expect(clearFieldErrors(errs, ["configuration"])).toEqual({ schedule: ["bad"], "mapping.a": ["bad"] });
    expect(clearFieldErrors(errs, ["topic"])).toBe(errs);
  });
});
