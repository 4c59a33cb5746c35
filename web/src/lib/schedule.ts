export interface SchedulePreset {
  label: string;
  value: string;
}

/** Six-field NCRONTAB (`{second} {minute} {hour} {day} {month} {day-of-week}`), evaluated in UTC. */
export const SCHEDULE_PRESETS: SchedulePreset[] = [
  { label: "On demand only (no schedule)", value: "" },
  { label: "Every 5 minutes", value: "0 */5 * * * *" },
  { label: "Every 15 minutes", value: "0 */15 * * * *" },
  { label: "Every hour", value: "0 0 * * * *" },
  { label: "Every day at 06:00 UTC", value: "0 0 6 * * *" },
  { label: "Weekdays at 09:00 UTC", value: "0 0 9 * * 1-5" },
];

export function presetOf(schedule: string): string {
  return SCHEDULE_PRESETS.find((p) => p.value === schedule.trim())?.value ?? "custom";
}

/** A quick local sanity check before asking the hub: six space-separated fields. */
export function looksLikeNcrontab(schedule: string): boolean {
  return schedule.trim().split(/\s+/).length === 6;
}

export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((t - now) / 1000);
  const a = Math.abs(s);
  const txt = a < 60 ? `${a}s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s >= 0 ? `in ${txt}` : `${txt} ago`;
}
