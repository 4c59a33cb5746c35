using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IntegrationHub.TestDoubles.Processes;

/// <summary>
/// An external process the tests start (Azurite, the Cosmos emulator, the Functions host and its worker), in a
/// process group of its own, that ends with the test process whatever happens:
/// <list type="bullet">
/// <item><see cref="StopAsync"/> sends SIGTERM to the whole group, waits until no member is left, then SIGKILLs the group.</item>
/// <item>A <see cref="AppDomain.ProcessExit"/> handler SIGKILLs every group still running when the test process ends normally.</item>
/// <item>A watchdog that does not rely on the child or on .NET: the group's leader is a small bash supervisor that polls
/// the test process's pid every second and SIGKILLs its own group when the test process is gone (killed, crashed).</item>
/// </list>
/// (<c>setpriv --pdeathsig</c> is not used: the kernel sends it when the <em>thread</em> that forked the child exits,
/// and .NET forks from thread-pool threads that retire while the child should live on; and it would reach only the
/// direct child, not the Functions worker the host starts.) Every process gets <c>HUB_TEST_RUN</c> (<see cref="TestRun"/>).
/// </summary>
public sealed class SupervisedProcess : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    // $1: the pid to watch (the test process); the rest: the command. The group is the supervisor's own (setsid).
    private const string Supervisor = """
        watch=$1; shift
        "$@" &
        child=$!
        trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
        while kill -0 "$child" 2>/dev/null; do
          if ! kill -0 "$watch" 2>/dev/null; then kill -KILL 0; fi
          sleep 1 & wait $! 2>/dev/null
        done
        wait "$child"
        """;

    private static readonly ConcurrentDictionary<int, SupervisedProcess> Live = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private int _stopped;

    static SupervisedProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    private SupervisedProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        GroupId = process.Id; // setsid execs in place (the child of a .NET process is no group leader): pid = pgid
    }

    /// <summary>What it is, for messages.</summary>
    public string Name { get; }

    /// <summary>The process group (and session) id: the supervisor's pid.</summary>
    public int GroupId { get; }

    /// <summary>Whether the supervised command is still running.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Every line the command wrote to stdout or stderr so far.</summary>
    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    /// <summary>Raised for every line written (on a reader thread).</summary>
    public event Action<string>? LineWritten;

    /// <summary>The pids of the group's members (from /proc), supervisor included.</summary>
    public IReadOnlyList<int> Members() => MembersOf(GroupId);

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> under the supervisor; <paramref name="environment"/> entries with a
    /// null value are removed. The group dies with <paramref name="watchProcessId"/> (default: this test process).
    /// </summary>
    public static SupervisedProcess Start(string name, string fileName, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? workingDirectory = null, int? watchProcessId = null)
    {
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // the command never reads the test process's stdin
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in (string[])["bash", "-c", Supervisor, "hub-supervise", (watchProcessId ?? Environment.ProcessId).ToString(CultureInfo.InvariantCulture), fileName])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        start.Environment[TestRun.Variable] = TestRun.Id;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var supervised = new SupervisedProcess(name, process);
        Live[supervised.GroupId] = supervised;
        process.OutputDataReceived += (_, e) => supervised.Add(e.Data);
        process.ErrorDataReceived += (_, e) => supervised.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return supervised;
    }

    /// <summary>SIGTERM to the group; waits up to <paramref name="grace"/> (default 15 s) for every member to end, then SIGKILLs the group.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            Signal(GroupId, SigTerm);
            var deadline = DateTime.UtcNow + (grace ?? TimeSpan.FromSeconds(15));
            while (DateTime.UtcNow < deadline && (!_process.HasExited || Members().Count > 0))
            {
                await Task.Delay(100);
            }

            if (!_process.HasExited || Members().Count > 0)
            {
                Signal(GroupId, SigKill);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            Live.TryRemove(GroupId, out _);
        }
    }

    /// <summary>SIGKILL to the group at once (a crash, not a shutdown).</summary>
    public void Kill()
    {
        Signal(GroupId, SigKill);
        Live.TryRemove(GroupId, out _);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>The pids in process group <paramref name="groupId"/> that are alive (zombies excluded), read from /proc.</summary>
    public static IReadOnlyList<int> MembersOf(int groupId)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && int.Parse(fields[2], CultureInfo.InvariantCulture) == groupId)
                {
                    members.Add(pid);
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return members;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        LineWritten?.Invoke(line);
    }

    private static void KillAll()
    {
        foreach (var process in Live.Values)
        {
            Signal(process.GroupId, SigKill);
        }

        Live.Clear();
    }

    private static void Signal(int groupId, int signal)
    {
        if (NativeMethods.kill(-groupId, signal) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error != 3) // ESRCH: nobody left in the group
            {
                throw new Win32Exception(error, $"kill(-{groupId}, {signal}) failed.");
            }
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054, CA5392 // a plain libc call; no marshalling to generate
        internal static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054, CA5392
    }
}
