using System.Diagnostics;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Shared.Tests.Cosmos;

/// <summary>
/// Issue 13, fault 14: an emulator never outlives the process that started it, even when it is stopped
/// (state T, so its own parent check cannot run) and its parent is killed with SIGKILL.
/// </summary>
public sealed class EmulatorLifetimeTests
{
    [Fact]
    public async Task A_stopped_emulator_is_killed_when_its_parent_dies()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", ["600"]) { UseShellExecute = false })!;
        var emulator = await CosmosEmulator.StartAsync(parentProcessId: parent.Id);

        // The emulator itself (node), not its supervisor, the group's leader: a stopped emulator cannot check its parent.
        var pid = IntegrationHub.TestDoubles.Processes.SupervisedProcess.MembersOf(emulator.ProcessId!.Value).Single(p => Command(p).StartsWith("node", StringComparison.Ordinal));
        try
        {
            Signal("STOP", pid);
            for (var i = 0; i < 50 && State(pid) != 'T'; i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal('T', State(pid));

            parent.Kill();
            await parent.WaitForExitAsync();

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (State(pid) is not null and not 'Z' && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(State(pid) is not null and not 'Z', $"emulator {pid} is still there in state {State(pid)} after its parent died");
        }
        finally
        {
            await emulator.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_emulator_leads_its_own_process_group_and_dispose_ends_it()
    {
        var emulator = await CosmosEmulator.StartAsync();
        var pid = emulator.ProcessId!.Value;
        Assert.True(emulator.IsRunning);

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[2]); // pgrp
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]); // session
        await emulator.DisposeAsync();

        Assert.False(emulator.IsRunning);
        Assert.True(State(pid) is null or 'Z');
    }

    private static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
