using System.CommandLine;
using System.Diagnostics;
using Bifrost.Host.Configuration;

namespace Bifrost.Host.Cli;

/// <summary>
/// <c>bifrost ramdisk build [--output DIR] [--cache DIR]</c>: builds the deploy ramdisk (kernel + initramfs with the
/// busybox agent, docs/agent-protocol.md) from Debian packages by running <c>packaging/ramdisk/build.sh</c>, installed
/// as <c>/usr/lib/bifrost/ramdisk/build.sh</c>. The default output is <c>StateDir/ramdisk</c>, where the boot planner
/// serves <c>bifrost-agent.kernel</c> and <c>bifrost-agent.initramfs</c> from.
/// </summary>
public static class RamdiskVerb
{
    public delegate Task<int> Runner(ParseResult result, Func<BifrostSettings, CancellationToken, Task<int>> verb, CancellationToken ct);

    public static Command Create(Runner run)
    {
        var ramdisk = new Command("ramdisk", "The deploy ramdisk the nodes boot for inspection, cleaning and deployment.");
        var output = new Option<string?>("--output") { Description = "Output directory (default: StateDir/ramdisk)" };
        var cache = new Option<string?>("--cache") { Description = "Where the downloaded .deb files are kept (default: StateDir/cache/ramdisk)" };
        var build = new Command("build", "Build bifrost-agent.kernel and bifrost-agent.initramfs from Debian packages (apt-get download).")
        {
            output, cache,
        };
        build.SetAction((r, ct) => run(r, (s, c) => BuildAsync(s, r.GetValue(output), r.GetValue(cache), c), ct));
        ramdisk.Subcommands.Add(build);
        return ramdisk;
    }

    private static async Task<int> BuildAsync(BifrostSettings settings, string? output, string? cache, CancellationToken ct)
    {
        var script = FindScript();
        if (script is null)
        {
            await Console.Error.WriteLineAsync(
                "bifrost: the ramdisk build script is missing (looked for ramdisk/build.sh next to the executable and packaging/ramdisk/build.sh above it)");
            return 1;
        }
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add(Path.GetFullPath(output ?? Path.Combine(settings.StateDir, "ramdisk")));
        start.ArgumentList.Add("--cache");
        start.ArgumentList.Add(Path.GetFullPath(cache ?? Path.Combine(settings.StateDir, "cache", "ramdisk")));
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"cannot start bash {script}");
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode;
    }

    /// <summary>The installed script (<c>/usr/lib/bifrost/ramdisk/build.sh</c> beside <c>/usr/lib/bifrost/bifrost</c>),
    /// else the source tree's, found by walking up from the executable (a development build).</summary>
    public static string? FindScript()
    {
        var installed = Path.Combine(AppContext.BaseDirectory, "ramdisk", "build.sh");
        if (File.Exists(installed)) return installed;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "packaging", "ramdisk", "build.sh");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
