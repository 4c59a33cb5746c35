using System.Text;
using System.Text.Json;
using IntegrationHub.Core.Transforms;
using IntegrationHub.TestDoubles.Cosmos;
using Xunit.Abstractions;

namespace IntegrationHub.Core.Tests.Transforms;

/// <summary>
/// The hub's JSONPath against the JSONPath Compliance Test Suite (RFC 9535), read from
/// <c>../shared/testdata/jsonpath-cts/cts.json</c> beside the repository (or <c>HUB_SHARED_DIR</c>):
/// every valid query the hub supports gives the RFC's nodelist, every invalid one is refused (and a
/// mapping using it is refused with a field error), and the valid ones it does not support (they can
/// select several values) are printed and written to <c>jsonpath-cts-unsupported.txt</c> beside the test binaries.
/// </summary>
public sealed class JsonPathComplianceTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_supported_case_gives_the_rfc_result_and_every_invalid_selector_is_refused()
    {
        using var cts = JsonDocument.Parse(File.ReadAllBytes(CtsPath()));
        var failures = new List<string>();
        var unsupported = new List<string>();
        int passedValid = 0, refusedInvalid = 0;
        foreach (var test in cts.RootElement.GetProperty("tests").EnumerateArray())
        {
            var name = test.GetProperty("name").GetString()!;
            var invalid = test.TryGetProperty("invalid_selector", out var flag) && flag.GetBoolean();
            string selector;
            try
            {
                selector = test.GetProperty("selector").GetString()!;
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate: not representable as .NET text, so no request could carry it.
                if (!invalid)
                {
                    failures.Add($"{name}: selector is not valid UTF-16 but the case is valid");
                }

                refusedInvalid++;
                continue;
            }

            var parsed = JsonPath.TryParse(selector, out var path, out var error, out var isUnsupported);
            if (invalid)
            {
                if (parsed)
                {
                    failures.Add($"{name}: '{selector}' is invalid (RFC 9535) but was accepted");
                    continue;
                }

                var mapping = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["field"] = selector })).RootElement;
                if (RecordMapping.TryCompile(mapping, "mapping", out _, out var errors) || !errors.ContainsKey("mapping.field"))
                {
                    failures.Add($"{name}: a mapping with '{selector}' was not refused with a field error on mapping.field");
                }

                refusedInvalid++;
                continue;
            }

            if (!parsed)
            {
                if (isUnsupported)
                {
                    unsupported.Add($"{name}\t{selector}");
                }
                else
                {
                    failures.Add($"{name}: '{selector}' is valid (RFC 9535) but was refused: {error}");
                }

                continue;
            }

            var document = test.GetProperty("document");
            var actual = path!.TryEvaluate(document, out var value) ? new[] { value } : [];
            var expected = test.TryGetProperty("result", out var result) ? [result] : test.GetProperty("results").EnumerateArray().ToArray();
            if (!expected.Any(nodelist => nodelist.GetArrayLength() == actual.Length && nodelist.EnumerateArray().Zip(actual).All(p => JsonElement.DeepEquals(p.First, p.Second))))
            {
                failures.Add($"{name}: '{selector}' gave [{string.Join(",", actual.Select(a => a.GetRawText()))}], expected {expected[0].GetRawText()}");
                continue;
            }

            passedValid++;
        }

        var report = new StringBuilder()
            .AppendLine($"JSONPath CTS: {passedValid} valid cases give the RFC result, {refusedInvalid} invalid selectors refused, {unsupported.Count} valid cases unsupported (skipped):")
            .AppendJoin(Environment.NewLine, unsupported)
            .ToString();
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "jsonpath-cts-unsupported.txt"), report);
        output.WriteLine(report);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(passedValid >= 75, $"only {passedValid} supported cases ran: is the suite complete?");
        Assert.True(refusedInvalid >= 200, $"only {refusedInvalid} invalid cases ran: is the suite complete?");
    }

    private static string CtsPath()
    {
        var relative = Path.Combine("testdata", "jsonpath-cts", "cts.json");
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("HUB_SHARED_DIR") is { Length: > 0 } shared)
        {
            candidates.Add(Path.Combine(shared, relative));
        }

        // ../shared beside the clone (CI, /work/main); worktrees sit one level deeper (/work/wt/<name>).
        candidates.Add(Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "..", "shared", relative)));
        candidates.Add(Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "..", "..", "shared", relative)));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("The JSONPath Compliance Test Suite was not found; looked at: " + string.Join(", ", candidates));
    }
}
