using System.Diagnostics;
using Bifrost.TestKit;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// Runs the agent's shell functions (packaging/ramdisk/agent/*.sh) with the host's busybox, as the ramdisk does, with
/// SYSROOT pointing at a fake /proc + /sys tree. Values go in through environment variables, never pasted into the
/// script text, so the nasty strings under test reach the functions exactly.
/// </summary>
public static class AgentShell
{
    public static string AgentDir => Path.Combine(Repo.Root, "packaging", "ramdisk", "agent");

    private static readonly Lock Gate = new();
    private static string? _appletDir;

    private static string AppletDir(string busybox)
    {
        lock (Gate)
        {
            if (_appletDir is not null) return _appletDir;
            var dir = Path.Combine(Path.GetTempPath(), $"bifrost-busybox-applets-{Environment.ProcessId}");
            Directory.CreateDirectory(dir);
            using var p = Process.Start(new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true, UseShellExecute = false })!;
            foreach (var applet in p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var link = Path.Combine(dir, applet);
                if (!File.Exists(link)) File.CreateSymbolicLink(link, busybox);
            }
            p.WaitForExit();
            return _appletDir = dir;
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string script, string stateDir, IReadOnlyDictionary<string, string>? env = null, int timeoutSeconds = 60)
    {
        var busybox = Peers.Require("busybox", "busybox");
        var start = new ProcessStartInfo(busybox)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("-c");
        var dir = AgentDir;
        start.ArgumentList.Add($". '{dir}/lib.sh'; . '{dir}/http.sh'; . '{dir}/commands.sh'; {script}");
        Directory.CreateDirectory(stateDir);
        start.Environment["AGENT_STATE"] = stateDir;
        start.Environment["AGENT_LOG"] = Path.Combine(stateDir, "agent.log");
        start.Environment["AGENT_CONSOLE"] = "/dev/null";
        // Debian's busybox sh does not prefer its own applets: a directory of applet links first on PATH makes dd, tee,
        // od, awk … busybox's, as in the ramdisk, not the host's GNU tools.
        start.Environment["PATH"] = $"{AppletDir(busybox)}:/usr/sbin:/usr/bin:/sbin:/bin";
        if (env is not null)
            foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = Process.Start(start) ?? throw new InvalidOperationException("cannot start busybox");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"busybox sh -c '{script}' did not finish in {timeoutSeconds} s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
