import { describe, expect, it } from "vitest";
import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { catalog, mockHub, renderWithProviders, type Call } from "../../test/utils";
import { Wizard } from "./Wizard";

const view = {
  id: "int-1",
  name: "Sample events",
  connectorId: "sample",
  configuration: { count: 1000, pageSize: 500 },
  credentialId: null,
  stream: "events",
  schedule: "0 */15 * * * *",
  enabled: true,
  topic: null,
  mapping: { n: "$.sequence" },
  status: "active",
  lastRun: null,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};

async function walkToReview() {
  await screen.findByRole("heading", { name: "2. Credential" });
  await userEvent.click(screen.getByRole("button", { name: "Next" }));
  await screen.findByRole("heading", { name: "3. Configuration" });
  await userEvent.click(screen.getByRole("button", { name: "Next" }));
  await screen.findByRole("heading", { name: "4. Stream, schedule & mapping" });
  await userEvent.selectOptions(screen.getByLabelText("Schedule"), "Every 15 minutes");
  await userEvent.click(screen.getByRole("button", { name: "Next" }));
  await screen.findByRole("heading", { name: "5. Review" });
}

describe("Wizard", () => {
  it("creates once on a double click: one Idempotency-Key per wizard session", async () => {
    let first: Call | undefined;
    const { calls } = mockHub({
      "GET /api/v1/integrations/available": { body: catalog },
      "POST /api/v1/integrations": async (c) => {
        // The hub answers a repeat of the same key with the first response.
        if (!first) first = c;
        await new Promise((r) => setTimeout(r, 30));
        return { status: 201, body: view, headers: (c === first ? {} : { "Idempotent-Replayed": "true" }) as Record<string, string> };
      },
    });
    window.history.replaceState(null, "", "/integrations/new?connector=sample");
    renderWithProviders(<Wizard connectorId="sample" />);
    await walkToReview();
    const create = screen.getByRole("button", { name: "Create integration" });
    await act(async () => {
      create.click();
      create.click();
    });
    await waitFor(() => expect(window.location.pathname).toBe("/integrations/int-1"));
    const posts = calls.filter((c) => c.method === "POST" && c.path === "/api/v1/integrations");
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(posts.map((p) => p.headers.get("Idempotency-Key"))).size).toBe(1);
    expect(posts[0].body).toMatchObject({ connectorId: "sample", stream: "events", schedule: "0 */15 * * * *", configuration: { count: 1000, pageSize: 500 }, credentialId: null });
  });

  it("takes the user to the first step with an error, at the field, and marks the steps", async () => {
    mockHub({
      "GET /api/v1/integrations/available": { body: catalog },
      "POST /api/v1/integrations": {
        status: 400,
        body: { title: "The request is invalid.", status: 400, errors: { "configuration.count": ["must be at most 1000000000"], schedule: ["is not valid"] } },
      },
    });
    renderWithProviders(<Wizard connectorId="sample" />);
    await walkToReview();
    await userEvent.click(screen.getByRole("button", { name: "Create integration" }));
    expect(await screen.findByRole("heading", { name: "3. Configuration" })).toBeTruthy();
    expect(screen.getByText("must be at most 1000000000")).toBeTruthy();
    expect(screen.getByText("The hub refused the definition")).toBeTruthy();
    // Steps 3 and 4 each carry a red count.
    expect(screen.getAllByLabelText("1 error")).toHaveLength(2);
    await userEvent.click(screen.getByRole("button", { name: /4\. Stream/ }));
    expect(screen.getByText("is not valid")).toBeTruthy();
  });

  it("edits with If-Match and, on 412, says someone else changed it and reloads their version", async () => {
    let gets = 0;
    const { calls } = mockHub({
      "GET /api/v1/integrations/available": { body: catalog },
      "GET /api/v1/integrations/int-1": () => {
        gets++;
        return gets === 1 ? { body: view, headers: { ETag: '"v1"' } } : { body: { ...view, name: "Renamed elsewhere" }, headers: { ETag: '"v2"' } };
      },
      "PUT /api/v1/integrations/int-1": (c) =>
        c.headers.get("If-Match") === '"v2"' ? { body: view, headers: { ETag: '"v3"' } } : { status: 412, body: { title: "Precondition Failed", status: 412 } },
    });
    renderWithProviders(<Wizard integrationId="int-1" />);
    await screen.findByRole("heading", { name: "2. Credential" });
    await userEvent.click(screen.getByRole("button", { name: /5\. Review/ }));
    const name = screen.getByRole("textbox", { name: "Name" });
    await userEvent.clear(name);
    await userEvent.type(name, "My edit");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByTestId("stale-notice")).toBeTruthy();
    await waitFor(() => expect((screen.getByRole("textbox", { name: "Name" }) as HTMLInputElement).value).toBe("Renamed elsewhere"));
    const put = calls.find((c) => c.method === "PUT")!;
    expect(put.headers.get("If-Match")).toBe('"v1"');
    expect(put.body).toMatchObject({ name: "My edit", connectorId: "sample", stream: "events" });
    // Saving again goes with the reloaded ETag.
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT").at(-1)!.headers.get("If-Match")).toBe('"v2"'));
  });
});
