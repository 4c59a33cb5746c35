import { makeStyles, tokens } from "@fluentui/react-components";
import github from "../assets/connectors/github.svg";
import jira from "../assets/connectors/jira.svg";
import slack from "../assets/connectors/slack.svg";
import zulip from "../assets/connectors/zulip.svg";
import rest from "../assets/connectors/rest.svg";
import sample from "../assets/connectors/sample.svg";
import n8n from "../assets/connectors/n8n.svg";
import spark from "../assets/connectors/spark.svg";

/** One original SVG per built-in connector; anything else gets a lettered tile. */
export const CONNECTOR_LOGOS: Record<string, string> = { github, jira, slack, zulip, rest, sample, n8n, spark };

const PALETTE = ["#0f6cbd", "#8764b8", "#c239b3", "#ca5010", "#038387", "#4f6bed", "#986f0b", "#637cef"];

const useStyles = makeStyles({
  tile: {
    display: "inline-flex",
    alignItems: "center",
    justifyContent: "center",
    borderRadius: "20%",
    color: "#fff",
    fontWeight: tokens.fontWeightSemibold,
    flexShrink: 0,
    userSelect: "none",
  },
  img: { flexShrink: 0, display: "block" },
});

export function ConnectorLogo({ id, name, size = 40 }: { id: string; name: string; size?: number }) {
  const styles = useStyles();
  const src = CONNECTOR_LOGOS[id];
  if (src) return <img className={styles.img} src={src} width={size} height={size} alt="" aria-hidden="true" />;
  const letter = (name || id || "?").trim().charAt(0).toUpperCase();
  const color = PALETTE[[...id].reduce((a, c) => a + c.charCodeAt(0), 0) % PALETTE.length];
  return (
    <span className={styles.tile} style={{ width: size, height: size, background: color, fontSize: size * 0.45 }} aria-hidden="true">
      {letter}
    </span>
  );
}
