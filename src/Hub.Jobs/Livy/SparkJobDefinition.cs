using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntegrationHub.Jobs.Livy;

/// <summary>
/// A Spark application a tenant registered, as Livy's <c>POST /batches</c> takes it. Property names are
/// Livy's, so a definition reads like the request it becomes.
/// </summary>
/// <remarks>
/// <para>Where the application and its files may come from (<see cref="AllowedSchemes"/>): <c>hdfs</c>,
/// <c>abfss</c>, <c>wasbs</c>, <c>s3a</c>, <c>gs</c> and <c>https</c> URIs, without credentials (<c>user:password@</c>) in them, and
/// <c>local:</c> paths (a file already on every cluster node) only under <see cref="AllowedLocalDirectories"/>,
/// absolute and without '.' or '..' segments — the hub's counterpart of Livy's own
/// <c>livy.file.local-dir-whitelist</c>, which guards the Livy server's disk the same way. Refused:
/// <c>file:</c> and bare paths (the Livy server's own disk: <c>file:///etc/passwd</c> would hand a host file to
/// the job, and a failed job's log tail back to the caller), <c>local:</c> elsewhere (the same exposure on the
/// workers), plain <c>http:</c> (no integrity) and anything else. Applies to <c>file</c>, <c>jars</c>, <c>pyFiles</c>, <c>files</c> and
/// <c>archives</c>.</para>
/// <para>Sizes: at most <see cref="MaxListItems"/> entries in each list and <see cref="MaxConfEntries"/> conf
/// properties, each text at most <see cref="MaxTextLength"/> characters (URIs <see cref="MaxUriLength"/>).</para>
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

    /// <summary>The application file: a jar or Python file Livy's cluster can read, as a URI of one of <see cref="AllowedSchemes"/> (<c>local:</c> only under <see cref="AllowedLocalDirectories"/>).</summary>
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

    /// <summary>URI schemes the application and its files may use (lower case); see the remarks for why others are refused.</summary>
    public static IReadOnlySet<string> AllowedSchemes { get; } = new HashSet<string>(["hdfs", "abfss", "wasbs", "s3a", "gs", "https", "local"], StringComparer.Ordinal);

    /// <summary>The directories a <c>local:</c> path must be under (where Spark deployments keep application files).</summary>
    public static IReadOnlyList<string> AllowedLocalDirectories { get; } = ["/opt/"];

    /// <summary>The most entries in <c>args</c>, <c>jars</c>, <c>pyFiles</c>, <c>files</c> or <c>archives</c>.</summary>
    public const int MaxListItems = 256;

    /// <summary>The most <c>conf</c> properties.</summary>
    public const int MaxConfEntries = 256;

    /// <summary>The longest argument, conf key or value, class name, queue or proxy user, in characters.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>The longest file URI, in characters.</summary>
    public const int MaxUriLength = 2048;

    /// <summary>Checks the definition against its annotations, its sizes and the allowed URI schemes; an empty list means valid.</summary>
    public IReadOnlyList<ValidationResult> Validate()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        if (Conf.Keys.Any(string.IsNullOrWhiteSpace))
        {
            results.Add(new ValidationResult("Spark configuration keys must not be empty.", [nameof(Conf)]));
        }

        if (!string.IsNullOrEmpty(File) && UriProblem(File) is { } fileProblem)
        {
            results.Add(new ValidationResult(fileProblem, [nameof(File)]));
        }

        foreach (var (name, list) in new[] { (nameof(Jars), Jars), (nameof(PyFiles), PyFiles), (nameof(Files), Files), (nameof(Archives), Archives) })
        {
            if (list.Count > MaxListItems)
            {
                results.Add(new ValidationResult($"At most {MaxListItems} entries.", [name]));
                continue;
            }

            for (var i = 0; i < list.Count; i++)
            {
                if (UriProblem(list[i]) is { } problem)
                {
                    results.Add(new ValidationResult($"Entry {i}: {problem}", [name]));
                }
            }
        }

        if (Args.Count > MaxListItems || Args.Any(a => a is null || a.Length > MaxTextLength))
        {
            results.Add(new ValidationResult($"At most {MaxListItems} arguments of at most {MaxTextLength} characters each.", [nameof(Args)]));
        }

        if (Conf.Count > MaxConfEntries || Conf.Any(p => p.Key.Length > MaxTextLength || p.Value is null || p.Value.Length > MaxTextLength))
        {
            results.Add(new ValidationResult($"At most {MaxConfEntries} properties, keys and values of at most {MaxTextLength} characters.", [nameof(Conf)]));
        }

        foreach (var (name, value) in new[] { (nameof(ClassName), ClassName), (nameof(Queue), Queue), (nameof(ProxyUser), ProxyUser) })
        {
            if (value is { Length: > MaxTextLength })
            {
                results.Add(new ValidationResult($"At most {MaxTextLength} characters.", [name]));
            }
        }

        return results;
    }

    /// <summary>Why <paramref name="value"/> may not be an application or file URI, or null when it may.</summary>
    public static string? UriProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "A URI is required.";
        }

        if (value.Length > MaxUriLength)
        {
            return $"A URI of at most {MaxUriLength} characters is required.";
        }

        var allowed = string.Join(", ", AllowedSchemes.Order(StringComparer.Ordinal).Select(s => s + ":"));
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || value.StartsWith('/'))
        {
            return $"Use an absolute URI with one of the schemes {allowed} (a bare path names the Livy server's own disk).";
        }

        if (!AllowedSchemes.Contains(uri.Scheme))
        {
            return $"The scheme '{uri.Scheme}:' is not allowed; use one of {allowed}. file: and local: name files on the Livy server or the cluster nodes themselves.";
        }

        if (uri.Scheme == "local")
        {
            var path = value["local:".Length..];
            path = path.StartsWith("//", StringComparison.Ordinal) ? path[2..] : path;
            var segments = path.Split('/');
            if (!path.StartsWith('/') || segments.Any(s => s is "." or "..") || path.Contains('\\', StringComparison.Ordinal) || path.Contains('%', StringComparison.Ordinal)
                || !AllowedLocalDirectories.Any(d => path.StartsWith(d, StringComparison.Ordinal)))
            {
                return $"A local: path must be absolute, under {string.Join(" or ", AllowedLocalDirectories)}, without '.', '..', '\\' or '%'.";
            }

            return null;
        }

        // abfss://container@account… and wasbs://… name a container there; user:password@ is a credential.
        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return "The URI must not carry credentials (user:password@); give the cluster access to the storage instead.";
        }

        if (uri.Scheme == "https" && uri.Host.Length == 0)
        {
            return "An https: URI needs a host.";
        }

        return null;
    }
}
