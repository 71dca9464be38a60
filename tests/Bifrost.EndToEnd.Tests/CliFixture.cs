namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// One real <c>bifrost serve</c> per fixture, driven only through the real <c>baremetal</c> CLI. Every call goes
/// through <see cref="RunAsync"/>, which holds the checks that apply to all of them: no "Could not decode response
/// body" on stderr (an empty 202/204 with a JSON Content-Type, IRONIC-API.md §9.3), and no registered secret in the
/// CLI's output or the daemon's log.
/// </summary>
public abstract class CliFixture
{
    private readonly List<string> _secrets = [];
    private TempDirectory? _state;
    private TempDirectory? _home;
    private BifrostProcess? _daemon;
    private BaremetalCli? _cli;
    private bool _stoppedByTest;

    /// <summary>Configuration overrides for this fixture's daemon (env form, e.g. <c>Bifrost__Fake__DeployDelay</c>).</summary>
    protected virtual IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>();

    protected BifrostProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon is not running");

    [OneTimeSetUp]
    public async Task StartDaemonAsync()
    {
        Peers.Require("baremetal", "python3-ironicclient");
        _state = new TempDirectory("bifrost-e2e-state");
        _home = new TempDirectory("bifrost-e2e-home");
        _daemon = await BifrostProcess.StartAsync(Path.Combine(_state.Path, "var"), DaemonEnvironment);
        _cli = new BaremetalCli(_daemon.BaseUri, _home.Path);
    }

    [OneTimeTearDown]
    public async Task StopDaemonAsync()
    {
        try
        {
            if (_daemon is not null)
            {
                var crashed = _daemon.HasExited && !_stoppedByTest;
                await _daemon.DisposeAsync();
                // A failure here is printed, but NUnit does not fail the run for it: the checks that count run after
                // every call, after every test, and in SecretTests after a clean stop.
                Assert.That(crashed, Is.False, "the daemon died during the fixture:\n" + _daemon.ReadLogSafe());
                AssertNoSecretInLog(_daemon.ReadLogSafe());
            }
        }
        finally
        {
            _home?.Dispose();
            // Keep the daemon's state and log for a failed fixture (or when BIFROST_E2E_KEEP=1); the path is printed.
            var passed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed;
            if (passed && Environment.GetEnvironmentVariable("BIFROST_E2E_KEEP") != "1") _state?.Dispose();
            else TestContext.Progress.WriteLine($"{GetType().Name}: daemon state and log kept in {_state?.Path}");
        }
    }

    /// <summary>
    /// After every test: the daemon is still up (a crash is the test's fault, not the next one's), and its log, now
    /// including anything written after the test's last call, holds no secret.
    /// </summary>
    [TearDown]
    public void DaemonSurvivedWithoutLeaking()
    {
        if (_daemon is null || _stoppedByTest) return;
        Assert.That(_daemon.HasExited, Is.False, "the daemon died:\n" + _daemon.ReadLogSafe());
        AssertNoSecretInLog(_daemon.ReadLog());
    }

    /// <summary>Stops the daemon with SIGTERM (it must exit 0) and returns its whole log, shutdown included.</summary>
    protected async Task<string> StopDaemonNowAsync()
    {
        _stoppedByTest = true;
        Assert.That(await Daemon.StopAsync(), Is.Zero, "bifrost serve exit code after SIGTERM");
        return Daemon.ReadLogSafe();
    }

    /// <summary>Registers a password the tests hand to Bifrost; it must never come back in output or logs.</summary>
    protected string Secret(string value)
    {
        lock (_secrets) _secrets.Add(value);
        return value;
    }

    /// <summary>Runs <c>baremetal ARGS</c> (no 409 retries) and applies the checks every call must pass.</summary>
    protected async Task<BaremetalCli.Result> RunAsync(params string[] args)
    {
        var cli = _cli ?? throw new InvalidOperationException("the daemon is not running");
        var result = await cli.RunAsync(args);
        TestContext.Out.WriteLine($"$ baremetal {string.Join(' ', args)}\n{result}");
        Assert.That(result.Stderr, Does.Not.Contain("Could not decode response body"),
            $"baremetal {string.Join(' ', args)}: an empty reply carried a JSON Content-Type");
        string[] secrets;
        lock (_secrets) secrets = [.. _secrets];
        foreach (var secret in secrets)
            Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(secret), $"baremetal {string.Join(' ', args)} leaked a secret");
        if (secrets.Length > 0) AssertNoSecretInLog(Daemon.ReadLog());
        return result;
    }

    /// <summary>Runs a command that must succeed; returns its stdout.</summary>
    protected async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.That(result.ExitCode, Is.Zero, $"baremetal {string.Join(' ', args)} failed:\n{result}");
        return result.Stdout;
    }

    /// <summary>Runs a command with <c>-f json</c> that must succeed; returns the parsed output.</summary>
    protected async Task<JsonElement> JsonAsync(params string[] args)
    {
        var stdout = await OkAsync([.. args, "-f", "json"]);
        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Runs a command that must fail with exit code 1 and the given last stderr line (the CLI prints
    /// <c>&lt;faultstring&gt; (HTTP &lt;code&gt;)</c> there); returns the whole stderr.
    /// </summary>
    protected async Task<string> FailsAsync(string expectedLastLine, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.That(result.ExitCode, Is.EqualTo(1), $"baremetal {string.Join(' ', args)} should have failed:\n{result}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Is.Not.Empty, $"baremetal {string.Join(' ', args)} printed no error");
        Assert.That(lines[^1], Is.EqualTo(expectedLastLine), $"baremetal {string.Join(' ', args)}");
        return result.Stderr;
    }

    /// <summary><c>node create ARGS</c>; returns the new node's UUID.</summary>
    protected async Task<string> CreateNodeAsync(params string[] args)
    {
        var uuid = (await OkAsync(["node", "create", .. args, "-f", "value", "-c", "uuid"])).Trim();
        Assert.That(Guid.TryParse(uuid, out _), Is.True, $"node create printed '{uuid}', not a UUID");
        return uuid;
    }

    /// <summary><c>node show IDENT -f json [-c column ...]</c>.</summary>
    protected Task<JsonElement> ShowNodeAsync(string ident, params string[] columns) =>
        JsonAsync(["node", "show", ident, .. columns.SelectMany(c => new[] { "-c", c })]);

    /// <summary>Polls <c>node show</c> (about every 2 s, one CLI start-up) until <paramref name="done"/> holds.</summary>
    protected async Task<JsonElement> WaitForNodeAsync(
        string ident, Func<JsonElement, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var node = await ShowNodeAsync(ident);
            if (done(node)) return node;
            if (DateTime.UtcNow > deadline) Assert.Fail($"node {ident} never got {what}; last seen:\n{node}");
            await Task.Delay(500);
        }
    }

    /// <summary>Brings a fresh fake-hardware node to <c>available</c> with the CLI's own waiting.</summary>
    protected async Task MakeAvailableAsync(string ident)
    {
        await OkAsync("node", "manage", ident, "--wait", "60");
        await OkAsync("node", "provide", ident, "--wait", "60");
    }

    protected static string? Str(JsonElement element, string property) =>
        element.GetProperty(property) is { ValueKind: JsonValueKind.Null } ? null : element.GetProperty(property).GetString();

    /// <summary>The values of one column of a <c>-f json</c> list (display names, e.g. "Name", "UUID").</summary>
    protected static List<string?> Column(JsonElement rows, string column) =>
        [.. rows.EnumerateArray().Select(row => Str(row, column))];

    private void AssertNoSecretInLog(string log)
    {
        string[] secrets;
        lock (_secrets) secrets = [.. _secrets];
        foreach (var secret in secrets)
            Assert.That(log.Contains(secret, StringComparison.Ordinal), Is.False, $"the daemon log ({Daemon.LogFile}) contains a secret");
    }
}

internal static class BifrostProcessExtensions
{
    /// <summary>The log, or a note why it could not be read (after dispose the writer is closed, the file stays).</summary>
    public static string ReadLogSafe(this BifrostProcess daemon)
    {
        try
        {
            using var stream = new FileStream(daemon.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException ex)
        {
            return $"(log {daemon.LogFile} unreadable: {ex.Message})";
        }
    }
}
