using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntegrationHub.Jobs.Livy;

/// <summary>
/// A Spark application a tenant registered, as Livy's <c>POST /batches</c> takes it. Property names are
/// Livy's, so a definition reads like the request it becomes.
/// </summary>
/// <remarks>
/// Validated with data annotations when registered (<see cref="Validate"/>), so a typo in a memory size
/// fails the registration rather than a run hours later. The batch <c>name</c> is not part of the
/// definition: each run's step gets its own (<see cref="SparkBatchName"/>), which is what makes a
/// resubmission after a crash find the batch it already started.
/// </remarks>
public sealed record SparkJobDefinition
{
    /// <summary>The definition's name within its tenant, e.g. <c>nightly-aggregation</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", ErrorMessage = "Use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.")]
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The application file: a jar or Python file Livy's cluster can read (<c>hdfs:</c>, <c>abfss:</c>, <c>s3a:</c>, <c>local:</c>).</summary>
    [Required]
    [JsonPropertyName("file")]
    public required string File { get; init; }

    /// <summary>The main class of a jar application; empty for Python.</summary>
    [JsonPropertyName("className")]
    public string? ClassName { get; init; }

    /// <summary>Command-line arguments.</summary>
    [JsonPropertyName("args")]
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Spark configuration properties (<c>spark.sql.shuffle.partitions</c> = <c>200</c>, ...).</summary>
    [JsonPropertyName("conf")]
    public IReadOnlyDictionary<string, string> Conf { get; init; } = new Dictionary<string, string>();

    /// <summary>Driver memory in Spark's notation, e.g. <c>2g</c>, <c>512m</c>.</summary>
    [RegularExpression(MemoryPattern, ErrorMessage = MemoryMessage)]
    [JsonPropertyName("driverMemory")]
    public string? DriverMemory { get; init; }

    /// <summary>Driver cores.</summary>
    [Range(1, 256)]
    [JsonPropertyName("driverCores")]
    public int? DriverCores { get; init; }

    /// <summary>Memory per executor in Spark's notation.</summary>
    [RegularExpression(MemoryPattern, ErrorMessage = MemoryMessage)]
    [JsonPropertyName("executorMemory")]
    public string? ExecutorMemory { get; init; }

    /// <summary>Cores per executor.</summary>
    [Range(1, 256)]
    [JsonPropertyName("executorCores")]
    public int? ExecutorCores { get; init; }

    /// <summary>Number of executors.</summary>
    [Range(1, 10000)]
    [JsonPropertyName("numExecutors")]
    public int? NumExecutors { get; init; }

    /// <summary>The YARN queue.</summary>
    [JsonPropertyName("queue")]
    public string? Queue { get; init; }

    /// <summary>The user Livy impersonates to run the batch.</summary>
    [JsonPropertyName("proxyUser")]
    public string? ProxyUser { get; init; }

    /// <summary>Jars for the classpath.</summary>
    [JsonPropertyName("jars")]
    public IReadOnlyList<string> Jars { get; init; } = [];

    /// <summary>Python files for the PYTHONPATH.</summary>
    [JsonPropertyName("pyFiles")]
    public IReadOnlyList<string> PyFiles { get; init; } = [];

    /// <summary>Files placed in each executor's working directory.</summary>
    [JsonPropertyName("files")]
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Archives extracted into each executor's working directory.</summary>
    [JsonPropertyName("archives")]
    public IReadOnlyList<string> Archives { get; init; } = [];

    private const string MemoryPattern = "^[0-9]+[kKmMgGtT]?$";
    private const string MemoryMessage = "Use Spark's notation: a number with an optional k, m, g or t suffix, e.g. 2g.";

    /// <summary>Checks the definition against its annotations; an empty list means valid.</summary>
    public IReadOnlyList<ValidationResult> Validate()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        if (Conf.Keys.Any(string.IsNullOrWhiteSpace))
        {
            results.Add(new ValidationResult("Spark configuration keys must not be empty.", [nameof(Conf)]));
        }

        return results;
    }
}
