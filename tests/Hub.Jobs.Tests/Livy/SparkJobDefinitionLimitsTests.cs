using IntegrationHub.Jobs.Livy;

namespace IntegrationHub.Jobs.Tests.Livy;

/// <summary>Issue 13, fault 11: a Spark job's files come from cluster storage only, and its sizes are bounded; each refusal names its field.</summary>
public sealed class SparkJobDefinitionLimitsTests
{
    private static SparkJobDefinition Job(string file) => new() { Name = "nightly", File = file };

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("etc/passwd")]
    [InlineData("local:///etc/passwd")]
    [InlineData("local:/opt/../etc/passwd")]
    [InlineData("local://node/opt/jobs/a.py")]
    [InlineData("http://example.com/a.jar")]
    [InlineData("ftp://example.com/a.jar")]
    [InlineData("https://user:secret@example.com/a.jar")]
    [InlineData("javascript:alert(1)")]
    [InlineData("")]
    public void A_file_outside_the_allowed_schemes_is_refused_on_file(string file)
    {
        var problem = Assert.Single(Job(file).Validate(), r => r.MemberNames.Contains(nameof(SparkJobDefinition.File)));

        Assert.NotNull(problem.ErrorMessage);
        Assert.DoesNotContain("secret", problem.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abfss://jobs@lake.dfs.core.windows.net/aggregate.jar")]
    [InlineData("hdfs:///jobs/aggregate.jar")]
    [InlineData("hdfs://namenode:8020/jobs/aggregate.py")]
    [InlineData("wasbs://jobs@acct.blob.core.windows.net/a.jar")]
    [InlineData("s3a://bucket/jobs/a.py")]
    [InlineData("gs://bucket/a.py")]
    [InlineData("https://artifacts.example.com/a.jar")]
    [InlineData("local:///opt/jobs/aggregate.py")]
    public void Cluster_storage_and_allowed_local_paths_are_accepted(string file) => Assert.Empty(Job(file).Validate());

    [Fact]
    public void Every_file_list_follows_the_same_rule()
    {
        var job = Job("hdfs:///a.jar") with { Jars = ["file:///etc/shadow"], PyFiles = ["local:///root/x.py"], Files = ["hdfs:///ok.txt"], Archives = ["/tmp/a.zip"] };

        Assert.Equal(["Archives", "Jars", "PyFiles"], job.Validate().SelectMany(r => r.MemberNames).Order());
    }

    [Fact]
    public void Sizes_are_bounded()
    {
        var big = new string('x', SparkJobDefinition.MaxTextLength + 1);
        var job = Job("hdfs:///a.jar") with
        {
            Args = Enumerable.Repeat("a", SparkJobDefinition.MaxListItems + 1).ToList(),
            Conf = new Dictionary<string, string> { ["spark.x"] = big },
            Jars = Enumerable.Repeat("hdfs:///a.jar", SparkJobDefinition.MaxListItems + 1).ToList(),
            ClassName = big,
        };

        Assert.Equal(["Args", "ClassName", "Conf", "Jars"], job.Validate().SelectMany(r => r.MemberNames).Order());
    }
}
