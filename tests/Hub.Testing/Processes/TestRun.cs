namespace IntegrationHub.TestDoubles.Processes;

/// <summary>
/// The id of this test run, put into every child process's environment as <c>HUB_TEST_RUN</c> so that
/// <c>scripts/test.sh</c> can find (in <c>/proc/*/environ</c>) and kill anything a run left behind. Taken
/// from the environment when the script set it, else made up once per test process.
/// </summary>
public static class TestRun
{
    /// <summary>The environment variable's name.</summary>
    public const string Variable = "HUB_TEST_RUN";

    /// <summary>The run's id.</summary>
    public static string Id { get; } = Init();

    private static string Init()
    {
        var id = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(id))
        {
            id = $"adhoc-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32];
            Environment.SetEnvironmentVariable(Variable, id); // children started any other way inherit it too
        }

        return id;
    }
}
