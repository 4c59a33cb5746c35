import { describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { mapFieldErrors } from "../../lib/fieldErrors";
import { catalog, github, mockHub, renderWithProviders, sample } from "../../test/utils";
import { ConfigurationStep, ConnectorStep, CredentialStep, ReviewStep, StreamStep } from "./steps";
import { draftForConnector, type Draft } from "./draft";

const noErrors = mapFieldErrors({});

describe("1. ConnectorStep", () => {
  it("lists connectors with their credential need and reports the choice", async () => {
    const onChange = vi.fn();
    renderWithProviders(<ConnectorStep connectors={catalog.items as never} onChange={onChange} errors={noErrors} />);
    expect(screen.getByText("needs a credential", { exact: false })).toBeTruthy();
    expect(screen.getByText("no credential", { exact: false })).toBeTruthy();
    await userEvent.click(screen.getByRole("radio", { name: /Sample/ }));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ id: "sample" }));
  });

  it("is locked when editing", () => {
    renderWithProviders(<ConnectorStep connectors={catalog.items as never} value="github" locked onChange={() => {}} errors={noErrors} />);
    expect((screen.getByRole("radio", { name: /GitHub/ }) as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByText(/cannot change/)).toBeTruthy();
  });
});

describe("2. CredentialStep", () => {
  it("says a connector without a credential schema needs none", () => {
    mockHub({});
    renderWithProviders(<CredentialStep connector={sample} onChange={() => {}} configuration={{}} errors={noErrors} />);
    expect(screen.getByText(/needs no credential/)).toBeTruthy();
  });

  it("picks a stored credential, tests the connection and shows the system's reason for a refusal", async () => {
    const { calls } = mockHub({
      "GET /api/v1/credentials": { body: { items: [{ id: "cred-1", connectorId: "github", name: "Bot", kind: "secret", status: "active", masked: { token: "ghp…9f2c" }, createdAt: "2026-01-01T00:00:00Z" }] } },
      "POST /api/v1/credentials/cred-1/check": { body: { succeeded: false, message: "GitHub answered 401: Bad credentials", checkedAt: "2026-01-01T00:00:00Z" } },
    });
    function Host() {
      const [id, setId] = useState<string | null>(null);
      return <CredentialStep connector={github} value={id} onChange={setId} configuration={{ owner: "octo", repository: "hub" }} errors={noErrors} />;
    }
    renderWithProviders(<Host />);
    await userEvent.click(await screen.findByRole("radio", { name: /Bot/ }));
    expect(screen.getByText(/ghp…9f2c/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const result = await screen.findByTestId("check-result");
    expect(within(result).getByText("Connection refused")).toBeTruthy();
    expect(within(result).getByText(/Bad credentials/)).toBeTruthy();
    const check = calls.find((c) => c.path === "/api/v1/credentials/cred-1/check")!;
    expect(check.body).toEqual({ configuration: { owner: "octo", repository: "hub" } });
    expect(check.headers.get("Authorization")).toBe("Bearer ihk_acme_k1_secret");
  });

  it("creates a credential from the credential schema when there is none, as a password field, and selects it", async () => {
    const { calls } = mockHub({
      "GET /api/v1/credentials": { body: { items: [] } },
      "POST /api/v1/credentials": { status: 201, body: { id: "cred-9", connectorId: "github", name: "GitHub credential", kind: "secret", status: "active", masked: { token: "ghp…abcd" }, createdAt: "2026-01-01T00:00:00Z" } },
    });
    const onChange = vi.fn();
    renderWithProviders(<CredentialStep connector={github} value={null} onChange={onChange} configuration={{}} errors={noErrors} />);
    const token = (await screen.findByLabelText(/token/)) as HTMLInputElement;
    expect(token.type).toBe("password");
    await userEvent.type(token, "ghp_secret_abcd");
    await userEvent.click(screen.getByRole("button", { name: "Save credential" }));
    await waitFor(() => expect(onChange).toHaveBeenCalledWith("cred-9"));
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.body).toEqual({ connectorId: "github", name: "GitHub credential", values: { token: "ghp_secret_abcd" } });
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("shows the hub's credentialId error at the field", async () => {
    mockHub({ "GET /api/v1/credentials": { body: { items: [] } } });
    renderWithProviders(<CredentialStep connector={github} value={null} onChange={() => {}} configuration={{}} errors={mapFieldErrors({ credentialId: ["is required: the GitHub connector needs a credential"] })} />);
    expect(await screen.findByText(/the GitHub connector needs a credential/)).toBeTruthy();
  });
});

describe("3. ConfigurationStep", () => {
  it("renders the configuration schema with defaults and descriptions, and the hub's errors at their fields", async () => {
    mockHub({});
    const value = draftForConnector(github).configuration;
    expect(value).toEqual({ pageSize: 100 });
    renderWithProviders(
      <ConfigurationStep connector={github} value={value} onChange={() => {}} errors={mapFieldErrors({ "configuration.owner": ["The field is required."], "mapping.a": ["elsewhere"] })} />,
    );
    expect((screen.getByLabelText(/pageSize/) as HTMLInputElement).value).toBe("100");
    expect(screen.getByText("Repository owner (user or organization).")).toBeTruthy();
    expect(screen.getByText("The field is required.")).toBeTruthy();
    expect(screen.queryByText("elsewhere")).toBeNull();
  });

  it("reports edits", async () => {
    mockHub({});
    const onChange = vi.fn();
    renderWithProviders(<ConfigurationStep connector={github} value={{ pageSize: 100 }} onChange={onChange} errors={noErrors} />);
    fireEvent.change(screen.getByLabelText(/owner/), { target: { value: "octo" } });
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ owner: "octo", pageSize: 100 })));
  });
});

describe("4. StreamStep", () => {
  function Host({ initial, errors = noErrors }: { initial: Draft; errors?: ReturnType<typeof mapFieldErrors> }) {
    const [d, setD] = useState(initial);
    return <StreamStep connector={sample} draft={d} onChange={(p) => setD((x) => ({ ...x, ...p }))} errors={errors} tenant="acme" />;
  }

  it("fills the NCRONTAB from a preset, lists the next five runs and previews the mapping", async () => {
    const occ = ["2026-11-29T10:15:00+00:00", "2026-11-29T10:30:00+00:00", "2026-11-29T10:45:00+00:00", "2026-11-29T11:00:00+00:00", "2026-11-29T11:15:00+00:00"];
    const { calls } = mockHub({
      "GET /api/v1/schedules/occurrences": (c) => ({ body: { schedule: c.search.get("schedule"), occurrences: occ.slice(0, Number(c.search.get("count"))) } }),
      "POST /api/v1/integrations/preview": (c) => ({
        body: { records: [{ raw: { sequence: 1, name: "event-1" }, mapped: { n: 1, mappingSeen: (c.body as { mapping: unknown }).mapping } }] },
      }),
    });
    renderWithProviders(<Host initial={{ ...draftForConnector(sample), mappingText: '{"n": "$.sequence"}' }} />);
    await userEvent.selectOptions(screen.getByLabelText("Schedule"), "Every 15 minutes");
    expect((screen.getByLabelText(/NCRONTAB/) as HTMLInputElement).value).toBe("0 */15 * * * *");
    const list = await screen.findByTestId("occurrences");
    expect(within(list).getAllByRole("listitem")).toHaveLength(5);
    expect(within(list).getByText(/2026-11-29 10:15:00 UTC/)).toBeTruthy();
    const occCall = calls.find((c) => c.path === "/api/v1/schedules/occurrences")!;
    expect(occCall.search.get("schedule")).toBe("0 */15 * * * *");
    expect(occCall.search.get("count")).toBe("5");

    const preview = await screen.findByTestId("preview-records", {}, { timeout: 3000 });
    expect(within(preview).getByText(/event-1/)).toBeTruthy();
    // The preview sends the same body as create.
    await waitFor(() =>
      expect(calls.filter((c) => c.path === "/api/v1/integrations/preview").map((c) => c.body)).toContainEqual(
        expect.objectContaining({ connectorId: "sample", stream: "events", schedule: "0 */15 * * * *", mapping: { n: "$.sequence" }, configuration: { count: 1000, pageSize: 500 } }),
      ),
    );
  });

  it("says so when the hub has neither endpoint yet (404)", async () => {
    mockHub({});
    renderWithProviders(<Host initial={{ ...draftForConnector(sample), schedule: "0 0 * * * *" }} />);
    expect(await screen.findByText(/cannot list upcoming runs yet/)).toBeTruthy();
    expect(await screen.findByText(/cannot preview yet/, {}, { timeout: 3000 })).toBeTruthy();
  });

  it("shows the occurrences endpoint's 400 and the hub's field errors at schedule and mapping", async () => {
    mockHub({
      "GET /api/v1/schedules/occurrences": { status: 400, body: { title: "The request is invalid.", status: 400, errors: { schedule: ["hour 99 is out of range 0-23"] } } },
    });
    renderWithProviders(<Host initial={{ ...draftForConnector(sample), schedule: "0 0 99 * * *" }} errors={mapFieldErrors({ "mapping.a": ["must be a path string"], topic: ["is not a topic"] })} />);
    expect(await screen.findByText("hour 99 is out of range 0-23")).toBeTruthy();
    expect(screen.getByText("a: must be a path string")).toBeTruthy();
    expect(screen.getByText("is not a topic")).toBeTruthy();
  });

  it("checks the mapping is a JSON object before previewing", async () => {
    const { calls } = mockHub({});
    renderWithProviders(<Host initial={{ ...draftForConnector(sample), mappingText: "{nope" }} />);
    expect(screen.getByText(/Not valid JSON/)).toBeTruthy();
    expect(screen.getByText(/Fix the mapping's JSON/)).toBeTruthy();
    expect(calls.some((c) => c.path === "/api/v1/integrations/preview")).toBe(false);
  });
});

describe("5. ReviewStep", () => {
  it("summarises the definition and shows name errors and unknown keys", () => {
    mockHub({});
    const d: Draft = { ...draftForConnector(sample), schedule: "0 */15 * * * *", mappingText: '{"n":"$.sequence"}' };
    renderWithProviders(<ReviewStep connector={sample} draft={d} onChange={() => {}} errors={mapFieldErrors({ name: ["is required"], weird: ["odd"] })} />);
    expect(screen.getByText("is required")).toBeTruthy();
    expect(screen.getByText("weird")).toBeTruthy();
    expect(screen.getByText("0 */15 * * * *")).toBeTruthy();
    expect(screen.getByText("not needed")).toBeTruthy();
  });
});
