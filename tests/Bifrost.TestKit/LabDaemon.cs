using System.Diagnostics;
using System.Globalization;
using Bifrost.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bifrost.TestKit;

/// <summary>
/// The real <c>bifrost serve</c> inside a <see cref="NetLab"/>'s server namespace (so it can bind the lab bridge),
/// with settings given as <c>Bifrost__…</c> environment overrides. Ready when its DHCP server logs that it listens.
/// The API listens on the namespace's own loopback, unreachable from the tests: seed the database with
/// <see cref="SeedPortAsync"/> before starting instead.
/// </summary>
public sealed class LabDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _pidFile;

    private LabDaemon(Process process, string logFile, string pidFile)
    {
        _process = process;
        LogFile = logFile;
        _pidFile = pidFile;
    }

    public string LogFile { get; }
    public string ReadLog() => NetLab.ReadShared(LogFile);

    /// <summary>
    /// Waits until the daemon's log contains <paramref name="text"/> (default 10 s). The log reaches the file through
    /// this test process's pipe reader, so a line the daemon wrote before a client saw its answer may land a moment
    /// after the client reports: assert on the log with this, never with one <see cref="ReadLog"/>.
    /// </summary>
    public Task WaitForLogAsync(string text, TimeSpan? timeout = null) =>
        NetLab.WaitForTextAsync(LogFile, text, timeout ?? TimeSpan.FromSeconds(10));

    public static async Task<LabDaemon> StartAsync(NetLab lab, string stateDir, IDictionary<string, string> environment)
    {
        Directory.CreateDirectory(stateDir);
        var logFile = Path.Combine(stateDir, $"bifrost-{DateTime.UtcNow:HHmmss.fff}.log");
        var pidFile = Path.Combine(stateDir, "bifrost.pid");
        var env = new Dictionary<string, string>(environment)
        {
            ["Bifrost__StateDir"] = stateDir,
            ["Bifrost__Api__Listen"] = "127.0.0.1:6385", // the namespace's own loopback: no clash with anything
            ["Bifrost__Logging__Level"] = "Debug",
        };
        // ip netns exec may fork: the shell writes the daemon's own PID, then becomes it.
        var process = lab.Start(lab.Server, logFile, env,
            "sh", "-c", $"echo $$ > '{pidFile}'; exec \"$@\"", "sh", "dotnet", BifrostProcess.DllPath, "serve");
        var daemon = new LabDaemon(process, logFile, pidFile);
        try
        {
            await NetLab.WaitForTextAsync(logFile, "listening on", TimeSpan.FromSeconds(60), process);
            await NetLab.WaitForTextAsync(logFile, "DHCP (", TimeSpan.FromSeconds(30), process);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM to the daemon itself, then waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        if (File.Exists(_pidFile) && int.TryParse(File.ReadAllText(_pidFile).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            using var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Creates the state directory's database (migrated) with one node owning a port of <paramref name="mac"/>.</summary>
    public static async Task SeedPortAsync(string stateDir, string mac)
    {
        Directory.CreateDirectory(stateDir);
        var path = Path.Combine(stateDir, "bifrost.db");
        await SqliteMigrator.MigrateAsync(path);
        var store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = path });
        var node = NodeBuilder.Fake($"node-{mac.Replace(":", "", StringComparison.Ordinal)}");
        await store.CreateNodeAsync(node);
        await store.CreatePortAsync(NodeBuilder.Port(node, mac));
        using var connection = new SqliteConnection(store.ConnectionString);
        SqliteConnection.ClearPool(connection);
    }
}
