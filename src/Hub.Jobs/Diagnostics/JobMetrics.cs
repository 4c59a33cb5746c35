using System.Diagnostics.Metrics;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Jobs.Diagnostics;

/// <summary>
/// The job engines' instruments on meter <c>IntegrationHub.Jobs</c>: how many jobs were submitted (and how many
/// submissions found their job already there), how often the run engine looked at a job, and how jobs ended.
/// Every instrument carries an <c>engine</c> tag (<c>n8n</c>, <c>livy</c>).
/// </summary>
public sealed class JobMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = $"{HubMeters.Prefix}.Jobs";

    private readonly Meter _meter;
    private readonly Counter<long> _submissions;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _outcomes;

    /// <summary>Creates the instruments.</summary>
    public JobMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _submissions = _meter.CreateCounter<long>("hub.jobs.submissions", description: "Jobs started on an external engine; result=submitted, reused (found by its idempotency name) or rejected.");
        _polls = _meter.CreateCounter<long>("hub.jobs.polls", description: "Looks at a running external job; status=pending, succeeded, failed or error (the engine did not answer).");
        _outcomes = _meter.CreateCounter<long>("hub.jobs.outcomes", description: "External jobs seen ending; outcome=succeeded, failed or cancelled.");
    }

    internal void Submitted(string engine, string result) =>
        _submissions.Add(1, new KeyValuePair<string, object?>("engine", engine), new KeyValuePair<string, object?>("result", result));

    internal void Polled(string engine, string status) =>
        _polls.Add(1, new KeyValuePair<string, object?>("engine", engine), new KeyValuePair<string, object?>("status", status));

    internal void Ended(string engine, string outcome) =>
        _outcomes.Add(1, new KeyValuePair<string, object?>("engine", engine), new KeyValuePair<string, object?>("outcome", outcome));

    internal void Ended(string engine, JobStatus status)
    {
        switch (status)
        {
            case JobStatus.Succeeded:
                Ended(engine, "succeeded");
                break;
            case JobStatus.Failed:
                Ended(engine, "failed");
                break;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
