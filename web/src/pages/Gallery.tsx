import { useMemo, useState } from "react";
import {
  Badge, Body1, Button, Caption1, Card, CardFooter, CardHeader, Field, SearchBox, Select, Subtitle1, Text, Title2, makeStyles, tokens,
} from "@fluentui/react-components";
import { KeyRegular, CheckmarkCircleRegular } from "@fluentui/react-icons";
import { useCatalog, useSparkJobs } from "../api/queries";
import { ConnectorLogo } from "../components/ConnectorLogo";
import { EmptyState, Loading, ProblemBar } from "../components/Feedback";
import { needsCredential } from "../lib/jsonSchema";
import { navigate } from "../router";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  filters: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "flex-end", flexWrap: "wrap" },
  grid: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))", gap: tokens.spacingHorizontalL },
  card: { height: "100%" },
  desc: { color: tokens.colorNeutralForeground2, flexGrow: 1 },
  meta: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

export function Gallery() {
  const styles = useStyles();
  const catalog = useCatalog();
  const spark = useSparkJobs();
  const [category, setCategory] = useState("");
  const [q, setQ] = useState("");

  const connectors = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (catalog.data?.items ?? []).filter(
      (c) =>
        (!category || c.category === category) &&
        (!needle || [c.displayName, c.id, c.description, c.category].some((s) => s?.toLowerCase().includes(needle))),
    );
  }, [catalog.data, category, q]);
  const workflows = (catalog.data?.workflows ?? []).filter((w) => (!category || category === "workflows") && (!q || w.displayName.toLowerCase().includes(q.toLowerCase())));
  const jobs = (spark.data?.items ?? []).filter((j) => (!category || category === "spark") && (!q || j.name.toLowerCase().includes(q.toLowerCase())));
  const n8nState = catalog.data?.sources?.n8n;

  return (
    <section className={styles.root} aria-labelledby="gallery-title">
      <Title2 as="h1" id="gallery-title">
        Connector gallery
      </Title2>
      <div className={styles.filters} role="search">
        <Field label="Search">
          <SearchBox value={q} onChange={(_, d) => setQ(d.value)} placeholder="Name or description" aria-label="Search connectors" />
        </Field>
        <Field label="Category">
          <Select value={category} onChange={(_, d) => setCategory(d.value)}>
            <option value="">All categories</option>
            {(catalog.data?.categories ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
            <option value="workflows">n8n workflows</option>
            <option value="spark">Spark jobs</option>
          </Select>
        </Field>
      </div>

      {catalog.isPending ? (
        <Loading label="Loading the catalog…" />
      ) : catalog.error ? (
        <ProblemBar error={catalog.error} onRetry={() => catalog.refetch()} />
      ) : (
        <>
          {category !== "workflows" && category !== "spark" && (
            <div className={styles.section}>
              <Subtitle1 as="h2">Connectors</Subtitle1>
              {connectors.length === 0 ? (
                <EmptyState title="No connector matches">Clear the search or pick “All categories”.</EmptyState>
              ) : (
                <ul className={styles.grid} style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="Connectors">
                  {connectors.map((c) => {
                    const cred = needsCredential(c.credentialSchema);
                    return (
                      <li key={c.id}>
                        <Card className={styles.card} data-testid={`connector-${c.id}`}>
                          <CardHeader
                            image={<ConnectorLogo id={c.id} name={c.displayName} />}
                            header={
                              <Text weight="semibold" as="h3" style={{ margin: 0 }}>
                                {c.displayName}
                              </Text>
                            }
                            description={<Caption1>{c.category}</Caption1>}
                          />
                          <Body1 className={styles.desc}>{c.description}</Body1>
                          <div className={styles.meta}>
                            {cred ? (
                              <Badge appearance="tint" color="warning" icon={<KeyRegular />}>
                                Needs a credential
                              </Badge>
                            ) : (
                              <Badge appearance="tint" color="success" icon={<CheckmarkCircleRegular />}>
                                No credential needed
                              </Badge>
                            )}
                            <Caption1>
                              {(c.streams ?? []).length} stream{(c.streams ?? []).length === 1 ? "" : "s"}: {(c.streams ?? []).map((s) => s.name).join(", ")}
                            </Caption1>
                          </div>
                          <CardFooter>
                            <Button appearance="primary" onClick={() => navigate(`/integrations/new?connector=${encodeURIComponent(c.id)}`)} aria-label={`Set up ${c.displayName}`}>
                              Set up
                            </Button>
                          </CardFooter>
                        </Card>
                      </li>
                    );
                  })}
                </ul>
              )}
            </div>
          )}

          {(!category || category === "workflows") && (
            <div className={styles.section}>
              <Subtitle1 as="h2">n8n workflows</Subtitle1>
              {workflows.length === 0 ? (
                <EmptyState title="No n8n workflows">
                  {n8nState && n8nState !== "ok"
                    ? `n8n is ${n8nState.replace("_", " ")} on this hub: set N8n__BaseUrl and N8n__ApiKey, then tag workflows with N8n__WorkflowTag.`
                    : "Tag a workflow in n8n with the hub's workflow tag (default “integrationhub”) and activate it; it then appears here for flow steps."}
                </EmptyState>
              ) : (
                <ul className={styles.grid} style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="n8n workflows">
                  {workflows.map((w) => (
                    <li key={w.id}>
                      <Card className={styles.card}>
                        <CardHeader image={<ConnectorLogo id="n8n" name="n8n" />} header={<Text weight="semibold">{w.displayName}</Text>} description={<Caption1>workflow {w.workflowId}</Caption1>} />
                        <div className={styles.meta}>
                          <Badge appearance="tint" color={w.active ? "success" : "subtle"}>
                            {w.active ? "active" : "inactive: its webhook does not answer"}
                          </Badge>
                          {w.tags.map((t) => (
                            <Badge key={t} appearance="outline">
                              {t}
                            </Badge>
                          ))}
                        </div>
                      </Card>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}

          {(!category || category === "spark") && (
            <div className={styles.section}>
              <Subtitle1 as="h2">Spark jobs</Subtitle1>
              {spark.error ? (
                <ProblemBar error={spark.error} />
              ) : jobs.length === 0 ? (
                <EmptyState title="No Spark jobs registered">Register a job definition with POST /api/v1/spark-jobs; a flow's spark step then runs it by name through Livy.</EmptyState>
              ) : (
                <ul className={styles.grid} style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="Spark jobs">
                  {jobs.map((j) => (
                    <li key={j.name}>
                      <Card className={styles.card}>
                        <CardHeader image={<ConnectorLogo id="spark" name="Spark" />} header={<Text weight="semibold">{j.name}</Text>} description={<Caption1>{String((j.definition as { className?: string })?.className ?? "")}</Caption1>} />
                        <Body1 className={styles.desc}>{String((j.definition as { file?: string })?.file ?? "")}</Body1>
                      </Card>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
