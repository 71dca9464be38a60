using System.Diagnostics;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>The real executable's verbs and exit codes: what an admin and systemd see.</summary>
public class CommandLineTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("bifrost-cli");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private async Task<(int Code, string Out, string Err)> Run(IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        psi.ArgumentList.Add(BifrostProcess.DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    private string WriteConfig(string json)
    {
        var file = Path.Combine(_dir.Path, "config.json");
        File.WriteAllText(file, json);
        return file;
    }

    [Test]
    public async Task Check_config_accepts_a_good_file_and_shows_environment_overrides()
    {
        var file = WriteConfig("""{ "Bifrost": { "StateDir": "./state", "Api": { "Listen": "127.0.0.1:6385" } } }""");
        var (code, stdout, stderr) = await Run(new Dictionary<string, string> { ["Bifrost__Api__Listen"] = "127.0.0.1:7777" },
            "check-config", "--config", file);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("configuration OK").And.Contain("127.0.0.1:7777"));
    }

    private static IEnumerable<TestCaseData> BadConfigs()
    {
        yield return new TestCaseData("{ \"Bifrost\": { \"Api\": { \"Listen\": \"nonsense\" } } }", null, "Bifrost:Api:Listen")
            .SetName("a bad listen address exits 2 naming Bifrost:Api:Listen");
        yield return new TestCaseData("{ \"Bifrost\": { \"StateDir\": ", null, "not valid JSON")
            .SetName("a truncated file exits 2 saying it is not valid JSON");
        yield return new TestCaseData("{ \"Bifrost\": { \"Conductor\": { \"DeployCallbackTimeot\": 5 } } }", null,
            "unknown configuration key Bifrost:Conductor:DeployCallbackTimeot").SetName("a misspelt key exits 2 naming it");
        yield return new TestCaseData("{}", "abc", "Bifrost:Conductor:DeployCallbackTimeout")
            .SetName("a bad environment override exits 2 naming the key");
    }

    [TestCaseSource(nameof(BadConfigs))]
    public async Task A_bad_configuration_is_one_line_and_exit_code_2(string json, string? timeoutEnv, string expected)
    {
        var file = WriteConfig(json);
        var env = timeoutEnv is null ? null : new Dictionary<string, string> { ["Bifrost__Conductor__DeployCallbackTimeout"] = timeoutEnv };
        foreach (var verb in new[] { "serve", "check-config", "migrate" })
        {
            var (code, _, stderr) = await Run(env, verb, "--config", file);
            Assert.That(code, Is.EqualTo(2), $"{verb}: {stderr}");
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(1), $"{verb} printed more than one line: {stderr}");
            Assert.That(lines[0], Does.StartWith("bifrost: invalid configuration: ").And.Contain(expected));
        }
    }

    [Test]
    public async Task Migrate_creates_the_schema_once()
    {
        var file = WriteConfig("""{ "Bifrost": { "StateDir": "./state" } }""");
        var first = await Run(null, "migrate", "--config", file);
        Assert.That(first.Code, Is.Zero, first.Err);
        Assert.That(first.Out, Does.Contain("schema version 0 → "));
        Assert.That(File.Exists(Path.Combine(_dir.Path, "state", "bifrost.db")));
        var second = await Run(null, "migrate", "--config", file);
        Assert.That(second.Out, Does.Contain("up to date"));
    }

    [Test]
    public async Task Serve_stops_cleanly_on_sigterm()
    {
        var state = Path.Combine(_dir.Path, "state");
        await using var bifrost = await BifrostProcess.StartAsync(state);
        var code = await bifrost.StopAsync(TimeSpan.FromSeconds(30));
        Assert.That(code, Is.Zero, bifrost.ReadLog());
        Assert.That(bifrost.ReadLog(), Does.Contain("Bifrost stopped"));
    }

    [Test]
    public async Task Serve_refuses_a_port_in_use_with_one_line()
    {
        var state = Path.Combine(_dir.Path, "state");
        await using var first = await BifrostProcess.StartAsync(state);
        var (code, _, stderr) = await Run(new Dictionary<string, string>
        {
            ["Bifrost__StateDir"] = Path.Combine(_dir.Path, "other"),
            ["Bifrost__Api__Listen"] = $"{first.BaseUri.Host}:{first.BaseUri.Port}",
        }, "serve");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain($"bifrost: cannot listen on 127.0.0.1:{first.BaseUri.Port}"));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
    }
}
