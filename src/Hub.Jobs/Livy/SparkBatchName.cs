using System.Security.Cryptography;
using System.Text;

namespace IntegrationHub.Jobs.Livy;

/// <summary>
/// The Livy batch name of one step of one run. The name is the idempotency key of a submission: a run that
/// crashed after <c>POST /batches</c> but before checkpointing the batch id finds its batch again by name.
/// </summary>
public static class SparkBatchName
{
    /// <summary>
    /// The batch name for a run's step: <c>ih.{runId}.{stepId}</c>, made of characters safe in a URL path and
    /// never all digits (Livy reads an all-digit <c>/batches/{idOrName}</c> as an id). Names that
    /// had to be shortened or cleaned get a hash of the originals, so two steps never share a name.
    /// </summary>
    public static string For(string runId, string stepId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        var name = $"ih.{Clean(runId)}.{Clean(stepId)}";
        if (name.Length <= 100 && name == $"ih.{runId}.{stepId}")
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{runId}\n{stepId}")))[..16];
        // Characters were replaced or the name was cut: the hash of the originals keeps names distinct.
        return $"{name[..Math.Min(name.Length, 83)]}-{hash}";
    }

    private static string Clean(string part)
    {
        var text = new StringBuilder(part.Length);
        foreach (var c in part)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return text.ToString();
    }
}
