using System.Diagnostics;
using System.Globalization;

namespace IntegrationHub.Comparison;

/// <summary>
/// A server process the comparison starts in a process group of its own (<c>setsid</c>, which execs: the pid is
/// the group id), with its output in a log file, and stops by that group: TERM, then KILL after a grace period.
/// </summary>
internal sealed class ManagedProcess
{
    private readonly Process _process;

    private ManagedProcess(string name, Process process, string log)
    {
        Name = name;
        _process = process;
        Log = log;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string Log { get; }

    public bool HasExited => _process.HasExited;

    public static ManagedProcess Start(string name, string file, IEnumerable<string> arguments, string log, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add(file);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        var writer = new StreamWriter(log, append: false) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return new ManagedProcess(name, process, log);
    }

    /// <summary>Ends the whole group: TERM, up to <paramref name="grace"/> to go, then KILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited && !GroupAlive(Pid))
        {
            return;
        }

        await Signal("TERM", Pid);
        var until = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < until && GroupAlive(Pid))
        {
            await Task.Delay(100);
        }

        if (GroupAlive(Pid))
        {
            await Signal("KILL", Pid);
        }

        await _process.WaitForExitAsync();
    }

    public string Tail(int lines) =>
        File.Exists(Log) ? string.Join(Environment.NewLine, File.ReadLines(Log).TakeLast(lines)) : "";

    /// <summary>Whether any process of group <paramref name="pgid"/> is left.</summary>
    public static bool GroupAlive(int pgid) => ProcessTable.Snapshot().Any(p => p.Pgid == pgid && p.State != 'Z');

    private static async Task Signal(string signal, int pgid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", "-" + pgid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true, UseShellExecute = false });
        if (kill is not null)
        {
            await kill.WaitForExitAsync();
        }
    }
}

/// <summary>What <c>/proc</c> says about the processes of this machine (pid, group, state, command line, memory).</summary>
internal static class ProcessTable
{
    // CpuTicks: user plus system CPU time so far, in clock ticks (1/100 s).
    internal sealed record Entry(int Pid, int Pgid, char State, long CpuTicks, string CommandLine, long RssKb, long PeakRssKb);

    public static List<Entry> Snapshot()
    {
        var entries = new List<Entry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var cpu = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                entries.Add(new Entry(pid, int.Parse(fields[2], CultureInfo.InvariantCulture), fields[0][0], cpu, "", 0, 0));
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return entries;
    }

    /// <summary>Command line and VmRSS / VmHWM (kB) of <paramref name="entry"/>, or null when it is gone.</summary>
    public static Entry? Details(Entry entry)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{entry.Pid}/cmdline").Replace('\0', ' ').Trim();
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{entry.Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kb(line);
                }
            }

            return entry with { CommandLine = commandLine, RssKb = rss, PeakRssKb = hwm };
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long Kb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>The processes one side started, stopped in the reverse order (the host before the stores it uses, as scripts/run.sh does).</summary>
internal sealed class ProcessGroup
{
    private readonly List<ManagedProcess> _processes = [];

    public ManagedProcess Track(ManagedProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async Task StopAllAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].StopAsync(TimeSpan.FromSeconds(10));
        }

        _processes.Clear();
    }
}
